"""What one mail may cost: the bounds of the parser, enforced while the stdlib parses.

The stdlib parser has no limits of its own: a multipart nested 2,000 deep ends in a ``RecursionError`` after a
minute of work, 1,500 attachments take 17 s, a 3,300-line ``Subject`` of encoded words costs 160 MB in the
structured header parser and a 3,300-address ``To`` 11 s. The parser builds its tree through the message class
it is given, so the class below counts as the tree grows (``attach`` for every part, ``set_raw`` for every
header field) and raises ``MailTooComplex`` at the first limit crossed, before the work is spent. The limits
and the reasons for them are in docs/decisions/022-email-understanding.md.
"""

from __future__ import annotations

import email
from email.message import EmailMessage, Message
from email.policy import EmailPolicy, Policy
from typing import Any

from chalicelib.mail.errors import MailTooComplex

MAX_RAW_BYTES = 40 * 1024 * 1024  # SES receives mail up to 40 MB: anything larger did not come through SES
MAX_DECODED_BYTES = 40 * 1024 * 1024  # all parts' content once decoded (base64 shrinks, so this is roomy)
MAX_DEPTH = 50  # MIME nesting levels; the stdlib's serialiser spends ~5 stack frames per level
MAX_PARTS = 500  # MIME parts (and delivery-status blocks), all levels together
MAX_HEADER_FIELDS = 5_000  # header fields, all parts together
MAX_HEADER_BYTES = 1024 * 1024  # one part's header section
MAX_MIME_HEADER_CHARS = 16 * 1024  # Content-Type and friends are re-parsed on every look-up
STRUCTURED_HEADER_CHARS = 8 * 1024  # a longer value is decoded as text, not by the structured header parser
MAX_MESSAGE_ID_BYTES = 984  # an RFC 5322 line (998) less "Message-ID: <>"; a DynamoDB sort key holds 1,024

_MIME_HEADERS = frozenset({"content-type", "content-disposition", "content-transfer-encoding", "mime-version"})


class _Budget:
    __slots__ = ("fields", "parts")

    def __init__(self) -> None:
        self.parts = 0
        self.fields = 0


def message_from_bytes(raw: bytes, policy: Policy) -> Message:
    """``email.message_from_bytes`` that stops at the limits above with ``MailTooComplex``."""
    if len(raw) > MAX_RAW_BYTES:
        raise MailTooComplex("too_large", MAX_RAW_BYTES, len(raw))
    budget = _Budget()

    def factory(policy: Policy = policy) -> Message:  # the parser passes its policy as a keyword
        cls = _BoundedEmailMessage if isinstance(policy, EmailPolicy) else _BoundedMessage
        message = cls(policy=policy)
        message.budget = budget
        return message

    return email.message_from_bytes(raw, _class=factory, policy=policy)


def check_decoded(total: int) -> None:
    if total > MAX_DECODED_BYTES:
        raise MailTooComplex("too_large", MAX_DECODED_BYTES, total)


def check_message_id(message_id: str | None) -> None:
    size = len(message_id.encode("utf-8", "surrogateescape")) if message_id else 0
    if size > MAX_MESSAGE_ID_BYTES:
        raise MailTooComplex("message_id_too_long", MAX_MESSAGE_ID_BYTES, size)


def _child(parent: Any, child: Any) -> None:
    depth = parent.depth + 1
    if depth > MAX_DEPTH:
        raise MailTooComplex("too_deep", MAX_DEPTH, depth)
    parent.budget.parts += 1
    if parent.budget.parts > MAX_PARTS:
        raise MailTooComplex("too_many_parts", MAX_PARTS, parent.budget.parts)
    child.depth = depth


def _field(message: Any, name: str, value: Any) -> None:
    message.budget.fields += 1
    if message.budget.fields > MAX_HEADER_FIELDS:
        raise MailTooComplex("too_many_headers", MAX_HEADER_FIELDS, message.budget.fields)
    size = len(name) + len(str(value))
    message.header_bytes += size
    if message.header_bytes > MAX_HEADER_BYTES:
        raise MailTooComplex("header_too_long", MAX_HEADER_BYTES, message.header_bytes)
    if name.lower() in _MIME_HEADERS and size > MAX_MIME_HEADER_CHARS:
        raise MailTooComplex("header_too_long", MAX_MIME_HEADER_CHARS, size)


class _BoundedMessage(Message):
    """compat32 messages (what flufl.bounce walks)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget()  # shared with the whole tree by ``message_from_bytes``
        self.depth = 0
        self.header_bytes = 0

    def attach(self, payload: Any) -> None:
        _child(self, payload)
        super().attach(payload)

    def set_raw(self, name: str, value: Any) -> None:
        _field(self, name, value)
        super().set_raw(name, value)


class _BoundedEmailMessage(EmailMessage):
    """``policy.default`` messages (what ``parse`` reads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget()
        self.depth = 0
        self.header_bytes = 0

    def attach(self, payload: Any) -> None:
        _child(self, payload)
        super().attach(payload)

    def set_raw(self, name: str, value: Any) -> None:
        _field(self, name, value)
        super().set_raw(name, value)
