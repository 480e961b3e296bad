"""``lambdesk mail outbox``: every mail Lambdesk sent, from the copies in the mail bucket
(``sent/<ticket id>/<event id>.eml``), oldest first, one JSON object per line."""

from __future__ import annotations

import json
import sys
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from chalicelib.core.resources import SENT_MAIL_PREFIX
from chalicelib.storage.objects import ObjectStore


def outbox(store: ObjectStore, bucket: str, ticket_id: str | None = None) -> list[dict[str, Any]]:
    """The sent mail in the bucket (of one ticket when given), in the order it was sent (event ids sort by time)."""
    prefix = f"{SENT_MAIL_PREFIX}{ticket_id}/" if ticket_id else SENT_MAIL_PREFIX
    keys = [k for k in store.keys(bucket, prefix) if k.endswith(".eml")]
    keys.sort(key=lambda k: (k.rsplit("/", 1)[-1], k))
    return [describe(key, store.get(bucket, key)) for key in keys]


def describe(key: str, raw: bytes) -> dict[str, Any]:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    parts = key[len(SENT_MAIL_PREFIX) :].split("/")
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return {
        "key": key,
        "ticket_id": parts[0] if len(parts) > 1 else None,
        "event_id": parts[-1].removesuffix(".eml"),
        "from": str(msg.get("From", "")),
        "to": _addresses(msg, "To"),
        "cc": _addresses(msg, "Cc"),
        "reply_to": str(msg.get("Reply-To", "")),
        "subject": str(msg.get("Subject", "")),
        "date": str(msg.get("Date", "")),
        "message_id": str(msg.get("Message-ID", "")),
        "in_reply_to": str(msg.get("In-Reply-To", "")) or None,
        "references": str(msg.get("References", "")).split(),
        "auto_submitted": str(msg.get("Auto-Submitted", "")) or None,
        "headers": {name: str(value) for name, value in msg.items()},
        "text": _content(text),
        "html": _content(html),
        "attachments": [
            {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(part.get_payload(decode=True) or b""),
            }
            for part in msg.iter_attachments()
            if isinstance(part, EmailMessage)
        ],
    }


def _content(part: object) -> str | None:
    """A text part as Python writes text (the wire has CRLF line ends)."""
    if not isinstance(part, EmailMessage):
        return None
    return str(part.get_content()).replace("\r\n", "\n")


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    from email.utils import getaddresses

    return [address for _, address in getaddresses([str(v) for v in msg.get_all(name, [])]) if address]


def main() -> int:
    """Print the local stack's outbox as JSON lines (the stack must be running: ``make run``)."""
    from chalicelib.core import clients, settings
    from chalicelib.storage.objects import S3ObjectStore
    from devtools.localenv import LocalEnv

    LocalEnv.load().apply()
    settings.reset()
    clients.reset()
    for item in outbox(S3ObjectStore(), settings.get_settings().bucket):
        sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
