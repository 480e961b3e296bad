"""``lambdesk mail inspect FILE...``: what the inbound pipeline makes of raw mail files, one JSON line each."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from chalicelib.mail.model import Address, Bounce, Classification, ParsedMail


def inspect_files(paths: list[str]) -> Iterator[dict[str, Any]]:
    """One object per path, in the order given; a file that cannot be read or parsed gives ``error``."""
    from chalicelib.mail.classify import classify
    from chalicelib.mail.errors import UnparseableMail
    from chalicelib.mail.parse import parse

    for path in paths:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
            mail = parse(raw)
        except OSError as exc:
            yield {"file": path, "error": _error(exc)}
            continue
        except UnparseableMail as exc:  # nothing to parse, or over a parsing limit (chalicelib/mail/limits.py)
            yield {"file": path, "error": _error(exc), "reason": exc.reason}
            continue
        yield {"file": path, **describe(mail, classify(mail))}


def describe(mail: ParsedMail, classification: Classification) -> dict[str, Any]:
    return {
        "from": _address(mail.from_),
        "to": [_address(a) for a in mail.to],
        "cc": [_address(a) for a in mail.cc],
        "reply_to": [_address(a) for a in mail.reply_to],
        "subject": mail.subject,
        "date": mail.date.isoformat() if mail.date else None,
        "message_id": mail.message_id,
        "in_reply_to": mail.in_reply_to,
        "references": list(mail.references),
        "text": mail.text,
        "html": mail.html,
        "visible_text": mail.visible_text,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size, "inline": a.inline}
            for a in mail.attachments
        ],
        "classification": {
            "auto_reply": classification.auto_reply,
            "bulk": classification.bulk,
            "complaint": classification.complaint,
            "bounce": _bounce(classification.bounce),
        },
        "defects": list(mail.defects),
    }


def _address(address: Address | None) -> dict[str, str] | None:
    return None if address is None else {"name": address.name, "email": address.email}


def _bounce(bounce: Bounce | None) -> dict[str, Any] | None:
    if bounce is None:
        return None
    return {"permanent": bounce.permanent, "recipients": list(bounce.recipients), "status": bounce.status}


def _error(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc.__class__.__name__}"
    return f"unparseable: {exc}"


def main(paths: Iterable[str]) -> int:
    """Print one JSON object per file; exit 1 when any file gave an error."""
    failed = False
    for item in inspect_files(list(paths)):
        failed = failed or "error" in item
        sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
