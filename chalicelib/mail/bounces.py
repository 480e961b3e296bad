"""Delivery failure reports: is this mail a bounce, which recipients failed, for good or for now.

RFC 3464 reports (``multipart/report; report-type=delivery-status``) are read directly. The many MTAs that
send free-form bounces are left to flufl.bounce (Mailman's detectors), asked only once the mail looks like a
bounce (a mailer-daemon or postmaster sender, a null return path, a failure subject), since its heuristics
assume a bounce.
"""

from __future__ import annotations

import re
from email.message import Message

from chalicelib.mail.errors import EMAIL_ERRORS
from chalicelib.mail.model import Bounce, ParsedMail

_DAEMON_SENDER = re.compile(
    r"^(?:mailer[-_]?daemon|mdaemon|mail[-_]?delivery[-_]?(?:system|subsystem)?|ndr|"
    r"bounces?|returned[-_]?mail|mail[-_]?administrator|system[-_]?administrator)$",
    re.IGNORECASE,
)
_POSTMASTER = re.compile(r"^post[-_.]?master", re.IGNORECASE)  # "postmaster", "post_master" (Verizon)
_LOCAL_PART = re.compile(r"([^\s<>\"@,;:]+)(?:@|>|\s*$)")
_DAEMON_NAME = re.compile(r"mail delivery|mailer[- ]daemon|delivery subsystem", re.IGNORECASE)
_FAILURE_SUBJECT = re.compile(
    r"undeliver|delivery (?:status )?(?:notification|failure|failed|problem|report)|failure (?:notice|delivery)|"
    r"returned mail|mail delivery failed|could not be delivered|not (?:yet )?been delivered|delivery warning|"
    r"message delayed|delivery delayed|non[- ]?delivery|nicht zustellbar|unzustellbar|non remis|no entregado|"
    r"non recapitabile|onbestelbaar|mail system error|delivery has failed|warning: message|undelivered",
    re.IGNORECASE,
)
_TEMPORARY_SUBJECT = re.compile(r"\bdelay|warning|not yet been delivered|will retry", re.IGNORECASE)
_STATUS = re.compile(r"(?:\b[245]\d\d[\s-]+|#|\bstatus:\s*|\()([245]\.\d{1,3}\.\d{1,3})\b", re.IGNORECASE)
# Action field values (RFC 3464 and what MTAs write instead) -> is the failure final?
_FAILED_ACTIONS = {"failed": True, "failure": True, "fail": True, "error": True, "delayed": False, "deferred": False}
_SUCCESS_ACTIONS = {"delivered", "relayed", "expanded", "deliverable"}  # deliverable: a VRFY-like report
# What only MTAs' failure notices say (a postmaster sender or a null return path needs one of these when the subject
# says nothing, as Apache James' "Re: <subject>" notices from post_master@ do): James' AbstractNotify
# ("Error message below:" ... "Message details:"), Exim, Postfix, qmail, sendmail, Exchange.
_NOTICE_TEXT = re.compile(
    r"^Error message below:\s*$(?s:.*)^Message details:\s*$|"
    r"could not be delivered to one or more (?:of its )?recipients|"
    r"I'm sorry to (?:have to )?inform you that (?:your|the) message|"
    r"The following addresses had permanent fatal errors|"
    r"Delivery to the following recipients? failed|Delivery has failed to these recipients|"
    r"I (?:wasn't|was not) able to deliver your message|This is the mail system at host",
    re.IGNORECASE | re.MULTILINE,
)
_NOTICE_HEAD_CHARS = 8000
# RFC 3463 3.3: X.2.2 "Mailbox full" "should be used as a persistent transient failure", whatever the class
# digit; SES reports it as a Transient bounce (subtype MailboxFull). Said in words when no status is given.
_FULL_STATUS = re.compile(r"^[45]\.2\.2$")
_MAILBOX_FULL = re.compile(
    r"mailbox (?:is )?full|mailbox (?:size|storage) (?:limit|quota)|over ?quota|quota (?:exceeded|exceeds)|"
    r"exceeds? (?:the )?(?:allowed|storage|mailbox) (?:size|quota|limit)|insufficient (?:disk )?(?:space|storage)|"
    r"disk quota|mailbox (?:has )?exceeded",
    re.IGNORECASE,
)


def detect(mail: ParsedMail, message: Message | None = None) -> Bounce | None:
    """The bounce this mail reports, or None when it is no delivery failure report."""
    if message is None:
        message = compat_message(mail.raw)
    has_report, report = _delivery_report(message)
    if has_report:  # RFC 3464 says it all; a report of deliveries only is no bounce
        found = report if report is None or report.recipients else _merge(report, message)
    else:
        found = _free_form(mail, message)
    if found is not None and not found.recipients:
        found = Bounce(found.permanent, returned_recipients(message), found.status)
    if found is not None and found.permanent and _mailbox_full(message, found.status):
        return Bounce(False, found.recipients, found.status)
    return found


def _free_form(mail: ParsedMail, message: Message) -> Bounce | None:
    """Bounces without an RFC 3464 report: flufl.bounce's MTA detectors, asked only when the mail looks like
    a bounce."""
    strong, weak = signals(mail)
    if not (strong or weak):
        return None
    found = _flufl(message) or ((), ())
    temporary, permanent = found
    if (
        not strong
        and not (temporary or permanent)
        and not _FAILURE_SUBJECT.search(mail.subject)
        and not _NOTICE_TEXT.search(_head_text(message))
    ):
        return None  # a postmaster or a null return path alone, without a notice's words: not enough
    status = _status_in_text(message)
    success = (status or "").startswith("2")  # a 2.x.x status is never a permanent failure
    if temporary or permanent:
        return Bounce(permanent=bool(permanent) and not success, recipients=permanent or temporary, status=status)
    failed = tuple(
        sorted({a.strip() for v in mail.header_all("X-Failed-Recipients") for a in v.split(",") if a.strip()})
    )
    temporary_hint = success or (status or "").startswith("4") or _TEMPORARY_SUBJECT.search(mail.subject) is not None
    return Bounce(permanent=not temporary_hint, recipients=failed, status=status)


def _head_text(message: Message) -> str:
    """The start of the notice's first text part: what an MTA writes above the returned original."""
    texts = _texts(message)
    return texts[0][:_NOTICE_HEAD_CHARS] if texts else ""


def _mailbox_full(message: Message, status: str | None) -> bool:
    """A full mailbox (X.2.2, or said in words without a status naming another failure) is not final."""
    if status:
        return bool(_FULL_STATUS.match(status))
    return bool(_MAILBOX_FULL.search(_head_text(message)))


def compat_message(raw: bytes) -> Message:
    """flufl.bounce walks ``email.message.Message`` objects of the compat32 policy (within the parse limits)."""
    from email import policy

    from chalicelib.mail.limits import message_from_bytes

    return message_from_bytes(raw, policy.compat32)


def signals(mail: ParsedMail) -> tuple[bool, bool]:
    """(strong, weak): a mailer-daemon sender or X-Failed-Recipients is strong; a postmaster sender, a null
    return path or a failure subject is weak and needs detected recipients or a failure subject besides."""
    local, name = _sender(mail)
    strong = (
        mail.header("X-Failed-Recipients") is not None
        or bool(_DAEMON_SENDER.match(local))
        or bool(_DAEMON_NAME.search(name))
    )
    weak = bool(_POSTMASTER.match(local)) or mail.return_path == "" or bool(_FAILURE_SUBJECT.search(mail.subject))
    return strong, weak


def _sender(mail: ParsedMail) -> tuple[str, str]:
    """(local part, display name) of the sender; read from the raw header when it is no address, such as a
    bare ``MAILER-DAEMON``."""
    if mail.from_ is not None and mail.from_.email:
        return mail.from_.email.split("@", 1)[0].strip('"'), mail.from_.name
    raw = mail.header("From") or ""
    match = _LOCAL_PART.search(raw)
    return (match.group(1).strip('"') if match else ""), raw


def _delivery_report(message: Message) -> tuple[bool, Bounce | None]:
    """Per-recipient fields of ``message/delivery-status`` parts: Action failed or delayed, and Status.

    A report whose recipients were all delivered, relayed or expanded is no bounce."""
    failed: list[tuple[str, bool, str | None]] = []
    actions: set[str] = set()
    seen_report = False
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        seen_report = True
        for block in _blocks(part):
            action = str(block.get("Action", "")).strip().lower().split("(", 1)[0].strip()  # "failed (reason)"
            recipient = _recipient(block)
            status = _status_code(str(block.get("Status", "")))
            if status and status.startswith("2"):
                action = "delivered"  # whatever the Action says, a 2.x.x status reports a success
            actions.add(action)
            if action not in _FAILED_ACTIONS and action not in _SUCCESS_ACTIONS and status:
                action = "failed" if status.startswith("5") else "delayed" if status.startswith("4") else action
            if action in _FAILED_ACTIONS and recipient:
                # a 4.x.x status (RFC 3463) or a full mailbox (X.2.2) is transient even when the MTA gave up: not final
                is_final = _FAILED_ACTIONS[action] and not _transient(status)
                failed.append((recipient, is_final, status))
    if not seen_report:
        return False, None
    actions.discard("")  # the per-message block has no Action
    if not failed and actions and actions <= _SUCCESS_ACTIONS:
        return True, None
    if not failed:
        return True, Bounce(permanent=True, recipients=(), status=None)
    final = [f for f in failed if f[1]]
    chosen = final or failed
    recipients = tuple(sorted(dict.fromkeys(f[0] for f in chosen)))
    return True, Bounce(permanent=bool(final), recipients=recipients, status=chosen[0][2])


def _transient(status: str | None) -> bool:
    return bool(status) and (str(status).startswith("4") or bool(_FULL_STATUS.match(str(status))))


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    if isinstance(payload, str):  # an unparsed report: parse its header blocks
        import email

        return [email.message_from_string(chunk) for chunk in re.split(r"\r?\n\s*\r?\n", payload) if chunk.strip()]
    return []


def _recipient(block: Message) -> str:
    for field in ("Original-Recipient", "Final-Recipient"):  # the address we sent to, before any aliasing
        value = str(block.get(field, "") or "")
        if value:
            address = value.split(";", 1)[-1].strip().strip("<>")
            if address:
                return address
    return ""


def _status_code(value: str) -> str | None:
    match = re.search(r"[245]\.\d{1,3}\.\d{1,3}", value)
    return match.group(0) if match else None


def _status_in_text(message: Message) -> str | None:
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        try:
            payload = part.get_payload(decode=True)
        except EMAIL_ERRORS:
            continue
        if isinstance(payload, bytes):
            match = _STATUS.search(payload.decode("latin-1"))
            if match:
                return match.group(1)
    return None


def _flufl(message: Message) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """flufl.bounce's (temporary, permanent) failed recipients; None when its detectors choke."""
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(message)
    except EMAIL_ERRORS:
        return None
    return _addresses(temporary), _addresses(permanent)


def _addresses(found: object) -> tuple[str, ...]:
    out = []
    for item in found or ():  # type: ignore[attr-defined]
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        if text.strip():
            out.append(text.strip())
    return tuple(sorted(set(out)))


def _merge(report: Bounce, message: Message) -> Bounce:
    found = _flufl(message)
    if found is None:
        return report
    temporary, permanent = found
    recipients = permanent or temporary
    if not recipients:
        return report
    return Bounce(permanent=report.permanent and bool(permanent), recipients=recipients, status=report.status)


# -- the failed recipient when the report names none ---------------------------------------------------------

_TEXT_RECIPIENT = re.compile(
    r"(?:RCPT TO:\s*|Recipient:\s*|(?:Final|Original)-Recipient:\s*rfc822;\s*)"
    r"<?([^\s<>@;,\"]+@[^\s<>;,\"]+?)>?(?=[\s;,:]|$)",
    re.IGNORECASE | re.MULTILINE,
)
# Postfix and qmail notices start each failed recipient's paragraph with "<address>:" at the start of a line.
_NOTICE_RECIPIENT = re.compile(r"^<([^\s<>@;,\"]+@[^\s<>;,\"]+)>:(?=\s|$)", re.MULTILINE)
_LIST_HEADERS = re.compile(r"^(?:List-Id|X-BeenThere|X-Mailman-Version):|^Precedence:\s*(?:list|bulk)", re.I | re.M)
_ORIGINAL_TO = re.compile(r"^(?:To|Cc):[ \t]*(.+)$", re.IGNORECASE | re.MULTILINE)
# Set by the receiving side before it gave up: the one address the failed delivery was for.
_ORIGINAL_RECIPIENT = re.compile(r"^(?:X-Original-To|Original-Recipient|X-Envelope-To):[ \t]*(.+)$", re.I | re.M)
# What MTAs write above an original they quote inline (Exim, qmail, Postfix, Lotus, sendmail and others).
_INLINE_ORIGINAL = re.compile(
    r"original message|this is a copy of the message|below this line is a copy of the message|"
    r"unsent message below|returned message|message headers follow|original message follows",
    re.IGNORECASE,
)


def returned_recipients(message: Message) -> tuple[str, ...]:
    """The failed recipient named in the notice's text ("RCPT TO:<...>", "Recipient: <...>", "<...>: host ... said"),
    else the one addressee of the returned original (its headers attached, or quoted below the notice): a bounce
    naming no recipient would suppress nothing."""
    texts = _texts(message)
    named = {m.group(1) for text in texts for rx in (_TEXT_RECIPIENT, _NOTICE_RECIPIENT) for m in rx.finditer(text)}
    if named:
        return tuple(sorted(named))
    addressees = _original_addressees(message, texts)
    return addressees if len(addressees) == 1 else ()


def _texts(message: Message) -> list[str]:
    out = []
    for part in message.walk():
        if part.get_content_maintype() != "text" or part.get_content_type() == "text/rfc822-headers":
            continue
        try:
            payload = part.get_payload(decode=True)
        except EMAIL_ERRORS:
            continue
        if isinstance(payload, bytes):
            out.append(payload.decode("utf-8", "replace"))
    return out


def _original_addressees(message: Message, texts: list[str]) -> tuple[str, ...]:
    """To and Cc of the returned original, unless it went through a mailing list (its To is the list then,
    not the recipient whose delivery failed)."""
    from email.utils import getaddresses

    headers = _returned_headers(message, texts)
    if not headers or _LIST_HEADERS.search(headers):
        return ()
    values = [m.group(1).split(";", 1)[-1] for m in _ORIGINAL_RECIPIENT.finditer(headers)]
    values = values or [m.group(1) for m in _ORIGINAL_TO.finditer(headers)]
    return tuple(sorted({a.lower() for _, a in getaddresses(values) if "@" in a}))


def _returned_headers(message: Message, texts: list[str]) -> str:
    for part in message.walk():
        ctype = part.get_content_type()
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if ctype in ("message/rfc822", "message/global") and isinstance(inner, Message):
            return "".join(f"{k}: {v}\n" for k, v in inner.items())
        if ctype == "text/rfc822-headers" and isinstance(payload, str):
            return payload
    for text in texts:  # the original quoted inline under "----- Original message -----" and the like
        marker = _INLINE_ORIGINAL.search(text)
        if marker:
            return text[marker.end() :]
    return ""
