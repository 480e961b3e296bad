"""SES bounce, complaint and delivery notifications that arrive as mail rather than through SNS to SQS.

An SNS topic with an e-mail subscription (or a forwarding rule) turns SES's JSON notification into the text of
a mail from ``no-reply@sns.amazonaws.com``, sometimes wrapped in the SNS envelope (``{"Type": "Notification",
"Message": "<the SES JSON as a string>"}``). The JSON is read with ``strict=False``: mail transport may have
folded a long string across lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.mail.model import ParsedMail

_SNS_SENDER_DOMAINS = ("sns.amazonaws.com", "amazonses.com")


@dataclass(frozen=True)
class SesNotice:
    kind: str  # "Bounce", "Complaint", "Delivery" (or another SES notification type)
    permanent: bool
    recipients: tuple[str, ...]
    status: str | None


def notice_in(mail: ParsedMail) -> SesNotice | None:
    """The SES notification this mail carries, if it is one."""
    sender = (mail.from_.email if mail.from_ else "").lower()
    from_sns = mail.header("x-amz-sns-message-id") is not None or sender.endswith(_SNS_SENDER_DOMAINS)
    if not from_sns or "notificationType" not in mail.text:
        return None
    body = _json_object(mail.text)
    if body is not None and isinstance(body.get("Message"), str):  # the SNS envelope
        body = _json_object(body["Message"])
    if body is None:
        return None
    return _notice(body)


def _json_object(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder(strict=False).raw_decode(text[start:])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _notice(body: dict[str, Any]) -> SesNotice | None:
    kind = str(body.get("notificationType") or body.get("eventType") or "")
    if not kind:
        return None
    if kind == "Bounce":
        bounce = body.get("bounce") or {}
        listed = _listed(bounce.get("bouncedRecipients"))
        status = next((str(r["status"]) for r in listed if r.get("status")), None)
        return SesNotice(kind, bounce.get("bounceType") == "Permanent", _addresses(listed), status)
    if kind == "Complaint":
        listed = _listed((body.get("complaint") or {}).get("complainedRecipients"))
        return SesNotice(kind, False, _addresses(listed), None)
    return SesNotice(kind, False, (), None)


def _listed(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _addresses(listed: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted({str(r["emailAddress"]) for r in listed if r.get("emailAddress")}))
