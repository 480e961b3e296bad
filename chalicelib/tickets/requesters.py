"""Tickets follow their requester: after two customers are merged, the source's tickets name the target.

A customer may have thousands of tickets, so the move is never one transaction: each call re-points one bounded
batch (one Query of the source's requester view, then one conditional write per ticket, a ``ticket.updated``
event whose change names ``requester_id``), and says whether any remain. Moved tickets leave the source's view,
so the next call simply queries again; a ticket already moved (the index lagging) is skipped without a write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.people import Customer
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import Actor, Change, TimelineEntry
from chalicelib.domain.views import View, ViewKind
from chalicelib.storage.ports import TicketRepository
from chalicelib.tickets.service import TicketService

MOVE_BATCH = 25


@dataclass(frozen=True)
class Moved:
    count: int
    more: bool


class RequesterMove:
    def __init__(self, tickets: TicketRepository, writer: TicketService) -> None:
        self.tickets = tickets
        self.writer = writer

    def move(self, actor: Actor, source_id: str, target: Customer) -> Moved:
        """Re-point up to ``MOVE_BATCH`` of ``source_id``'s tickets (solved and closed too) to ``target``."""
        page = self.tickets.list_view(View(ViewKind.REQUESTER, source_id, active_only=False), MOVE_BATCH)

        def build(current: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            if current.requester_id != source_id:
                return current, []
            after = replace(current, requester_id=target.id, organization_id=target.organization_id, updated_at=now)
            changes = [Change("requester_id", source_id, target.id)]
            if current.organization_id != target.organization_id:
                changes.append(Change("organization_id", current.organization_id, target.organization_id))
            return after, [TimelineEntry.system(after, "ticket.updated", actor, now, changes=changes)]

        for ticket in page.items:
            self.writer.automatic(ticket.id, build, known=ticket)
        return Moved(len(page.items), page.next_key is not None)
