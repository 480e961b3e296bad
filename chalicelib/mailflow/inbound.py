"""Inbound mail -> tickets. Every accepted raw mail ends as exactly one of: a message on a ticket, a
system note (bounce, auto-reply) on the ticket it answers, or a quarantine record with a reason.

The write that records the outcome carries the claim ``INBOUND#<object key>``, so a redelivered
notification, or the same object announced twice, changes nothing the second time; and the claim
``MAILPRINT#<fingerprint>`` (Message-ID, sender, date, subject, body), so the same mail delivered twice by
SMTP (two objects) is one message, while two different mails that share a Message-ID are both kept. Attachments are
stored under keys derived from the object key before that write, so a retry overwrites, never doubles.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import Duplicate
from chalicelib.core.ids import new_id
from chalicelib.core.resources import ATTACHMENT_PREFIX
from chalicelib.domain.people import Customer
from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.domain.views import View, ViewKind
from chalicelib.mail.model import Classification, ParsedMail
from chalicelib.mailflow.notices import InboundNotice, parse_notice
from chalicelib.mailflow.threads import Thread, Threads
from chalicelib.storage import keys
from chalicelib.storage.objects import ObjectStore
from chalicelib.storage.ports import Key, QuarantineRecord, Suppression

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings
    from chalicelib.people.customers import CustomerService
    from chalicelib.storage.ports import DirectoryRepository, MailRepository
    from chalicelib.tickets.relations import TicketRelations
    from chalicelib.tickets.service import TicketService

# Cap the text kept in a timeline entry (DynamoDB items stop at 400 KB); the raw mail keeps everything.
MAX_BODY_CHARS = 100_000
BOUNCE_SUPPRESSION = timedelta(days=30)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Outcome:
    kind: str  # created | follow_up | message | note | duplicate | quarantined
    ticket_number: int | None = None
    detail: str = ""


class MailIngest:
    def __init__(
        self,
        writer: TicketService,
        customers: CustomerService,
        directory: DirectoryRepository,
        mail: MailRepository,
        threads: Threads,
        store: ObjectStore,
        settings: Settings,
        relations: TicketRelations,
    ) -> None:
        self.writer = writer
        self.relations = relations
        self.customers = customers
        self.directory = directory
        self.mail = mail
        self.threads = threads
        self.store = store
        self.settings = settings

    def handle(self, notice: InboundNotice) -> Outcome:
        if self.mail.ingested(notice.key) is not None:
            return Outcome("duplicate", detail=notice.key)
        raw = self.store.get(notice.bucket, notice.key)  # a missing object fails the record: retry, then DLQ
        from chalicelib.mail.classify import classify
        from chalicelib.mail.errors import UnparseableMail
        from chalicelib.mail.parse import parse

        try:
            mail = parse(raw)
        except UnparseableMail as exc:
            return self._quarantine(notice, "unparseable", str(exc))
        kind = classify(mail, notice.verdicts)
        if kind.spam or kind.virus:
            return self._quarantine(notice, "virus" if kind.virus else "spam", "SES verdict")
        if kind.complaint:
            return self._quarantine(notice, "complaint", "abuse report (ARF): review and suppress by hand")
        sender = mail.from_.email.lower() if mail.from_ and mail.from_.email else ""
        if not sender:
            return self._quarantine(notice, "no-sender", "no From address")
        if sender.endswith("@" + self.settings.support_domain):
            return self._quarantine(notice, "own-address", f"mail from {sender}: a loop through our own domain")
        recipients = list(notice.recipients) + [a.email for a in (*mail.to, *mail.cc) if a.email]
        thread = self.threads.find(mail, recipients)
        if kind.bounce is not None or kind.auto_reply:
            return self._automatic(notice, mail, kind, thread)
        try:
            return self._human(notice, mail, kind, thread, sender)
        except Duplicate:
            return Outcome("duplicate", detail=notice.key)

    # -- outcomes --------------------------------------------------------------------------------

    def _quarantine(self, notice: InboundNotice, reason: str, detail: str) -> Outcome:
        record = QuarantineRecord(notice.key, reason, detail, datetime.now(UTC), notice.bucket)
        self.mail.quarantine(record)  # first the record, then the outcome: a crash repeats, never loses
        self.mail.record_outcome(notice.key, f"quarantined:{reason}")
        return Outcome("quarantined", detail=reason)

    def _automatic(
        self, notice: InboundNotice, mail: ParsedMail, kind: Classification, thread: Thread | None
    ) -> Outcome:
        """Bounces and auto-replies never open tickets and never trigger mail: a note where they belong."""
        if kind.bounce is not None and kind.bounce.permanent:
            until = datetime.now(UTC) + BOUNCE_SUPPRESSION
            for recipient in kind.bounce.recipients:
                self.mail.suppress(Suppression(recipient, "bounce", until))
        what = "bounce" if kind.bounce is not None else "auto-reply"
        if thread is None:
            return self._quarantine(notice, f"unmatched-{what}", f"{what} answering no known ticket")
        data: dict[str, Any] = {
            "from": mail.from_.email if mail.from_ else None,
            "subject": mail.subject,
            "raw": {"bucket": notice.bucket, "key": notice.key},
        }
        if kind.bounce is not None:
            data["bounce"] = {
                "permanent": kind.bounce.permanent,
                "recipients": list(kind.bounce.recipients),
                "status": kind.bounce.status,
            }
        event = "mail.bounced" if kind.bounce is not None else "mail.auto_reply"
        claim = [
            Key(keys.inbound(notice.key), thread.ticket.id),
            Key(keys.mailprint(fingerprint(mail)), thread.ticket.id),
        ]
        try:
            ticket = self.writer.system_note(thread.ticket.id, event, mail.visible_text[:MAX_BODY_CHARS], data, claim)
        except Duplicate:
            return Outcome("duplicate", detail=notice.key)
        return Outcome("note", ticket.number, event)

    def _human(
        self, notice: InboundNotice, mail: ParsedMail, kind: Classification, thread: Thread | None, sender: str
    ) -> Outcome:
        data = self._message_data(notice, mail, kind)
        answered = thread is not None and thread.ticket.status is not Status.CLOSED
        target = thread.ticket.id if thread is not None and answered else new_id()
        claims = [Key(keys.inbound(notice.key), target), Key(keys.mailprint(fingerprint(mail)), target)]
        lookups = [Key(keys.email_id(mail.message_id), target)] if mail.message_id else []
        if thread is not None and answered:
            agent = self.directory.find_agent_by_email(sender)
            if agent is not None and agent.active:
                ticket = self._agent_note(thread.ticket, Actor(ActorKind.AGENT, agent.id), mail, data, claims, lookups)
                return Outcome("note", ticket.number, f"mail from agent {agent.email} kept as an internal note")
            customer = self.customers.resolve_email(sender, mail.from_.name if mail.from_ else None)
            ticket = self.writer.customer_message(
                customer,
                thread.ticket.id,
                _body(mail),
                "email",
                mail.visible_html,
                data,
                claims,
                lookups,
                thread.ticket,
            )
            return Outcome("message", ticket.number, thread.via)
        from chalicelib.tickets.service import NewTicket

        customer = self.customers.resolve_email(sender, mail.from_.name if mail.from_ else None)
        related = [thread.ticket.id] if thread is not None else self._open_ticket_of(customer)
        from chalicelib.mail.subjects import normalise_subject

        new = NewTicket(
            subject=normalise_subject(mail.subject) or "(no subject)",
            body_text=_body(mail),
            body_html=mail.visible_html,
            channel=Channel.EMAIL,
            requester_id=customer.id,
            ccs=tuple(self._ccs(mail, sender)),
            tags=("bulk",) if kind.bulk else (),
            message_data=data,
            acknowledge=not kind.bulk,
            related_ids=tuple(related),
            ticket_id=target,
        )
        ticket, _ = self.writer.create(Actor(ActorKind.CUSTOMER, customer.id), new, claims, lookups, requester=customer)
        if related and thread is None:
            self.relations.relate(related[0], ticket.id)
        return Outcome("follow_up" if thread is not None else "created", ticket.number)

    def _agent_note(
        self,
        known: Ticket,
        actor: Actor,
        mail: ParsedMail,
        data: dict[str, Any],
        claims: list[Key],
        lookups: list[Key],
    ) -> Ticket:
        from chalicelib.tickets.versions import on_latest

        return on_latest(
            self.writer.tickets,
            known.id,
            lambda current: self.writer.note(
                actor, known.id, current.version, _body(mail), mail.visible_html, "email", data, claims, lookups
            ),
            known,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _message_data(self, notice: InboundNotice, mail: ParsedMail, kind: Classification) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": mail.message_id,
            "in_reply_to": mail.in_reply_to,
            "references": list(mail.references)[-20:],
            "from": mail.from_.email if mail.from_ else None,
            "to": [a.email for a in mail.to],
            "cc": [a.email for a in mail.cc],
            # The addresses SES received it for (routing rules match on them; Bcc'd aliases included).
            "recipients": list(notice.recipients),
            "subject": mail.subject,
            "raw": {"bucket": notice.bucket, "key": notice.key},
            "attachments": self._store_attachments(notice, mail),
        }
        if kind.bulk:
            data["bulk"] = True
        if len(mail.visible_text) > MAX_BODY_CHARS:
            data["truncated"] = True
        return data

    def _store_attachments(self, notice: InboundNotice, mail: ParsedMail) -> list[dict[str, Any]]:
        stored = []
        limit = self.settings.max_attachment_bytes
        for index, attachment in enumerate(mail.attachments):
            item: dict[str, Any] = {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "inline": attachment.inline,
                "content_id": attachment.content_id,
            }
            if attachment.size <= limit:
                name = _SAFE_NAME.sub("_", attachment.filename or f"part-{index}")[:100]
                key = f"{ATTACHMENT_PREFIX}{notice.ses_message_id}/{index}-{name}"
                self.store.put(notice.bucket, key, attachment.data, attachment.content_type)
                item["key"] = key
            else:
                item["skipped"] = f"larger than {limit} bytes"
            stored.append(item)
        return stored

    def _ccs(self, mail: ParsedMail, sender: str) -> list[str]:
        domain = "@" + self.settings.support_domain
        return sorted(
            {
                a.email.lower()
                for a in (*mail.to, *mail.cc)
                if a.email and not a.email.lower().endswith(domain) and a.email.lower() != sender
            }
        )

    def _open_ticket_of(self, customer: Customer) -> list[str]:
        """A customer's most urgent open ticket: a new inquiry is linked to it as related, not merged."""
        page = self.writer.view(View(ViewKind.REQUESTER, customer.id, active_only=True), 1)
        return [page.items[0].id] if page.items else []


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


def _body(mail: ParsedMail) -> str:
    text = mail.visible_text.strip() or mail.text.strip() or "(empty message)"
    return text[:MAX_BODY_CHARS]


def ingest_record(ingest: MailIngest, record: Any) -> None:
    from chalicelib.core import observability

    notice = parse_notice(record.body)
    log = observability.logger()
    log.set_correlation_id(notice.ses_message_id)
    outcome = ingest.handle(notice)
    log.info(
        "inbound mail",
        extra={
            "outcome": outcome.kind,
            "ticket_number": outcome.ticket_number,
            "detail": outcome.detail,
            "key": notice.key,
        },
    )
    observability.count("MailIngested", outcome=outcome.kind)


def ingest_batch(ingest: MailIngest, raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.events.batch import sqs_batch

    return sqs_batch(raw_event, lambda record: ingest_record(ingest, record), context)
