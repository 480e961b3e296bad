"""Domain objects and rules: plain Python, no AWS, no I/O."""
