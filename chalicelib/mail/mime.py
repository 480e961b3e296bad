"""The MIME tree of a message: which parts are the body (text, HTML) and which are attachments."""

from __future__ import annotations

import contextlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

from chalicelib.mail import limits
from chalicelib.mail.charsets import decode_bytes, fix_surrogates
from chalicelib.mail.errors import EMAIL_ERRORS
from chalicelib.mail.model import Attachment

_BODY_TYPES = {"text/plain", "text/html", "text/enriched"}


@dataclass
class Decoded:
    """Bytes decoded so far, all parts together (``limits.MAX_DECODED_BYTES``)."""

    total: int = 0

    def add(self, data: bytes) -> bytes:
        self.total += len(data)
        limits.check_decoded(self.total)
        return data


@dataclass
class Parts:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    decoded: Decoded = field(default_factory=Decoded)


def collect(msg: Message) -> Parts:
    parts = Parts()
    _walk(msg, parts, related_root=True)
    return parts


def _walk(part: Message, parts: Parts, *, related_root: bool) -> None:
    ctype = _content_type(part)
    if ctype.startswith("message/"):  # forwarded mail, delivery and feedback reports: kept whole
        _attach(part, parts)
        return
    if part.is_multipart():
        _walk_children(part, ctype, parts)
        return
    if ctype.startswith("multipart/"):  # a multipart without a usable boundary: read it as text
        ctype = "text/plain"
    if ctype in _BODY_TYPES and related_root and not _is_attachment(part):
        data = _payload(part, parts)
        if not _is_binary(data):
            (parts.htmls if ctype == "text/html" else parts.texts).append(_text(part, parts, data))
            return
        _attach(part, parts, data)  # an Outlook .msg or other binary sent as text: never a body
        return
    _attach(part, parts)


def _walk_children(part: Message, ctype: str, parts: Parts) -> None:
    children = [c for c in (part.get_payload() or []) if isinstance(c, Message)]
    if ctype == "multipart/alternative":
        _alternative(children, parts)
    elif ctype == "multipart/related":
        for i, child in enumerate(children):
            _walk(child, parts, related_root=i == 0)
    elif ctype == "multipart/encrypted":
        for child in children:
            _attach(child, parts)
    else:  # mixed, report, signed, digest and anything unknown
        for child in children:
            _walk(child, parts, related_root=True)


def _alternative(children: list[Message], parts: Parts) -> None:
    """Keep the last plain and the last HTML rendering; other alternatives (calendar, AMP) are attachments."""
    best: dict[str, Parts] = {}
    for child in children:
        sub = Parts(decoded=parts.decoded)
        _walk(child, sub, related_root=True)
        parts.defects.extend(sub.defects)
        kind = "html" if sub.htmls else "text" if sub.texts else "other"
        best[kind] = sub
        if kind == "other":
            parts.attachments.extend(sub.attachments)
    for kind in ("text", "html"):
        if kind in best:
            parts.texts.extend(best[kind].texts)
            parts.htmls.extend(best[kind].htmls)
            parts.attachments.extend(best[kind].attachments)


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except EMAIL_ERRORS:
        return "application/octet-stream"


def _is_attachment(part: Message) -> bool:
    disposition = (_safe(part.get_content_disposition) or "").lower()
    return disposition == "attachment" or bool(_filename(part))


def _text(part: Message, parts: Parts, data: bytes) -> str:
    charset = _safe(part.get_content_charset)
    text, fallback = decode_bytes(data, charset)
    if fallback:
        parts.defects.append(f"CharsetFallback: {charset or 'none declared'}")
    if _safe(lambda: part.get_param("format")) == "flowed":
        text = unflow(text, delsp=str(_safe(lambda: part.get_param("delsp")) or "").lower() == "yes")
    return text


def unflow(text: str, *, delsp: bool = False) -> str:
    """RFC 3676: join the soft line breaks of format=flowed text (a line ending in a space continues)."""
    out: list[str] = []
    joining = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if joining and out:
            out[-1] += line
        else:
            out.append(line)
        joining = line.endswith(" ") and line != "-- " and not line.startswith(">")
        if joining and delsp:
            out[-1] = out[-1][:-1]
    return "\n".join(out)


def _payload(part: Message, parts: Parts) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except EMAIL_ERRORS as exc:
        parts.defects.append(f"PayloadDecodeError: {exc.__class__.__name__}")
        data = None
    if isinstance(data, bytes):
        return parts.decoded.add(data)
    raw = part.get_payload()
    if isinstance(raw, str):
        return parts.decoded.add(raw.encode("utf-8", "surrogateescape"))
    return b""


def _attach(part: Message, parts: Parts, data: bytes | None = None) -> None:
    ctype = _content_type(part)
    if ctype.startswith("message/"):
        data, name = _embedded_message(part, ctype)
        parts.decoded.add(data)
    else:
        data, name = (_payload(part, parts) if data is None else data), _filename(part)
        ctype = _binary_type(ctype, name, data)
    disposition = (_safe(part.get_content_disposition) or "").lower()
    content_id = (_safe(lambda: part.get("Content-ID")) or "").strip().strip("<>") or None
    filename = name or _default_name(ctype, content_id)
    attachment = Attachment(
        filename=filename,
        content_type=ctype,
        size=len(data),
        inline=disposition == "inline" or (disposition == "" and content_id is not None),
        content_id=content_id,
        data=data,
    )
    if ctype == "application/ms-tnef" or filename.lower() == "winmail.dat":
        from chalicelib.mail.tnef import expand

        expanded, body = expand(attachment, parts.defects)
        parts.attachments.extend(expanded)
        if body is not None:
            (parts.htmls if body[0] == "html" else parts.texts).append(body[1])
        return
    parts.attachments.append(attachment)


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: Outlook .msg, old Office documents
_BINARY_EXTENSIONS = {".msg": "application/vnd.ms-outlook", ".oft": "application/vnd.ms-outlook"}


def _is_binary(data: bytes) -> bool:
    """An OLE2 compound file, or NUL in more than one byte of ten (a stray NUL is a broken text, not a file)."""
    head = data[:4096]
    return data.startswith(_OLE2) or head.count(0) * 10 > len(head)


def _binary_type(ctype: str, filename: str, data: bytes) -> str:
    """A ``text/*`` label on a binary file (an Outlook .msg, anything with NUL bytes) is a sender's mistake."""
    if not ctype.startswith("text/"):
        return ctype
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in _BINARY_EXTENSIONS:
        return _BINARY_EXTENSIONS[extension]
    return "application/octet-stream" if _is_binary(data) else ctype


def _embedded_message(part: Message, ctype: str) -> tuple[bytes, str]:
    payload = part.get_payload()
    blocks = [m for m in payload if isinstance(m, Message)] if isinstance(payload, list) else []
    if ctype not in ("message/rfc822", "message/global") or not blocks:
        if blocks:  # message/delivery-status and friends: header blocks
            data = b"\n".join(_message_bytes(block) for block in blocks)
        else:
            data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        default = "forwarded-message.eml" if ctype.endswith(("rfc822", "global")) else f"{ctype.split('/')[1]}.txt"
        return data, _filename(part) or default
    inner = blocks[0]
    data = _message_bytes(inner)
    subject = _safe(lambda: inner.get("Subject"))
    name = _filename(part) or (f"{_plain_name(str(subject))}.eml" if subject else "forwarded-message.eml")
    return data, name


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes()
    except EMAIL_ERRORS:
        return str(message).encode("utf-8", "surrogateescape")


def _plain_name(value: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in " -_.()[]" else "_" for ch in fix_surrogates(value)).strip()
    return cleaned[:120] or "forwarded-message"


def _filename(part: Message) -> str:
    name = _safe(part.get_filename)
    if not name:
        return ""
    name = fix_surrogates(str(name))
    if "=?" in name:  # RFC 2047 words inside a quoted parameter (not allowed, sent all the same)
        from email.header import decode_header, make_header

        with contextlib.suppress(*EMAIL_ERRORS):
            name = str(make_header(decode_header(name)))
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _default_name(ctype: str, content_id: str | None) -> str:
    extension = mimetypes.guess_extension(ctype) or ".bin"
    stem = content_id.split("@", 1)[0] if content_id else "attachment"
    return f"{_plain_name(stem)}{extension}"


def _safe(call: Callable[[], object]) -> str | None:
    """A header or parameter look-up that malformed mail can make the stdlib raise on."""
    try:
        value = call()
    except EMAIL_ERRORS:
        return None
    return None if value is None else str(value)
