"""SES bounce and complaint notifications -> the suppression list.

SES publishes them to the feedback topic (SNS -> SQS ``feedback``): as identity notifications
(``notificationType``) or as configuration-set events (``eventType``), the queue body either the
notification itself (raw delivery) or an SNS envelope around it. Both shapes are read.

- A permanent bounce suppresses each bounced recipient for 30 days: automatic mail and replies skip it.
- A transient (mailbox full, message too large) or undetermined bounce suppresses nothing.
- A complaint suppresses each complaining recipient for a year, except feedback of type ``not-spam``.

Suppressions run from the moment SES reports (the notification's timestamp), so a redelivered notification
writes nothing new, and they only ever get longer: a bounce does not shorten a complaint's year. Deliveries
and other types are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.storage.ports import MailRepository, Suppression

BOUNCE_SUPPRESSION = timedelta(days=30)
COMPLAINT_SUPPRESSION = timedelta(days=365)


class MalformedFeedback(ValueError):
    """Not an SES notification: the record fails and, after the retries, waits in the dead-letter queue."""


@dataclass(frozen=True)
class Feedback:
    kind: str  # Bounce, Complaint, Delivery, ...
    ses_message_id: str
    suppressions: tuple[Suppression, ...] = ()
    detail: str = ""


def notification(body: str) -> dict[str, Any]:
    try:
        message = json.loads(body)
        if isinstance(message, dict) and message.get("Type") == "Notification":  # SNS envelope (not raw)
            message = json.loads(message["Message"])
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedFeedback(f"not JSON from SES: {exc!r}") from exc
    if not isinstance(message, dict) or not (message.get("notificationType") or message.get("eventType")):
        raise MalformedFeedback("no notificationType or eventType")
    return message


def read(message: dict[str, Any], now: datetime) -> Feedback:
    kind = str(message.get("notificationType") or message.get("eventType"))
    mail_id = str((message.get("mail") or {}).get("messageId", ""))
    if kind == "Bounce":
        bounce = message.get("bounce") or {}
        bounce_type, sub_type = bounce.get("bounceType", ""), bounce.get("bounceSubType", "")
        detail = f"{bounce_type}/{sub_type}"
        if bounce_type != "Permanent":
            return Feedback(kind, mail_id, detail=detail)
        until = _reported_at(bounce, now) + BOUNCE_SUPPRESSION
        found = [
            Suppression(address, _reason("bounce", detail, r.get("status")), until)
            for r in bounce.get("bouncedRecipients") or []
            if (address := _address(r))
        ]
        return Feedback(kind, mail_id, tuple(found), detail)
    if kind == "Complaint":
        complaint = message.get("complaint") or {}
        feedback_type = str(complaint.get("complaintFeedbackType") or "unspecified")
        if feedback_type == "not-spam":
            return Feedback(kind, mail_id, detail=feedback_type)
        until = _reported_at(complaint, now) + COMPLAINT_SUPPRESSION
        found = [
            Suppression(address, _reason("complaint", feedback_type), until)
            for r in complaint.get("complainedRecipients") or []
            if (address := _address(r))
        ]
        return Feedback(kind, mail_id, tuple(found), feedback_type)
    return Feedback(kind, mail_id)


def apply(feedback: Feedback, repo: MailRepository) -> int:
    """Write the suppressions that extend what is there; return how many were written."""
    written = 0
    for suppression in feedback.suppressions:
        current = repo.suppression(suppression.address)
        if current is not None and current.until >= suppression.until:
            continue
        repo.suppress(suppression)
        written += 1
    return written


def _reported_at(report: dict[str, Any], now: datetime) -> datetime:
    """When SES reported it (``2026-03-02T09:00:01.000Z``); now if the timestamp is missing or malformed."""
    try:
        reported = datetime.fromisoformat(str(report["timestamp"]))
    except (KeyError, ValueError):
        return now
    return reported if reported.tzinfo else reported.replace(tzinfo=now.tzinfo)


def _address(recipient: Any) -> str | None:
    if not isinstance(recipient, dict):
        return None
    address = parseaddr(str(recipient.get("emailAddress") or ""))[1].strip().lower()
    return address if "@" in address else None


def _reason(what: str, detail: str, status: object = None) -> str:
    return f"{what}:{detail}" + (f":{status}" if status else "")


def feedback_record(record: Any, repo: MailRepository, clock: Clock = utcnow) -> Feedback:
    from chalicelib.core import observability

    feedback = read(notification(record.body), clock())
    log = observability.logger()
    log.set_correlation_id(feedback.ses_message_id)
    written = apply(feedback, repo)
    log.info(
        "mail feedback",
        extra={"kind": feedback.kind, "detail": feedback.detail, "suppressed": written},
    )
    if feedback.kind in ("Bounce", "Complaint"):
        observability.count("MailFeedback", kind=feedback.kind, suppressing="yes" if feedback.suppressions else "no")
    return feedback


def feedback_batch(
    repo: MailRepository, raw_event: dict[str, Any], context: Any = None, clock: Clock = utcnow
) -> dict[str, Any]:
    from chalicelib.events.batch import sqs_batch

    return sqs_batch(raw_event, lambda record: feedback_record(record, repo, clock), context)
