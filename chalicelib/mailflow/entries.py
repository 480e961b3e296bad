"""What an inbound mail writes on the ticket's timeline: its text and HTML, and the facts about it, bounded.

A DynamoDB item stops at 400 KB and a mail has no size a sender must respect: the entry keeps at most
``MAX_TEXT_BYTES`` of text and ``MAX_HTML_BYTES`` of HTML (the HTML is left out, not cut, when larger: cut
markup is broken markup), at most ``MAX_LISTED`` addresses and attachments, and says what it left out. The raw
mail in S3 keeps everything (``data.raw``), and every attachment is stored whatever the count.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from chalicelib.core.resources import ATTACHMENT_PREFIX
from chalicelib.mail.model import Classification, ParsedMail
from chalicelib.mailflow.notices import InboundNotice
from chalicelib.storage.objects import ObjectStore

MAX_TEXT_BYTES = 64 * 1024
MAX_HTML_BYTES = 128 * 1024
MAX_LISTED = 50
MAX_HEADER_CHARS = 1000
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def within_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8", "surrogatepass")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def body_text(mail: ParsedMail) -> str:
    text = mail.visible_text.strip() or mail.text.strip() or "(empty message)"
    return within_bytes(text, MAX_TEXT_BYTES)


def body_html(mail: ParsedMail) -> str | None:
    html = mail.visible_html
    if html is None or len(html.encode("utf-8", "surrogatepass")) > MAX_HTML_BYTES:
        return None
    return html


def message_data(
    notice: InboundNotice, mail: ParsedMail, kind: Classification, attachments: list[dict[str, Any]]
) -> dict[str, Any]:
    """The facts about a mail kept on its entry (threading, routing rules, outbound replies read them)."""
    addresses = {
        "to": [a.email for a in mail.to],
        "cc": [a.email for a in mail.cc],
        # The addresses SES received it for (routing rules match on them; Bcc'd aliases included).
        "recipients": list(notice.recipients),
    }
    data: dict[str, Any] = {
        "message_id": (mail.message_id or "")[:MAX_HEADER_CHARS] or None,
        "in_reply_to": (mail.in_reply_to or "")[:MAX_HEADER_CHARS] or None,
        "references": [r[:MAX_HEADER_CHARS] for r in list(mail.references)[-20:]],
        "from": mail.from_.email if mail.from_ else None,
        **{name: listed[:MAX_LISTED] for name, listed in addresses.items()},
        "subject": mail.subject[:MAX_HEADER_CHARS],
        "raw": {"bucket": notice.bucket, "key": notice.key},
        "attachments": attachments[:MAX_LISTED],
    }
    left_out = {name: len(listed) - MAX_LISTED for name, listed in addresses.items() if len(listed) > MAX_LISTED}
    if len(attachments) > MAX_LISTED:
        left_out["attachments"] = len(attachments) - MAX_LISTED
    if left_out:
        data["left_out"] = left_out  # listed in the raw mail; attachments stored all the same
    if kind.bulk:
        data["bulk"] = True
    if body_text(mail) != (mail.visible_text.strip() or mail.text.strip() or "(empty message)"):
        data["truncated"] = True
    if mail.visible_html is not None and body_html(mail) is None:
        data["html_left_out"] = True
    return data


def store_attachments(
    store: ObjectStore, notice: InboundNotice, mail: ParsedMail, max_bytes: int
) -> list[dict[str, Any]]:
    """Every attachment up to ``max_bytes`` under a key derived from the mail (a retry overwrites, never
    doubles); larger ones are listed with the reason."""
    stored = []
    for index, attachment in enumerate(mail.attachments):
        item: dict[str, Any] = {
            "filename": (attachment.filename or "")[:255] or None,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "inline": attachment.inline,
            "content_id": (attachment.content_id or "")[:MAX_HEADER_CHARS] or None,
        }
        if attachment.size <= max_bytes:
            name = _SAFE_NAME.sub("_", attachment.filename or f"part-{index}")[:100]
            key = f"{ATTACHMENT_PREFIX}{notice.ses_message_id}/{index}-{name}"
            store.put(notice.bucket, key, attachment.data, attachment.content_type)
            item["key"] = key
        else:
            item["skipped"] = f"larger than {max_bytes} bytes"
        stored.append(item)
    return stored


def fingerprint(mail: ParsedMail) -> str:
    """The same message however often it is delivered (trace headers such as Received are left out)."""
    parts = [
        mail.message_id or "",
        mail.from_.email.lower() if mail.from_ else "",
        mail.date.isoformat() if mail.date else "",
        mail.subject,
        mail.text,
        ",".join(f"{a.filename}:{a.size}" for a in mail.attachments),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
