"""Raw MIME bytes to a ``ParsedMail``; malformed mail becomes defects, never exceptions."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from chalicelib.mail import mime, quotes
from chalicelib.mail.charsets import decode_bytes, fix_surrogates
from chalicelib.mail.errors import EMAIL_ERRORS, UnparseableMail
from chalicelib.mail.model import Address, ParsedMail

_MSG_ID = re.compile(r"<([^<>\s]+)>")
_SPACE = re.compile(r"\s+")


def parse(raw: bytes) -> ParsedMail:
    """Parse one message. Raises ``UnparseableMail`` only when there is nothing to parse."""
    if not isinstance(raw, bytes | bytearray):
        raise UnparseableMail(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        raise UnparseableMail("empty input")
    msg = email.message_from_bytes(raw, policy=policy.default)
    defects = [type(d).__name__ for d in msg.defects]
    headers = _headers(msg, defects)
    parts = mime.collect(msg)
    defects.extend(parts.defects)
    defects.extend(_part_defects(msg))
    return _assemble(raw, headers, parts, defects)


def _assemble(raw: bytes, headers: tuple[tuple[str, str], ...], parts: mime.Parts, defects: list[str]) -> ParsedMail:
    from chalicelib.mail.html import html_to_text, sanitise

    def first(name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in headers if k.lower() == wanted), None)

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
        message_id=_first_id(first("Message-ID")),
        in_reply_to=_first_id(first("In-Reply-To")),
        references=tuple(_ids(first("References"))),
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


def _headers(msg: Message, defects: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for name, raw_value in msg.raw_items():
        raw_text = str(raw_value)
        try:
            value = str(msg.policy.header_fetch_parse(name, raw_value))
        except EMAIL_ERRORS as exc:
            defects.append(f"HeaderParseError: {name}: {exc.__class__.__name__}")
            value = _decode_words(raw_text)
        else:
            if "=?" in raw_text and "\ufffd" in value:  # an encoded word in a charset the stdlib lacks
                value = _decode_words(raw_text)
        out.append((fix_surrogates(str(name)), fix_surrogates(value)))
    return tuple(out)


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
        if addr or name:
            out.append(Address(name=name.strip(), email=addr))
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


def _ids(value: str | None) -> list[str]:
    if not value:
        return []
    found = _MSG_ID.findall(value)
    return found or [token.strip("<>") for token in value.split() if token.strip("<>")]


def _first_id(value: str | None) -> str | None:
    ids = _ids(value)
    return ids[0] if ids else None


def _return_path(value: str | None) -> str | None:
    if value is None:
        return None
    ids = _SPACE.sub("", value)
    return ids.strip("<>")
