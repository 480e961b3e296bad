"""Services own the behaviour; they take their repositories as parameters."""
