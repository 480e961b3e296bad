"""Complaints: someone marked our mail as spam or asked to stop getting it.

- ARF feedback reports (RFC 5965): ``multipart/report; report-type=feedback-report`` or a
  ``message/feedback-report`` part.
- Microsoft's junk mail reports (Outlook.com, Hotmail) are not ARF: a ``multipart/mixed`` mail from
  ``staff@hotmail.com`` ("complaint about message from <IP>") with the reported mail attached, whose headers
  carry ``X-HmXmrOriginalRecipient``.
- Apple Mail's unsubscribe button sends a mail marked ``X-Apple-Unsubscribe: true`` (and ``Auto-Submitted``):
  an opt-out, not an auto-reply.
"""

from __future__ import annotations

import re
from email.message import Message

from chalicelib.mail.model import ParsedMail

_MICROSOFT_SUBJECT = re.compile(r"^\s*complaint about message from\b", re.IGNORECASE)
_MICROSOFT_MARKER = "X-HmXmrOriginalRecipient"


def is_unsubscribe_request(mail: ParsedMail) -> bool:
    return (mail.header("X-Apple-Unsubscribe") or "").strip().lower() == "true"


def may_be_complaint(mail: ParsedMail) -> bool:
    """Cheap pre-check on the parsed mail: worth re-reading the raw mail for a report?"""
    return is_unsubscribe_request(mail) or bool(_MICROSOFT_SUBJECT.match(mail.subject))


def is_complaint(mail: ParsedMail, message: Message) -> bool:
    return is_unsubscribe_request(mail) or is_arf(message) or _is_microsoft_report(mail, message)


def is_arf(message: Message) -> bool:
    """An ARF feedback report (RFC 5965)."""
    report_type = str(message.get_param("report-type") or "").lower()
    if message.get_content_type() == "multipart/report" and report_type == "feedback-report":
        return True
    return any(part.get_content_type() == "message/feedback-report" for part in message.walk())


def _is_microsoft_report(mail: ParsedMail, message: Message) -> bool:
    for part in message.walk():
        if part.get_content_type() != "message/rfc822":
            continue
        if _MICROSOFT_SUBJECT.match(mail.subject):
            return True
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message) and inner.get(_MICROSOFT_MARKER) is not None:
            return True
    return False
