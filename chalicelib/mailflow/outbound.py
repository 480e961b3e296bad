"""Ticket events -> mail, sent with SESv2: screening, loop caps, claims, SES, copies under ``sent/``.

The ``outbound`` queue receives every event envelope (``chalicelib.events.envelope``). Which events mail
whom, and what the mail says, is ``chalicelib.mailflow.drafts`` (the contract of
docs/decisions/021-outbound-mail.md); this module delivers a draft.

Suppressed addresses never get mail; automatic mail also skips no-reply mailboxes and capped recipients.
One queue record is one event and at most one mail: the send is claimed before SES is called and recorded
after, so a redelivered event is not sent again (see ``Outbound.deliver`` for the one window where it is).
"""

from __future__ import annotations

import mimetypes
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.resources import ATTACHMENT_PREFIX, SENT_MAIL_PREFIX
from chalicelib.domain.mailthread import clean_id, mails_customer
from chalicelib.mailflow.caps import DEFAULT_CAPS, Cap, MailCaps, RecipientPolicy, screen
from chalicelib.mailflow.compose import (
    MailAttachment,
    Mailbox,
    OutboundMail,
    compose,
    own_message_id,
    ses_message_ids,
    thread,
)
from chalicelib.mailflow.drafts import Draft, Drafts, Kind, kind_of

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings
    from chalicelib.domain.timeline import TimelineEntry
    from chalicelib.storage.objects import ObjectStore
    from chalicelib.storage.ports import DirectoryRepository, MailRepository
    from chalicelib.tickets.service import TicketService

# A claim older than this belongs to an attempt that died: the next delivery sends again. It must be longer
# than the function's timeout and shorter than the queue's visibility timeout (infra: 6 x timeout, >= 360 s).
STALE_CLAIM_SECONDS = 300
# SESv2 refuses messages above 40 MB (after base64).
MAX_RAW_BYTES = 40 * 1024 * 1024
# Mail the customer is meant to get: when it cannot be sent, the ticket's timeline says so.
CUSTOMER_MAIL = frozenset({Kind.REPLY, Kind.CANNED_REPLY, Kind.ACKNOWLEDGEMENT, Kind.REMINDER})


class Outcome(StrEnum):
    SENT = "sent"
    IGNORED = "ignored"  # the event mails nobody
    SKIPPED = "skipped"  # every recipient was filtered out (suppressed, no-reply, agent, own domain)
    CAPPED = "capped"  # automatic mail over a loop-protection cap
    DUPLICATE = "duplicate"  # a redelivered event whose mail went out already


class SendInProgress(Exception):
    """Another attempt holds the claim and has not finished: the queue retries the record later."""


class UnsendableMail(Exception):
    """The mail cannot be built (an attachment outside the attachment prefix, too large for SES)."""


def sent_key(ticket_id: str, event_id: str) -> str:
    return f"{SENT_MAIL_PREFIX}{ticket_id}/{event_id}.eml"


class Outbound:
    def __init__(
        self,
        drafts: Drafts,
        mail: MailRepository,
        directory: DirectoryRepository,
        settings: Settings,
        store: ObjectStore,
        ses: Any,
        signing_key: bytes,
        clock: Clock = utcnow,
        caps: tuple[Cap, ...] = DEFAULT_CAPS,
        writer: TicketService | None = None,
    ) -> None:
        self.writer = writer
        self.drafts = drafts
        self.mail = mail
        self.directory = directory
        self.settings = settings
        self.store = store
        self.ses = ses
        self.signing_key = signing_key
        self.clock = clock
        self.caps = MailCaps(mail, caps)

    def handle(self, event: dict[str, Any]) -> Outcome:
        from chalicelib.core import observability

        log = observability.logger()
        log.set_correlation_id(event.get("id"))
        kind = kind_of(event)
        found = self.draft(kind, event) if kind else None
        if kind is None or found is None:
            return Outcome.IGNORED
        outcome = self.deliver(found, event)
        log.info("mail", extra={"kind": str(kind), "outcome": str(outcome), "ticket_number": found.ticket.number})
        return outcome

    def draft(self, kind: Kind, event: dict[str, Any]) -> Draft | None:
        """The mail of an event of ``kind`` (``kind_of(event)``); None when it mails nobody."""
        return self.drafts.draft(kind, event)

    # -- to whom --------------------------------------------------------------------------------

    def recipients(self, draft: Draft) -> tuple[tuple[Mailbox, ...], tuple[Mailbox, ...], dict[str, str]]:
        """``(to, cc, dropped)``: the draft's recipients that may get it, and why the others may not."""
        policy = RecipientPolicy(self.settings, self.mail)
        automatic, answers = draft.kind.auto_submitted is not None, draft.kind.answers
        return screen(draft.to, draft.cc, lambda address: policy.refusal(address, automatic, answers))

    # -- sending --------------------------------------------------------------------------------

    def deliver(self, draft: Draft, event: dict[str, Any]) -> Outcome:
        """Filter, cap, build, claim, send, record.

        At least once: the claim is taken just before SES is called and the send recorded just after, so a
        redelivered event sends nothing. An attempt that dies between SES accepting the mail and storing its
        copy leaves a claim that goes stale after STALE_CLAIM_SECONDS; the next delivery then sends again
        (a duplicate mail rather than a lost one). After SES: the copy is stored, then the Message-IDs SES gave
        it and our own are remembered with the send record (one request); the copy or our id mean "sent". An
        attempt that dies between the two leaves the copy (so the mail is not sent again) without its ids: a
        customer's answer to it then threads by its reply address rather than by In-Reply-To.
        """
        from chalicelib.core import observability

        to, cc, dropped = self.recipients(draft)
        for reason in dropped.values():
            observability.count("MailSkipped", kind=str(draft.kind), reason=reason)
        if not to:
            self._not_sent(draft, event, dropped)
            return Outcome.SKIPPED
        ticket, event_id, repo = draft.ticket, str(event["id"]), self.mail
        copies = Copies(self.store, self.settings.bucket, ticket.id)
        key = sent_key(ticket.id, event_id)
        if copies.exists(key):
            return Outcome.DUPLICATE
        to, cc, capped = self._within_caps(draft, to, cc)
        if not to:
            self._not_sent(draft, event, {**dropped, **capped})
            return Outcome.CAPPED
        own_id = own_message_id(event_id, self.settings.support_domain)
        mail = self._mail(draft, to, cc, event_id, own_id, copies)
        raw = compose(mail)
        if len(raw) > MAX_RAW_BYTES:
            raise UnsendableMail(f"event {event_id}: {len(raw)} bytes is more than SES sends")
        if not repo.claim_send(event_id, self.clock(), STALE_CLAIM_SECONDS):
            if repo.ticket_for_message_id(own_id) or copies.exists(key, fresh=True):
                return Outcome.DUPLICATE
            raise SendInProgress(f"event {event_id} is being sent by another attempt")
        provider_id = self._send(draft, mail, raw, event_id)
        seen_as = ses_message_ids(provider_id, self.settings.region)
        self.store.put(self.settings.bucket, key, compose(replace(mail, message_id=seen_as[0])), "message/rfc822")
        known_as = [(message_id, ticket.id) for message_id in (*seen_as, own_id)]
        repo.mark_sent(event_id, provider_id, self.clock(), known_as)
        observability.count("MailSent", kind=str(draft.kind))
        return Outcome.SENT

    def _not_sent(self, draft: Draft, event: dict[str, Any], why: dict[str, str]) -> None:
        """A mail the customer should have had and will not get is written on the ticket's timeline with the
        reasons, so the agent knows (once per event: the note's claim)."""
        if self.writer is None or draft.kind not in CUSTOMER_MAIL:
            return
        from chalicelib.core.errors import Duplicate
        from chalicelib.storage import keys
        from chalicelib.storage.ports import Key

        reasons = "; ".join(f"{address}: {reason}" for address, reason in sorted(why.items())) or "no recipient"
        text = f"The {str(draft.kind).replace('_', ' ')} was not sent: {reasons}."
        data = {"kind": str(draft.kind), "event_id": event["id"], "reasons": dict(sorted(why.items()))}
        try:
            claim = Key(keys.not_sent(str(event["id"])), draft.ticket.id)
            self.writer.system_note(draft.ticket.id, "mail.not_sent", text, data, [claim])
        except Duplicate:
            return

    def _within_caps(
        self, draft: Draft, to: tuple[Mailbox, ...], cc: tuple[Mailbox, ...]
    ) -> tuple[tuple[Mailbox, ...], tuple[Mailbox, ...], dict[str, str]]:
        """Automatic mail loses the recipients over a cap (returned with the cap); a person's reply only warns."""
        from chalicelib.core import observability

        now, capped = self.clock(), {}
        for box in (*to, *cc):
            exceeded = self.caps.count(draft.ticket.id, box.email, now, str(draft.kind))
            if exceeded is None:
                continue
            extra = {"kind": str(draft.kind), "ticket_number": draft.ticket.number, "cap": exceeded.describe()}
            if draft.kind.auto_submitted:
                capped[box.email] = f"capped: {exceeded.describe()}"
                observability.logger().warning("mail capped: not sent", extra=extra)
                observability.count("MailCapped", kind=str(draft.kind))
            else:
                observability.logger().warning("mail over a cap: sent anyway (written by a person)", extra=extra)
                observability.count("MailCapExceeded", kind=str(draft.kind))
        kept_to = tuple(b for b in to if b.email not in capped)
        return kept_to, tuple(b for b in cc if b.email not in capped), capped

    def _mail(
        self,
        draft: Draft,
        to: tuple[Mailbox, ...],
        cc: tuple[Mailbox, ...],
        event_id: str,
        own_id: str,
        copies: Copies,
    ) -> OutboundMail:
        from chalicelib.mailflow.addresses import reply_address

        ticket = draft.ticket
        in_reply_to, references = self._thread(draft, event_id, copies)
        return OutboundMail(
            sender=Mailbox(self.settings.support_address, self.settings.support_name),
            reply_to=reply_address(self.settings.support_address, ticket.number, self.signing_key),
            to=to,
            cc=cc,
            subject=draft.subject,
            text=draft.text,
            html=draft.html,
            message_id=own_id,
            date=self.clock(),
            in_reply_to=in_reply_to,
            references=references,
            auto_submitted=draft.kind.auto_submitted,
            attachments=tuple(self._attachment(ref) for ref in draft.attachments),
            extra_headers=(
                ("X-Lambdesk-Ticket", str(ticket.number)),
                ("X-Lambdesk-Event", event_id),
                ("X-Lambdesk-Kind", str(draft.kind)),
            ),
        )

    @staticmethod
    def _thread(draft: Draft, event_id: str, copies: Copies) -> tuple[str | None, tuple[str, ...]]:
        """``(In-Reply-To, References)``: from the ticket's mail thread and the copies, else walking the timeline
        (a ticket written before it kept its thread, or an event older than the thread)."""
        if not draft.threaded:
            return None, ()
        if draft.thread is not None:
            return draft.thread.chain(event_id, copies.entry_ids(), copies.conversation_message_id)
        return thread(draft.earlier, copies.message_id)

    def _attachment(self, ref: Any) -> MailAttachment:
        """An attachment listed by an entry: ``"attachments/..."`` or ``{"key", "filename", "content_type"}``."""
        spec = ref if isinstance(ref, dict) else {"key": ref}
        key = str(spec.get("key") or "")
        if not key.startswith(ATTACHMENT_PREFIX) or ".." in key.split("/"):
            raise UnsendableMail(f"attachment key {key!r} is outside {ATTACHMENT_PREFIX}")
        filename = str(spec.get("filename") or spec.get("name") or key.rsplit("/", 1)[-1])
        content_type = str(spec.get("content_type") or mimetypes.guess_type(filename)[0] or "application/octet-stream")
        return MailAttachment(filename, content_type, self.store.get(self.settings.bucket, key))

    def _send(self, draft: Draft, mail: OutboundMail, raw: bytes, event_id: str) -> str:
        """SESv2 SendEmail with the raw message; an error fails the record (the queue retries, then the DLQ)."""
        from botocore.exceptions import ClientError

        from chalicelib.core import observability

        destination = {"ToAddresses": [b.email for b in mail.to]}
        if mail.cc:
            destination["CcAddresses"] = [b.email for b in mail.cc]
        params: dict[str, Any] = {
            "FromEmailAddress": self.settings.support_address,
            "Destination": destination,
            "Content": {"Raw": {"Data": raw}},
            "EmailTags": [
                {"Name": "kind", "Value": str(draft.kind)},
                {"Name": "ticket", "Value": draft.ticket.id},
                {"Name": "event", "Value": event_id},
            ],
        }
        if self.settings.ses_configuration_set:
            params["ConfigurationSetName"] = self.settings.ses_configuration_set
        try:
            response = self.ses.send_email(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "unknown")
            observability.logger().error("SES refused the mail", extra={"kind": str(draft.kind), "error": code})
            observability.count("MailSendFailed", kind=str(draft.kind))
            raise
        return str(response["MessageId"])


class Copies:
    """The copies of sent mail of one ticket (``sent/<ticket id>/<event id>.eml``), listed once."""

    def __init__(self, store: ObjectStore, bucket: str, ticket_id: str) -> None:
        self.store, self.bucket, self.ticket_id = store, bucket, ticket_id
        self._keys: set[str] | None = None

    def exists(self, key: str, fresh: bool = False) -> bool:
        return key in self._listed(fresh)

    def _listed(self, fresh: bool = False) -> set[str]:
        if self._keys is None or fresh:
            self._keys = set(self.store.keys(self.bucket, f"{SENT_MAIL_PREFIX}{self.ticket_id}/"))
        return self._keys

    def message_id(self, entry: TimelineEntry) -> str | None:
        """The Message-ID recipients saw on the mail sent for an entry (a reply, an acknowledgement, a reminder)."""
        headers = self._headers(entry.id) if mails_customer(entry) else None
        return clean_id(str(headers.get("Message-ID", ""))) if headers is not None else None

    def entry_ids(self) -> list[str]:
        """The entries (events) the ticket's sent mail was kept for."""
        prefix = f"{SENT_MAIL_PREFIX}{self.ticket_id}/"
        return [k.removeprefix(prefix).removesuffix(".eml") for k in self._listed() if k.endswith(".eml")]

    def conversation_message_id(self, entry_id: str) -> str | None:
        """The Message-ID recipients saw on the mail sent for an entry, if it was mail in the customer's
        conversation (its ``X-Lambdesk-Kind``: not a notice to agents)."""
        headers = self._headers(entry_id)
        if headers is None or headers.get("X-Lambdesk-Kind") not in CUSTOMER_MAIL:
            return None
        return clean_id(str(headers.get("Message-ID", "")))

    def _headers(self, entry_id: str) -> Any:
        from email import policy
        from email.parser import BytesParser

        key = sent_key(self.ticket_id, entry_id)
        if not self.exists(key):
            return None
        return BytesParser(policy=policy.default).parsebytes(self.store.get(self.bucket, key), headersonly=True)
