"""The portal's behaviour on the ticket core: a customer's lists, one ticket as they may see it, new requests,
replies, solving and reopening, and their profile.

Every read checks ``rules.may_see`` (another customer's ticket number is simply not found); every write is a
customer's write on the ticket (``TicketService.create`` / ``customer_message``), so routing, SLAs, triggers and
mail react to portal messages as to mail. A form carries a one-time id claimed with its write: a second click
or a resent form writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import Duplicate, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.tickets import Channel, Status, Ticket, TicketType
from chalicelib.domain.timeline import Actor, ActorKind, TimelineEntry
from chalicelib.domain.views import View, ViewKind
from chalicelib.portal import rules
from chalicelib.storage import keys
from chalicelib.storage.ports import Key

if TYPE_CHECKING:
    from datetime import datetime

    from chalicelib.domain.people import Customer
    from chalicelib.people.customers import CustomerService
    from chalicelib.storage.ports import TicketRepository
    from chalicelib.storage.slice_ports import AccessRepository
    from chalicelib.tickets.service import TicketService

# A customer's list reads at most this many tickets (newest activity first within the view's order).
MAX_LISTED = 200
PAGE_SIZE = 100
CHANNEL = str(Channel.PORTAL)


@dataclass(frozen=True)
class Opened:
    """A ticket as its viewer may see it: the ticket and its public conversation."""

    ticket: Ticket
    messages: list[TimelineEntry]
    merged_into: Ticket | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    locale: str | None
    time_zone: str | None
    mail_updates: bool


class PortalService:
    def __init__(
        self,
        tickets: TicketService,
        ticket_repo: TicketRepository,
        customers: CustomerService,
        access: AccessRepository,
        clock: Clock = utcnow,
    ) -> None:
        self.tickets = tickets
        self.ticket_repo = ticket_repo
        self.customers = customers
        self.access = access
        self.clock = clock

    # -- reads ---------------------------------------------------------------------------------

    def listed(self, viewer: Customer, scope: rules.Scope, status: rules.StatusFilter, query: str = "") -> list[Ticket]:
        """The viewer's tickets (or, for a manager, the organization's) that match the filter and the search."""
        if scope is rules.Scope.ORGANIZATION and rules.Scope.ORGANIZATION in rules.scopes(viewer):
            view = View(ViewKind.ORGANIZATION, str(viewer.organization_id), status is rules.StatusFilter.OPEN)
        else:
            view = View(ViewKind.REQUESTER, viewer.id, status is rules.StatusFilter.OPEN)
        found: list[Ticket] = []
        start: dict[str, Any] | None = None
        while len(found) < MAX_LISTED:
            page = self.tickets.view(view, PAGE_SIZE, start)
            found.extend(t for t in page.items if rules.may_see(viewer, t) and t.merged_into_id is None)
            if page.next_key is None:
                break
            start = page.next_key
        chosen = [t for t in found[:MAX_LISTED] if rules.matches(t, status, query)]
        return sorted(chosen, key=lambda t: t.updated_at, reverse=True)

    def open(self, viewer: Customer, number: int) -> Opened:
        """Ticket ``number`` if the viewer may see it; another customer's ticket is ``NotFound`` like a missing one."""
        ticket, timeline = self.tickets.get_by_number(number)
        if not rules.may_see(viewer, ticket):
            raise NotFound("ticket", number)
        return self._opened(ticket, timeline)

    def open_linked(self, ticket_id: str, customer_id: str) -> Opened:
        """The ticket a ticket link opens, while its requester is still the link's customer."""
        ticket, timeline = self.tickets.get(ticket_id)
        if ticket.requester_id != customer_id:
            raise NotFound("ticket", ticket_id)
        return self._opened(ticket, timeline)

    def _opened(self, ticket: Ticket, timeline: list[TimelineEntry]) -> Opened:
        merged_into = None
        if ticket.merged_into_id:
            try:
                merged_into = self.ticket_repo.get(ticket.merged_into_id)
            except NotFound:
                merged_into = None
        return Opened(ticket, rules.conversation(timeline), merged_into)

    def names(self, entries: list[TimelineEntry]) -> dict[str, str]:
        """The names of the customers who wrote ``entries`` (a manager reads colleagues' messages)."""
        ids = {e.author.id for e in entries if e.author.kind is ActorKind.CUSTOMER and e.author.id}
        found = {}
        for customer_id in ids:
            try:
                found[customer_id] = self.customers.get(customer_id).name
            except NotFound:
                continue
        return found

    # -- writes --------------------------------------------------------------------------------

    def create(
        self,
        viewer: Customer,
        subject: str,
        text: str,
        kind: TicketType | None,
        files: list[dict[str, Any]],
        submission_id: str,
    ) -> Ticket:
        from chalicelib.tickets.service import NewTicket

        ticket_id = new_id()
        new = NewTicket(
            subject=subject,
            body_text=text,
            channel=Channel.PORTAL,
            requester_id=viewer.id,
            type=kind,
            message_data={"attachments": files} if files else {},
            acknowledge=True,
            ticket_id=ticket_id,
        )
        claim = Key(keys.portal_post(submission_id), ticket_id)
        try:
            ticket, _ = self.tickets.create(Actor(ActorKind.CUSTOMER, viewer.id), new, [claim], requester=viewer)
        except Duplicate:
            return self._posted(submission_id)
        return ticket

    def reply(
        self, viewer: Customer, ticket: Ticket, text: str, files: list[dict[str, Any]], submission_id: str
    ) -> Ticket:
        data = {"attachments": files} if files else {}
        claim = Key(keys.portal_post(submission_id), ticket.id)
        try:
            return self.tickets.customer_message(viewer, ticket.id, text, CHANNEL, data=data, claims=[claim])
        except Duplicate:
            return self._posted(submission_id)

    def _posted(self, submission_id: str) -> Ticket:
        ticket_id = self.access.posted(submission_id)
        if ticket_id is None:
            raise NotFound("submission", submission_id)
        return self.ticket_repo.get(ticket_id, consistent=True)

    def solve(self, viewer: Customer, ticket: Ticket) -> Ticket:
        """The customer says the request is solved (nothing changes when it is solved already)."""
        return self._set_status(viewer, ticket, Status.SOLVED, rules.can_close)

    def reopen(self, viewer: Customer, ticket: Ticket) -> Ticket:
        """Solved, not closed yet: the request is open again."""
        return self._set_status(viewer, ticket, Status.OPEN, rules.can_reopen)

    def _set_status(self, viewer: Customer, ticket: Ticket, status: Status, allowed: Any) -> Ticket:
        actor = Actor(ActorKind.CUSTOMER, viewer.id)

        def build(current: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            if not allowed(current):
                return current, []
            return current.change(actor, now, status=status)

        return self.tickets.automatic(ticket.id, build)

    def update_profile(self, viewer: Customer, profile: Profile) -> Customer:
        changes = {
            "name": profile.name,
            "locale": profile.locale,
            "time_zone": profile.time_zone,
            "mail_updates": profile.mail_updates,
        }
        wanted = {k: v for k, v in changes.items() if getattr(viewer, k) != v}
        if not wanted:
            return viewer
        return self.customers.update(viewer.id, viewer.version, wanted)
