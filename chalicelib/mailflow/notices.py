"""The SES receipt notification that announces an inbound mail (S3 action), as it reaches the queue."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class InvalidNotice(ValueError):
    """The queue message is not an SES receipt notification with an S3 action."""


@dataclass(frozen=True)
class InboundNotice:
    bucket: str
    key: str
    ses_message_id: str
    recipients: tuple[str, ...] = ()
    # SES's verdicts as it sends them: {"spamVerdict": {"status": "PASS"}, "virusVerdict": {...}}
    verdicts: dict[str, Any] = field(default_factory=dict)


def parse_notice(body: str) -> InboundNotice:
    try:
        message = json.loads(body)
        if isinstance(message, dict) and message.get("Type") == "Notification":  # SNS envelope (not raw)
            message = json.loads(message["Message"])
        receipt = message["receipt"]
        action = receipt["action"]
        if action.get("type") != "S3":
            raise InvalidNotice(f"receipt action {action.get('type')!r} is not S3")
        mail = message.get("mail", {})
        return InboundNotice(
            bucket=str(action["bucketName"]),
            key=str(action["objectKey"]),
            ses_message_id=str(mail.get("messageId", action["objectKey"])),
            recipients=tuple(str(r).lower() for r in receipt.get("recipients", mail.get("destination", []))),
            verdicts={k: v for k, v in receipt.items() if k.endswith("Verdict")},
        )
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, InvalidNotice):
            raise
        raise InvalidNotice(f"not an SES receipt notification: {exc!r}") from exc


def notice_body(bucket: str, key: str, message_id: str, recipients: list[str], verdict: str = "PASS") -> str:
    """The notification SES publishes for a received mail (the local stack and replays send this)."""
    return json.dumps(
        {
            "notificationType": "Received",
            "mail": {"messageId": message_id, "destination": recipients},
            "receipt": {
                "recipients": recipients,
                "spamVerdict": {"status": verdict},
                "virusVerdict": {"status": verdict},
                "action": {"type": "S3", "bucketName": bucket, "objectKey": key},
            },
        }
    )
