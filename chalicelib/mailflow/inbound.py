"""Inbound mail -> tickets. Every accepted raw mail ends as exactly one of: a message on a ticket, a
system note (bounce, auto-reply) on the ticket it answers, or a quarantine record with a reason.

The write that records the outcome carries the claim ``INBOUND#<object key>``, so a redelivered
notification, or the same object announced twice, changes nothing the second time; and the claim
``MAILPRINT#<fingerprint>`` (Message-ID, sender, date, subject, body), so the same mail delivered twice by
SMTP (two objects) is one message, while two different mails that share a Message-ID are both kept. Attachments are
stored under keys derived from the object key before that write, so a retry overwrites, never doubles.

Mail that cannot be processed ends in quarantine, visibly, and burns nothing: mail too complex to parse is
quarantined at once with the limit it crossed; any other failure is logged as an error on every attempt and
retried, and the last attempt the queue allows (``MAX_RECEIVE_COUNT``) quarantines the mail with the error
instead of leaving it silently in the dead-letter queue. A ticket number allocated by an attempt that failed
is kept for the mail's retries (``MailRepository.reserve_number``), so numbers have no gaps from retries
(one is lost when the queue delivers the same notification twice at once: only retries look up the claim
before the work, which saves a request on every mail).
A sender who opens too many tickets is slowed down (``floods``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import Duplicate
from chalicelib.core.ids import new_id
from chalicelib.core.resources import MAX_RECEIVE_COUNT
from chalicelib.domain.people import Customer
from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.domain.views import View, ViewKind
from chalicelib.mail.model import Classification, ParsedMail
from chalicelib.mailflow.entries import body_html, body_text, fingerprint, message_data, store_attachments
from chalicelib.mailflow.floods import Flooding, SenderFloods
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

BOUNCE_SUPPRESSION = timedelta(days=30)


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
        floods: SenderFloods | None = None,
    ) -> None:
        self.writer = writer
        self.relations = relations
        self.floods = floods or SenderFloods(mail)
        self.customers = customers
        self.directory = directory
        self.mail = mail
        self.threads = threads
        self.store = store
        self.settings = settings

    def handle(self, notice: InboundNotice, attempt: int = 1) -> Outcome:
        """Ingest one mail; ``attempt`` is the queue's receive count (the last allowed one quarantines a mail
        whose processing keeps failing, with the error, instead of losing it to the dead-letter queue)."""
        from chalicelib.core import observability
        from chalicelib.storage.objects import MissingObject

        try:
            return self._handle(notice, attempt)
        except MissingObject:
            # No raw mail to keep: the notification itself goes to the dead-letter queue after its retries
            # (replayable once the object exists), where the DLQ alarm shows it.
            observability.logger().error("inbound mail missing", extra={"key": notice.key, "attempt": attempt})
            raise
        except Exception as exc:  # logged every time; re-raised for a retry, or kept in quarantine at the last
            observability.logger().error(
                "inbound mail failed", extra={"key": notice.key, "attempt": attempt, "reason": repr(exc)[:1000]}
            )
            if attempt < MAX_RECEIVE_COUNT:
                raise
            return self._quarantine(notice, "failed", f"{type(exc).__name__}: {exc}"[:2000])

    def _handle(self, notice: InboundNotice, attempt: int) -> Outcome:
        # A redelivery (attempt > 1) may follow a write that succeeded: look first. A first delivery is almost
        # always new, and the claim in the outcome's write still turns a duplicate into "duplicate".
        if attempt > 1 and self.mail.ingested(notice.key) is not None:
            return Outcome("duplicate", detail=notice.key)
        raw = self.store.get(notice.bucket, notice.key)  # a missing object fails the record: retry, then the DLQ
        from chalicelib.mail.classify import classify
        from chalicelib.mail.errors import MailTooComplex, UnparseableMail
        from chalicelib.mail.parse import parse

        try:
            mail = parse(raw)
        except UnparseableMail as exc:
            # Hostile or broken mail over a parsing limit is kept with the limit it crossed (too_deep, ...).
            reason = "too-complex" if isinstance(exc, MailTooComplex) else "unparseable"
            return self._quarantine(notice, reason, f"{exc.reason}: {exc}")
        kind = classify(mail, notice.verdicts)
        if kind.spam or kind.virus:
            return self._quarantine(notice, "virus" if kind.virus else "spam", "SES verdict")
        if kind.complaint:
            return self._quarantine(notice, "complaint", "abuse report (ARF): review and suppress by hand")
        if kind.newsletter and not kind.auto_reply and kind.bounce is None:
            # A newsletter to the support address is noise; released from quarantine it opens a ticket.
            return self._quarantine(notice, "newsletter", "bulk mail (no mailing-list posting address)")
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
            return self._human(notice, mail, kind, thread, sender, attempt)
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
            ticket = self.writer.system_note(thread.ticket.id, event, body_text(mail), data, claim)
        except Duplicate:
            return Outcome("duplicate", detail=notice.key)
        return Outcome("note", ticket.number, event)

    def _human(
        self,
        notice: InboundNotice,
        mail: ParsedMail,
        kind: Classification,
        thread: Thread | None,
        sender: str,
        attempt: int,
    ) -> Outcome:
        attachments = store_attachments(self.store, notice, mail, self.settings.max_attachment_bytes)
        data = message_data(notice, mail, kind, attachments)
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
                body_text(mail),
                "email",
                body_html(mail),
                data,
                claims,
                lookups,
                thread.ticket,
            )
            return Outcome("message", ticket.number, thread.via)
        name = mail.from_.name if mail.from_ else None
        # A first contact's customer is written with the ticket, in its transaction.
        customer, first_contact = self.customers.by_email(sender, name)
        if first_contact:
            data["first_contact"] = True  # no earlier ticket to relate to or route with (routing reads this)
        # Counted on the first attempt only: a retry of the same mail is not another new ticket.
        flooding = self.floods.count_new_ticket(sender, datetime.now(UTC)) if attempt == 1 else None
        if flooding is not None:
            customer = self.customers.resolve_email(sender, name) if first_contact else customer
            return self._flooded(notice, mail, customer, data, claims, lookups, flooding)
        return self._open(notice, mail, kind, thread, sender, customer, data, claims, lookups, attempt)

    def _open(
        self,
        notice: InboundNotice,
        mail: ParsedMail,
        kind: Classification,
        thread: Thread | None,
        sender: str,
        customer: Customer,
        data: dict[str, Any],
        claims: list[Key],
        lookups: list[Key],
        attempt: int,
    ) -> Outcome:
        """A new ticket (or a follow-up of a closed one), numbered once however often the mail is retried."""
        from chalicelib.mail.subjects import normalise_subject
        from chalicelib.tickets.service import NewTicket

        if thread is not None:
            related = [thread.ticket.id]
        else:
            related = [] if data.get("first_contact") else self._open_ticket_of(customer)
        number = (self.mail.reserved_number(notice.key) if attempt > 1 else None) or self.writer.next_number()
        new = NewTicket(
            subject=normalise_subject(mail.subject)[:1000] or "(no subject)",
            body_text=body_text(mail),
            body_html=body_html(mail),
            channel=Channel.EMAIL,
            requester_id=customer.id,
            ccs=tuple(self._ccs(mail, sender)),
            tags=("mailing-list",) if kind.list_post else (),
            message_data=data,
            acknowledge=not kind.bulk,
            related_ids=tuple(related),
            ticket_id=claims[0].target_id,
            number=number,
        )
        try:
            ticket, _ = self.writer.create(
                Actor(ActorKind.CUSTOMER, customer.id),
                new,
                claims,
                lookups,
                requester=customer,
                new_requester=bool(data.get("first_contact")),
            )
        except Duplicate:
            raise
        except Exception:
            self.mail.reserve_number(notice.key, number)
            raise
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
                actor, known.id, current.version, body_text(mail), body_html(mail), "email", data, claims, lookups
            ),
            known,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _ccs(self, mail: ParsedMail, sender: str) -> list[str]:
        domain = "@" + self.settings.support_domain
        return sorted(
            {
                a.email.lower()
                for a in (*mail.to, *mail.cc)
                if a.email and not a.email.lower().endswith(domain) and a.email.lower() != sender
            }
        )

    def _flooded(
        self,
        notice: InboundNotice,
        mail: ParsedMail,
        customer: Customer,
        data: dict[str, Any],
        claims: list[Key],
        lookups: list[Key],
        flooding: Flooding,
    ) -> Outcome:
        """A sender over the new-ticket limit: the mail joins their latest open ticket, with a note saying
        why; with no open ticket it is quarantined as a flood."""
        latest = self._open_ticket_of(customer)
        if not latest:
            return self._quarantine(notice, "flood", flooding.reason())
        target = latest[0]
        ticket = self.writer.customer_message(
            customer,
            target,
            body_text(mail),
            "email",
            body_html(mail),
            {**data, "flood": flooding.reason()},
            [Key(k.key, target) for k in claims],
            [Key(k.key, target) for k in lookups],
        )
        note = f"This mail would have opened a new ticket; it joined this one instead: {flooding.reason()}."
        self.writer.system_note(target, "mail.flood_joined", note, {"reason": flooding.reason(), "raw": data["raw"]})
        return Outcome("message", ticket.number, "flood")

    def _open_ticket_of(self, customer: Customer) -> list[str]:
        """A customer's most urgent open ticket: a new inquiry is linked to it as related, not merged."""
        page = self.writer.view(View(ViewKind.REQUESTER, customer.id, active_only=True), 1)
        return [page.items[0].id] if page.items else []


def ingest_record(ingest: MailIngest, record: Any) -> None:
    from chalicelib.core import observability

    notice = parse_notice(record.body)
    log = observability.logger()
    log.set_correlation_id(notice.ses_message_id)
    attempt = int(getattr(record.attributes, "approximate_receive_count", None) or 1)
    outcome = ingest.handle(notice, attempt)
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
