"""Errors of the mail pipeline, and the stdlib exceptions that malformed mail provokes."""

from __future__ import annotations

from email.errors import MessageError
from typing import Literal

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

Unparseable = Literal["not_bytes", "empty"]
# The limits of ``chalicelib.mail.limits``, one reason each.
TooComplex = Literal[
    "too_large", "too_deep", "too_many_parts", "too_many_headers", "header_too_long", "message_id_too_long"
]


class UnparseableMail(Exception):
    """Nothing can be made of the input: quarantine it. ``reason`` is a short machine code; ``str(exc)`` says
    it for people."""

    def __init__(self, reason: Unparseable | TooComplex, detail: str) -> None:
        super().__init__(detail)
        self.reason: Unparseable | TooComplex = reason
        self.detail = detail


class MailTooComplex(UnparseableMail):
    """The mail is over one of the parsing limits (hostile or broken): parsing stopped before it cost more.

    ``limit`` is the bound that was crossed and ``found`` how far the mail went (at least), in the unit of
    the reason (bytes, levels, parts, fields)."""

    def __init__(self, reason: TooComplex, limit: int, found: int) -> None:
        super().__init__(reason, f"{reason.replace('_', ' ')}: {found:,} over the limit of {limit:,}")
        self.limit = limit
        self.found = found
