"""Raw MIME bytes to a ``ParsedMail``; malformed mail becomes defects, never exceptions.

Mail over the limits of ``chalicelib.mail.limits`` (size, nesting, parts, header fields, Message-ID length)
raises ``MailTooComplex`` (an ``UnparseableMail``) with a machine ``reason``: callers quarantine it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from chalicelib.mail import limits, mime, quotes
from chalicelib.mail.charsets import decode_bytes, fix_surrogates
from chalicelib.mail.errors import EMAIL_ERRORS, UnparseableMail
from chalicelib.mail.model import Address, ParsedMail

_MSG_ID = re.compile(r"<([^<>\s]+)>")
_SPACE = re.compile(r"\s+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
# Header fields the stdlib parses as structures (addresses, dates, ids, parameters): they keep its parser.
_STRUCTURED = frozenset(
    {"from", "sender", "reply-to", "to", "cc", "bcc", "date", "orig-date", "message-id", "subject", "mime-version"}
    | {"resent-from", "resent-sender", "resent-to", "resent-cc", "resent-bcc", "resent-date"}
    | {"content-type", "content-disposition", "content-transfer-encoding"}
)


def parse(raw: bytes) -> ParsedMail:
    """Parse one message. Raises ``UnparseableMail`` when there is nothing to parse, and its subclass
    ``MailTooComplex`` when the mail is over a limit."""
    if not isinstance(raw, bytes | bytearray):
        raise UnparseableMail("not_bytes", f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        raise UnparseableMail("empty", "empty input")
    msg = limits.message_from_bytes(raw, policy.default)
    defects = [type(d).__name__ for d in msg.defects]
    headers = _headers(msg, defects)
    limits.check_message_id(next(iter(_all_ids(_first(headers, "Message-ID"))), None))
    parts = mime.collect(msg)
    defects.extend(parts.defects)
    defects.extend(_part_defects(msg))
    return _assemble(raw, headers, parts, defects)


def _assemble(raw: bytes, headers: tuple[tuple[str, str], ...], parts: mime.Parts, defects: list[str]) -> ParsedMail:
    from chalicelib.mail.html import html_to_text, sanitise

    def first(name: str) -> str | None:
        return _first(headers, name)

    raw_html = "\n".join(parts.htmls) if parts.htmls else None
    text = "\n\n".join(t.strip("\n") for t in parts.texts if t.strip())
    if not text and raw_html:
        text = html_to_text(raw_html)
    visible_text, visible_html = _visible(text if parts.texts else "", raw_html)
    return ParsedMail(
        from_=next(iter(_addresses(first("From"))), None),
        to=_addresses(", ".join(v for k, v in headers if k.lower() == "to")),
        cc=_addresses(", ".join(v for k, v in headers if k.lower() == "cc")),
        reply_to=_addresses(first("Reply-To")),
        subject=_SPACE.sub(" ", first("Subject") or "").strip(),
        date=_date(first("Date"), defects),
        message_id=_first_id(first("Message-ID"), defects),
        in_reply_to=_first_id(first("In-Reply-To"), defects),
        references=tuple(_ids(first("References"), defects)),
        text=text,
        html=sanitise(raw_html) if raw_html else None,
        visible_text=visible_text,
        visible_html=sanitise(visible_html) if visible_html is not None else None,
        attachments=tuple(parts.attachments),
        defects=tuple(dict.fromkeys(defects)),
        auto_submitted=first("Auto-Submitted"),
        list_id=first("List-Id"),
        return_path=_return_path(first("Return-Path")),
        headers=headers,
        raw=raw,
    )


def _visible(text: str, raw_html: str | None) -> tuple[str, str | None]:
    """The reply from the text part when there is one (clients write it plainly), else from the HTML."""
    visible_html = None
    if raw_html:
        from chalicelib.mail.html import html_to_text
        from chalicelib.mail.quotes_html import visible_html as cut_html

        visible_html = cut_html(raw_html)
        if not text.strip():
            return quotes.visible_text(html_to_text(visible_html)), visible_html
    return quotes.visible_text(text), visible_html


def _first(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), None)


def _headers(msg: Message, defects: list[str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (fix_surrogates(str(name)), _header_value(msg, name, value, defects)) for name, value in msg.raw_items()
    )


def _header_value(msg: Message, name: str, raw_value: object, defects: list[str]) -> str:
    """The decoded value. The structured parser (addresses, dates, encoded words) is superlinear in time and
    memory, so a long value is decoded as text (its encoded words too), and a plain one is only unfolded."""
    raw_text = str(raw_value)
    if len(raw_text) > limits.STRUCTURED_HEADER_CHARS:
        defects.append(f"LongHeaderDecodedAsText: {name}")
        return fix_surrogates(_decode_words(raw_text))
    if name.lower() not in _STRUCTURED and "=?" not in raw_text and raw_text.isascii():
        return _FOLD.sub("", raw_text)
    try:
        value = str(msg.policy.header_fetch_parse(name, raw_value))  # type: ignore[arg-type]
    except EMAIL_ERRORS as exc:
        defects.append(f"HeaderParseError: {name}: {exc.__class__.__name__}")
        value = _decode_words(raw_text)
    else:
        if "=?" in raw_text and "\ufffd" in value:  # an encoded word in a charset the stdlib lacks
            value = _decode_words(raw_text)
    return fix_surrogates(value)


def _decode_words(raw_value: str) -> str:
    """RFC 2047 encoded words, each in its charset with our fallbacks (the stdlib gives up on unknown ones)."""
    from email.header import decode_header

    unfolded = _SPACE.sub(" ", raw_value).strip()
    try:
        chunks = decode_header(unfolded)
    except EMAIL_ERRORS:
        return unfolded
    decoded = []
    for chunk, charset in chunks:
        decoded.append(decode_bytes(chunk, charset)[0] if isinstance(chunk, bytes) else chunk)
    return "".join(decoded)


def _part_defects(msg: Message) -> list[str]:
    found: list[str] = []
    for part in msg.walk():
        if part is not msg:
            found.extend(type(d).__name__ for d in getattr(part, "defects", ()))
    return found


def _addresses(value: str | None) -> tuple[Address, ...]:
    if not value:
        return ()
    out = []
    for name, addr in getaddresses([value]):
        addr = addr.strip()
        if "<" in addr and addr.endswith(">"):
            # The whole address was inside one encoded word (=?utf-8?q?J=C3=BCrgen_<j@x.de>?=), as some broken
            # clients send it: once decoded, it is a display name and an address again.
            inner_name, addr = getaddresses([addr])[0]
            name = name or inner_name
        if addr or name:
            out.append(Address(name=name.strip(), email=addr.strip()))
    return tuple(a for a in out if "@" in a.email or not a.email)


def _date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except EMAIL_ERRORS:
        defects.append("InvalidDateDefect")
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _ids(value: str | None, defects: list[str]) -> list[str]:
    """Message ids; one too long to be stored cannot name a mail we know, so it is dropped as a defect."""
    found = _all_ids(value)
    fitting = [i for i in found if len(i.encode("utf-8", "surrogateescape")) <= limits.MAX_MESSAGE_ID_BYTES]
    if len(fitting) < len(found):
        defects.append("MessageIdTooLong")
    return fitting


def _all_ids(value: str | None) -> list[str]:
    if not value:
        return []
    return _MSG_ID.findall(value) or [token.strip("<>") for token in value.split() if token.strip("<>")]


def _first_id(value: str | None, defects: list[str]) -> str | None:
    ids = _ids(value, defects)
    return ids[0] if ids else None


def _return_path(value: str | None) -> str | None:
    if value is None:
        return None
    ids = _SPACE.sub("", value)
    return ids.strip("<>")
