"""Ticket behaviour: create, reply, note, update, escalate, system and customer writes, views.

Agents' writes go through ``Versions.as_agent`` (optimistic locking; see ``chalicelib.tickets.versions``);
merging and related tickets are in ``chalicelib.tickets.relations``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import AlreadyExists, InvalidInput
from chalicelib.core.ids import new_id
from chalicelib.domain.mailthread import created_thread
from chalicelib.domain.people import Customer, RequesterFacts
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import SYSTEM, Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.domain.views import Page, View, ViewKind
from chalicelib.people.customers import CustomerService
from chalicelib.tickets.versions import Versions, on_latest, one_version

if TYPE_CHECKING:
    from chalicelib.storage.ports import DirectoryRepository, Key, StartKey, TicketRepository


@dataclass(frozen=True)
class NewTicket:
    subject: str
    body_text: str
    channel: Channel = Channel.API
    requester_id: str | None = None
    requester_email: str | None = None
    requester_name: str | None = None
    priority: Priority = Priority.NORMAL
    type: TicketType | None = None
    tags: tuple[str, ...] = ()
    ccs: tuple[str, ...] = ()
    team_id: str | None = None
    assignee_id: str | None = None
    body_html: str | None = None
    # Extra facts about the first message (e.g. its Message-ID and attachments for mail).
    message_data: dict[str, Any] = field(default_factory=dict)
    # Send the requester an acknowledgement (the outbound mail consumer reads it from ticket.created).
    acknowledge: bool = False
    related_ids: tuple[str, ...] = ()
    # Chosen by the caller when other keys written with the ticket must point to it (inbound mail).
    ticket_id: str | None = None
    # A number the caller allocated (``next_number``) and keeps across retries; None: allocated here.
    number: int | None = None


@dataclass(frozen=True)
class Draft:
    """A message or note drafted from a ticket (see ``post_drafted``)."""

    kind: EntryKind
    text: str
    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


class TicketService:
    def __init__(
        self,
        tickets: TicketRepository,
        customers: CustomerService,
        directory: DirectoryRepository,
        clock: Clock = utcnow,
    ) -> None:
        self.tickets = tickets
        self.versions = Versions(tickets)
        self.customers = customers
        self.directory = directory
        self.clock = clock

    # -- reads ---------------------------------------------------------------------------------

    def get(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry]]:
        return self.tickets.get_with_timeline(ticket_id)

    def get_by_number(self, number: int) -> tuple[Ticket, list[TimelineEntry]]:
        return self.tickets.get_with_timeline(self.tickets.id_for_number(number))

    def view(self, view: View, limit: int, start: StartKey = None) -> Page[Ticket]:
        return self.tickets.list_view(view, limit, start)

    def requester_view(self, email: str, limit: int, start: StartKey, active_only: bool) -> Page[Ticket]:
        from chalicelib.domain.people import Identity, IdentityKind

        customer = self.customers.find(Identity.of(IdentityKind.EMAIL, email))
        if customer is None:
            return Page([])
        return self.view(View(ViewKind.REQUESTER, customer.id, active_only), limit, start)

    # -- writes --------------------------------------------------------------------------------

    def next_number(self) -> int:
        """Allocate a ticket number for a ``NewTicket`` the caller will retry with the same number."""
        return self.tickets.allocate_number()

    def create(
        self,
        actor: Actor,
        new: NewTicket,
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
        requester: Customer | None = None,
        new_requester: bool = False,
    ) -> tuple[Ticket, list[TimelineEntry]]:
        """A new ticket with its first message; claims and lookups are written in the same transaction.

        ``requester``: the customer when the caller already has them (saves reading them again); with
        ``new_requester``, a customer not stored yet (``CustomerService.by_email``), created in that transaction
        (its identity taken meanwhile raises AlreadyExists and writes nothing)."""
        if requester is None:
            requester, new_requester = self._requester(new)
        self._check_references(new.team_id, new.assignee_id)
        now = self.clock()
        ticket = Ticket(
            id=new.ticket_id or new_id(),
            number=new.number or self.tickets.allocate_number(),
            subject=new.subject.strip() or "(no subject)",
            requester_id=requester.id,
            channel=new.channel,
            created_at=now,
            updated_at=now,
            status=Status.OPEN if new.assignee_id else Status.NEW,
            priority=new.priority,
            type=new.type,
            tags=tuple(sorted({t.strip().lower() for t in new.tags if t.strip()})),
            ccs=tuple(sorted({c.strip().lower() for c in new.ccs})),
            organization_id=requester.organization_id,
            team_id=new.team_id,
            assignee_id=new.assignee_id,
            last_customer_message_at=now,
            related_ids=tuple(dict.fromkeys(new.related_ids)),
        )
        created_data: dict[str, Any] = {
            "channel": str(new.channel),
            "requester_id": requester.id,
            # The requester as they were at creation: routing and the acknowledgement decide on it unread.
            "requester": RequesterFacts.of(requester).as_data(),
        }
        if new.acknowledge:
            created_data["acknowledge"] = True
        if new.related_ids:
            created_data["related_ids"] = list(new.related_ids)
        created = TimelineEntry.system(ticket, "ticket.created", actor, now, data=created_data)
        submitted = {"submitted_by": f"{actor.kind}:{actor.id}"} if actor.kind is not ActorKind.CUSTOMER else {}
        message = replace(
            TimelineEntry.post(
                ticket,
                EntryKind.MESSAGE,
                Actor(ActorKind.CUSTOMER, requester.id),
                now,
                new.body_text,
                new.body_html,
                str(new.channel),
            ),
            data={**submitted, **new.message_data},
        )
        entries = [created, message]
        if new.assignee_id:
            entries.append(
                TimelineEntry.system(ticket, "ticket.assigned", actor, now, data={"assignee_id": new.assignee_id})
            )
        ticket = replace(ticket, **created_thread(entries))
        try:
            self.tickets.create(ticket, entries, claims, lookups, requester if new_requester else None)
        except AlreadyExists:
            if not new_requester or not requester.email:
                raise
            # Another request created this customer a moment ago: the ticket is theirs, with the same number.
            existing = self.customers.resolve_email(requester.email)
            again = replace(new, ticket_id=ticket.id, number=ticket.number)
            return self.create(actor, again, claims, lookups, existing)
        return ticket, entries

    def reply(
        self,
        actor: Actor,
        ticket_id: str,
        based_on: int,
        body_text: str,
        body_html: str | None = None,
        status: Status | None = None,
        attachments: Sequence[dict[str, Any]] = (),
    ) -> Ticket:
        """A public reply from an agent; optionally sets the status in the same write. ``attachments``: stored
        files (``key``, ``filename``, ``content_type``, ``size``) that the mail to the customer carries."""
        data = {"attachments": list(attachments)} if attachments else None

        def write(ticket: Ticket) -> Ticket:
            self._writable(ticket)
            changes = {"status": status} if status else {}
            return self._post(actor, ticket, EntryKind.MESSAGE, body_text, body_html, changes, data)

        return self.versions.as_agent(ticket_id, based_on, write)

    def _post(
        self,
        actor: Actor,
        ticket: Ticket,
        kind: EntryKind,
        body_text: str,
        body_html: str | None,
        changes: dict[str, Any],
        data: dict[str, Any] | None = None,
    ) -> Ticket:
        """An agent's message or note with field changes, as one version; a public answer opens a new ticket."""
        now = self.clock()
        entry = replace(
            TimelineEntry.post(ticket, kind, actor, now, body_text, body_html, "api"), data=dict(data or {})
        )
        if kind is EntryKind.MESSAGE and "status" not in changes and ticket.status is Status.NEW:
            changes = {**changes, "status": Status.OPEN}
        after, entries = ticket.change(actor, now, **changes)
        after = after.posted(kind, actor, now)
        after, entries = one_version(ticket, after, [entry, *entries])
        self.versions.save([(after, ticket.version)], entries)
        return after

    def note(
        self,
        actor: Actor,
        ticket_id: str,
        based_on: int,
        body_text: str,
        body_html: str | None = None,
        channel: str = "api",
        data: dict[str, Any] | None = None,
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
    ) -> Ticket:
        """An internal note: never visible to the customer, never mailed to them."""

        def write(ticket: Ticket) -> Ticket:
            now = self.clock()
            after = ticket.posted(EntryKind.NOTE, actor, now)
            entry = replace(
                TimelineEntry.post(after, EntryKind.NOTE, actor, now, body_text, body_html, channel),
                data=dict(data or {}),
            )
            self.versions.save([(after, ticket.version)], [entry], claims, lookups)
            return after

        return self.versions.as_agent(ticket_id, based_on, write)

    def customer_message(
        self,
        customer: Customer,
        ticket_id: str,
        body_text: str,
        channel: str,
        body_html: str | None = None,
        data: dict[str, Any] | None = None,
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
        known: Ticket | None = None,
    ) -> Ticket:
        """A customer writes on their ticket: pending, on-hold or solved tickets open again.

        ``known``: the ticket as the caller just read it (saves a read; see ``on_latest``)."""
        actor = Actor(ActorKind.CUSTOMER, customer.id)

        def attempt(ticket: Ticket) -> Ticket:
            self._writable(ticket)
            now = self.clock()
            message = replace(
                TimelineEntry.post(ticket, EntryKind.MESSAGE, actor, now, body_text, body_html, channel),
                data=dict(data or {}),
            )
            reopen = ticket.status in (Status.PENDING, Status.SOLVED, Status.ON_HOLD)
            after, changes = ticket.change(actor, now, status=Status.OPEN) if reopen else (ticket, [])
            after = after.posted(EntryKind.MESSAGE, actor, now)
            after, entries = one_version(ticket, after, [message, *changes])
            self.tickets.save([(after, ticket.version)], entries, claims, lookups)
            return after

        return on_latest(self.tickets, ticket_id, attempt, known)

    def system_note(
        self,
        ticket_id: str,
        event: str,
        body_text: str,
        data: dict[str, Any],
        claims: Sequence[Key] = (),
    ) -> Ticket:
        """A system record on a ticket that changes nothing else (a bounce, an auto-reply it received).

        It is not a public message: it never reaches the customer and never triggers automatic mail.
        """

        def attempt(ticket: Ticket) -> Ticket:
            now = self.clock()
            after = replace(ticket, updated_at=now, version=ticket.version + 1)
            entry = replace(TimelineEntry.system(after, event, SYSTEM, now, data=data), body_text=body_text)
            self.tickets.save([(after, ticket.version)], [entry], claims)
            return after

        return on_latest(self.tickets, ticket_id, attempt)

    def automatic(
        self,
        ticket_id: str,
        build: Callable[[Ticket, datetime], tuple[Ticket, list[TimelineEntry]]],
        claims: Sequence[Key] = (),
        known: Ticket | None = None,
    ) -> Ticket:
        """A change the desk makes by itself (routing, SLA actions, timers, triggers) on the latest version.

        ``build(ticket, now)`` returns the changed ticket and its entries (none: nothing is written). Retried
        on conflict; a taken claim raises Duplicate (the change was made by an earlier delivery). ``known``:
        the ticket as the caller just read it (see ``on_latest``)."""

        def attempt(ticket: Ticket) -> Ticket:
            after, entries = build(ticket, self.clock())
            if not entries:
                return ticket
            after, entries = one_version(ticket, after, entries)
            self.tickets.save([(after, ticket.version)], entries, claims)
            return after

        return on_latest(self.tickets, ticket_id, attempt, known)

    def update(self, actor: Actor, ticket_id: str, based_on: int, changes: dict[str, Any]) -> Ticket:
        self._check_references(changes.get("team_id"), changes.get("assignee_id"))

        def write(ticket: Ticket) -> Ticket:
            after, entries = ticket.change(actor, self.clock(), **changes)
            if entries:
                self.versions.save([(after, ticket.version)], entries)
            return after

        return self.versions.as_agent(ticket_id, based_on, write)

    def post_drafted(self, actor: Actor, ticket_id: str, based_on: int, draft: Callable[[Ticket], Draft]) -> Ticket:
        """An agent's message or note whose text and field changes are drafted from the ticket as it is (a
        macro), written as one version."""

        def write(ticket: Ticket) -> Ticket:
            self._writable(ticket)
            made = draft(ticket)
            return self._post(actor, ticket, made.kind, made.text, None, made.changes, made.data)

        return self.versions.as_agent(ticket_id, based_on, write)

    def escalate(self, actor: Actor, ticket_id: str, based_on: int, reason: str) -> Ticket:
        """Move a ticket to its team's next tier, unassigned (routing assigns it there), with the reason."""

        def write(ticket: Ticket) -> Ticket:
            if not ticket.team_id:
                raise InvalidInput("the ticket has no team to escalate from", "team_id")
            target = self.directory.get_team(ticket.team_id).escalation_team_id
            if not target:
                raise InvalidInput("the ticket's team is the last tier: it has no escalation team", "team_id")
            now = self.clock()
            after, entries = ticket.change(actor, now, team_id=target, assignee_id=None)
            escalated = TimelineEntry.system(
                after,
                "ticket.escalated",
                actor,
                now,
                data={"from_team_id": ticket.team_id, "to_team_id": target, "reason": reason},
            )
            after, entries = one_version(ticket, after, [escalated, *entries])
            self.versions.save([(after, ticket.version)], entries)
            return after

        return self.versions.as_agent(ticket_id, based_on, write)

    # -- helpers -------------------------------------------------------------------------------

    def _requester(self, new: NewTicket) -> tuple[Customer, bool]:
        """The requester, and whether they are new (not stored yet: the ticket's write creates them)."""
        if new.requester_id:
            return self.customers.get(new.requester_id), False
        if new.requester_email:
            return self.customers.by_email(new.requester_email, new.requester_name)
        raise InvalidInput("give requester_id or requester_email", "requester")

    def _check_references(self, team_id: str | None, assignee_id: str | None) -> None:
        if team_id:
            self.directory.get_team(team_id)
        if assignee_id:
            agent = self.directory.get_agent(assignee_id)
            if not agent.active:
                raise InvalidInput(f"agent {assignee_id} is deactivated", "assignee_id")

    @staticmethod
    def _writable(ticket: Ticket) -> None:
        if ticket.status is Status.CLOSED:
            raise InvalidInput("the ticket is closed; open a follow-up ticket instead", "ticket_id")
