"""Outlook's TNEF wrapper (``winmail.dat``): the attachments and body it hides, through tnefparse."""

from __future__ import annotations

import mimetypes

from chalicelib.mail.charsets import decode_bytes
from chalicelib.mail.model import Attachment

# tnefparse raises ValueError on a bad signature and struct/index errors on truncated data.
_TNEF_ERRORS = (ValueError, IndexError, KeyError, TypeError, UnicodeError, OverflowError, AttributeError)


def expand(winmail: Attachment, defects: list[str]) -> tuple[list[Attachment], tuple[str, str] | None]:
    """The files inside ``winmail.dat`` (the file itself when it cannot be read) and its body, if any."""
    import struct

    from tnefparse.tnef import TNEF  # type: ignore[import-untyped]

    try:
        tnef = TNEF(winmail.data, do_checksum=False)
        files = [_attachment(item) for item in tnef.attachments]
    except (*_TNEF_ERRORS, struct.error) as exc:
        defects.append(f"TnefDecodeError: {exc.__class__.__name__}")
        return [winmail], None
    return (files or [winmail]), _body(tnef)


def _attachment(item: object) -> Attachment:
    data = getattr(item, "data", b"") or b""
    name = ""
    for attr in ("long_filename", "name"):
        value = getattr(item, attr, None)
        value = value() if callable(value) else value
        if value:
            name = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            break
    name = name.strip("\x00 ") or "attachment.bin"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Attachment(
        filename=name, content_type=content_type, size=len(data), inline=False, content_id=None, data=data
    )


def _body(tnef: object) -> tuple[str, str] | None:
    for kind, attr in (("html", "htmlbody"), ("text", "body")):
        value = getattr(tnef, attr, None)
        if isinstance(value, bytes):
            value = decode_bytes(value, None)[0]
        if isinstance(value, str) and value.strip():
            return kind, value.strip("\x00")
    return None
