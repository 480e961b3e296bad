"""Errors of the mail pipeline, and the stdlib exceptions that malformed mail provokes."""

from __future__ import annotations

from email.errors import MessageError

# What ``email`` raises on malformed input (unknown charsets, broken encoded words, header parser bugs).
# Caught in named places only, each recorded as a defect of the parsed mail.
EMAIL_ERRORS: tuple[type[BaseException], ...] = (
    MessageError,
    LookupError,
    UnicodeError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
)


class UnparseableMail(Exception):
    """Nothing can be made of the input (empty, not bytes): quarantine it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
