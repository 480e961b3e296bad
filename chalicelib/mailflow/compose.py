"""Outbound mail as MIME: headers, subjects with the ticket token, text and HTML parts, attachments,
threading chains, and the bodies of automatic mail (Jinja2 templates in ``templates/``).

Everything here is pure (no I/O but reading the templates) so the unit tests can parse the result back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.domain.mailthread import MAX_REFERENCES, inbound_ids

if TYPE_CHECKING:
    from email.message import MIMEPart

    from jinja2 import Environment

    from chalicelib.domain.timeline import TimelineEntry

TEMPLATES = Path(__file__).resolve().parent / "templates"
NO_SUBJECT = "(no subject)"

_TOKEN = re.compile(r"\[#\s*\d{1,12}\s*\]\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Mailbox:
    email: str
    name: str = ""


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutboundMail:
    sender: Mailbox
    reply_to: str
    to: tuple[Mailbox, ...]
    subject: str
    text: str
    html: str
    message_id: str  # without angle brackets, like every id the repositories hold
    date: datetime
    cc: tuple[Mailbox, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    # RFC 3834: "auto-replied" (answers a person), "auto-generated" (notifications); None for human mail.
    auto_submitted: str | None = None
    attachments: tuple[MailAttachment, ...] = ()
    extra_headers: tuple[tuple[str, str], ...] = ()


def compose(mail: OutboundMail) -> bytes:
    """The raw message (CRLF, 7-bit clean: quoted-printable text, base64 attachments, RFC 2047 headers)."""
    from email import policy
    from email.message import MIMEPart
    from email.utils import format_datetime

    # MIMEPart, not EmailMessage: its subparts would each carry a MIME-Version header.
    msg = MIMEPart(policy=policy.SMTP)
    msg["MIME-Version"] = "1.0"
    msg["From"] = _address(mail.sender)
    if mail.to:
        msg["To"] = [_address(m) for m in mail.to]
    if mail.cc:
        msg["Cc"] = [_address(m) for m in mail.cc]
    msg["Reply-To"] = _address(Mailbox(mail.reply_to, mail.sender.name))
    msg["Subject"] = one_line(mail.subject) or NO_SUBJECT
    msg["Date"] = format_datetime(mail.date)
    msg["Message-ID"] = f"<{mail.message_id}>"
    if mail.in_reply_to:
        msg["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        msg["References"] = " ".join(f"<{ref}>" for ref in mail.references)
    if mail.auto_submitted:
        msg["Auto-Submitted"] = mail.auto_submitted
        # Exchange and Outlook: no out-of-office, read receipts or other automatic answers to this mail.
        msg["X-Auto-Response-Suppress"] = "All"
    for name, value in mail.extra_headers:
        msg[name] = one_line(value)
    _body(msg, mail)
    return msg.as_bytes()


def _body(msg: MIMEPart, mail: OutboundMail) -> None:
    msg.set_content(_lines(mail.text), subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(_lines(mail.html), subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if not maintype or not subtype or "/" in subtype:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=one_line(attachment.filename) or "attachment"
        )


def _address(mailbox: Mailbox) -> Any:
    from email.headerregistry import Address

    return Address(display_name=one_line(mailbox.name), addr_spec=mailbox.email)


def mailbox(email: str | None, name: str = "") -> Mailbox | None:
    """A deliverable mailbox, lower-cased, the domain in IDNA (ASCII) form; None for a malformed address."""
    from email.errors import MessageError
    from email.headerregistry import Address

    candidate = (email or "").strip().lower()
    local, _, domain = candidate.rpartition("@")
    if not local or not domain or not local.isascii():
        return None
    try:
        domain = domain.encode("idna").decode("ascii")
        parsed = Address(addr_spec=f"{local}@{domain}")
    except (ValueError, IndexError, MessageError, UnicodeError):
        return None
    if not parsed.domain or "." not in parsed.domain:
        return None
    return Mailbox(parsed.addr_spec, one_line(name))


def _lines(text: str) -> str:
    """Normalised line endings and a final newline (the generator writes CRLF)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def one_line(value: str | None) -> str:
    """A header value: control characters (CR and LF included, no header injection) become one space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


# -- subjects and ids -----------------------------------------------------------------------------


def ticket_subject(subject: str | None, number: int, reply: bool = True, label: str = "") -> str:
    """``Re: [#1234] Subject``: reply prefixes and every ticket token in the subject replaced by this ticket's
    (first, where the inbound side looks for it)."""
    from chalicelib.mail.subjects import normalise_subject

    base = _TOKEN.sub("", normalise_subject(one_line(subject))).strip() or NO_SUBJECT
    return f"{'Re: ' if reply else ''}[#{number}] {label}{base}"


def own_message_id(event_id: str, domain: str) -> str:
    """The Message-ID Lambdesk gives the mail of one event (stable across retries)."""
    return f"lambdesk-{event_id.lower()}@{domain}"


def ses_message_ids(provider_id: str, region: str) -> tuple[str, ...]:
    """The Message-ID SES writes into the mail it sends: ``<id>@email.amazonses.com`` in us-east-1,
    ``<id>@<region>.amazonses.com`` elsewhere. The first is the one recipients see."""
    regional = f"{provider_id}@{region}.amazonses.com"
    classic = f"{provider_id}@email.amazonses.com"
    return (classic,) if region == "us-east-1" else (regional, classic)


def thread(
    entries: Sequence[TimelineEntry], sent_id: Callable[[TimelineEntry], str | None], limit: int = MAX_REFERENCES
) -> tuple[str | None, tuple[str, ...]]:
    """``(In-Reply-To, References)`` for a mail answering the conversation in ``entries`` (oldest first).

    Inbound mail entries carry ``data.message_id`` and ``data.references``; ``sent_id`` gives the Message-ID
    of the mail Lambdesk sent for an entry (None if none). Walking back from the newest entry, sent mail is
    looked up only until the newest inbound mail: that mail's References already hold the earlier ones.
    """
    newest_first: list[str] = []
    seen_inbound = False
    for entry in reversed(entries):
        if len(newest_first) >= limit:
            break
        ids = inbound_ids(entry)  # notes: mail the customer never saw
        if ids:
            newest_first.extend(ids)
            seen_inbound = True
        elif not seen_inbound:
            sent = sent_id(entry)
            if sent:
                newest_first.append(sent)
    unique = list(dict.fromkeys(newest_first))[:limit]
    return (unique[0] if unique else None), tuple(reversed(unique))


def assignee_of(event: dict[str, Any]) -> str | None:
    """The new assignee of a ``ticket.assigned`` event: in ``data`` (at creation) or in its changes."""
    data = event.get("data") or {}
    if data.get("assignee_id"):
        return str(data["assignee_id"])
    for change in event.get("changes") or []:
        if change.get("field") == "assignee_id" and change.get("new"):
            return str(change["new"])
    return None


# -- bodies ---------------------------------------------------------------------------------------


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept."""
    return "<br>\n".join(html.escape(line) for line in _lines(text).rstrip("\n").split("\n"))


def latest_customer_text(entries: Sequence[TimelineEntry], limit: int) -> str:
    """The newest public message of a customer, cut to ``limit`` characters (for notifications)."""
    from chalicelib.domain.timeline import ActorKind, EntryKind

    for entry in reversed(entries):
        if entry.kind is EntryKind.MESSAGE and entry.author.kind is ActorKind.CUSTOMER and entry.body_text:
            text = entry.body_text.strip()
            return text if len(text) <= limit else text[:limit].rstrip() + " ..."
    return ""


@cache
def templates() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> tuple[str, str]:
    """``(text, html)`` from ``<template>.txt`` and ``<template>.html``; the HTML one escapes every value."""
    env = templates()
    text = env.get_template(f"{template}.txt").render(**context)
    return text, env.get_template(f"{template}.html").render(**context)


def reply_bodies(body_text: str | None, body_html: str | None, context: dict[str, Any]) -> tuple[str, str]:
    """An agent's reply: its text as written, its HTML sanitised (or the text as HTML), in the layout."""
    from markupsafe import Markup

    from chalicelib.mail.html import html_to_text, sanitise

    text = body_text if body_text is not None else html_to_text(body_html or "")
    content = sanitise(body_html) if body_html else text_to_html(text)
    # Markup: already safe (sanitised by nh3, or escaped above), so the template does not escape it again.
    page = templates().get_template("reply.html").render(content=Markup(content), **context)  # noqa: S704
    return text, page
