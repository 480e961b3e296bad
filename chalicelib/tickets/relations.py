"""Tickets and their relations: merging one into another, and related tickets (both sides)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import InvalidInput
from chalicelib.domain.mailthread import CustomerMark, customer_message, newest_customer_message
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.timeline import SYSTEM, Actor, TimelineEntry
from chalicelib.storage.ports import TicketRepository
from chalicelib.tickets.versions import Versions, on_latest


class TicketRelations:
    def __init__(self, tickets: TicketRepository, clock: Clock = utcnow) -> None:
        self.tickets = tickets
        self.versions = Versions(tickets)
        self.clock = clock

    def merge(self, actor: Actor, source_id: str, target_id: str, based_on: int) -> Ticket:
        """Merge ``source`` into ``target``: its timeline moves over and it closes, pointing to the target."""
        if source_id == target_id:
            raise InvalidInput("a ticket cannot be merged into itself", "target_id")
        source, timeline = self.tickets.get_with_timeline(source_id)
        self.versions.check_based_on(source, based_on)
        target = self.tickets.get(target_id, thread=True)
        for ticket, name in ((source, "ticket"), (target, "target_id")):
            if ticket.merged_into_id:
                raise InvalidInput(f"ticket {ticket.number} was merged into another ticket", name)
        if target.status is Status.CLOSED:
            raise InvalidInput("cannot merge into a closed ticket", "target_id")
        now = self.clock()
        self.tickets.copy_entries(target.id, timeline)
        closed_source = replace(
            source,
            status=Status.CLOSED,
            closed_at=now,
            merged_into_id=target.id,
            updated_at=now,
            version=source.version + 1,
        )
        grown_target = replace(
            target,
            ccs=tuple(sorted(set(target.ccs) | set(source.ccs))),
            updated_at=now,
            version=target.version + 1,
            **_joined_conversation(target, timeline),
        )
        entries = [
            TimelineEntry.system(
                closed_source, "ticket.merged", actor, now, data={"into": target.id, "into_number": target.number}
            ),
            TimelineEntry.system(
                grown_target, "ticket.merged", actor, now, data={"from": source.id, "from_number": source.number}
            ),
        ]
        self.versions.save([(closed_source, source.version), (grown_target, target.version)], entries)
        return grown_target

    def link(self, actor: Actor, ticket_id: str, other_id: str, based_on: int) -> Ticket:
        """Mark two tickets as related (both sides)."""
        if ticket_id == other_id:
            raise InvalidInput("a ticket cannot be related to itself", "related_id")

        def write(ticket: Ticket) -> Ticket:
            other = self.tickets.get(other_id)
            if other.id in ticket.related_ids:
                return ticket
            now = self.clock()
            first = replace(
                ticket, related_ids=(*ticket.related_ids, other.id), updated_at=now, version=ticket.version + 1
            )
            second = replace(
                other, related_ids=(*other.related_ids, ticket.id), updated_at=now, version=other.version + 1
            )
            entries = [
                TimelineEntry.system(
                    first, "ticket.linked", actor, now, data={"related_id": other.id, "related_number": other.number}
                ),
                TimelineEntry.system(
                    second,
                    "ticket.linked",
                    actor,
                    now,
                    data={"related_id": ticket.id, "related_number": ticket.number},
                ),
            ]
            self.versions.save([(first, ticket.version), (second, other.version)], entries)
            return first

        return self.versions.as_agent(ticket_id, based_on, write)

    def relate(self, ticket_id: str, other_id: str) -> None:
        """Add ``other_id`` to a ticket's related tickets on behalf of the system (retrying on conflict)."""

        def attempt(ticket: Ticket) -> Ticket:
            if other_id in ticket.related_ids:
                return ticket
            now = self.clock()
            after = replace(
                ticket, related_ids=(*ticket.related_ids, other_id), updated_at=now, version=ticket.version + 1
            )
            entry = TimelineEntry.system(after, "ticket.linked", SYSTEM, now, data={"related_id": other_id})
            self.tickets.save([(after, ticket.version)], [entry])
            return after

        on_latest(self.tickets, ticket_id, attempt)


def _joined_conversation(target: Ticket, timeline: list[TimelineEntry]) -> dict[str, Any]:
    """The target's mail conversation once the source's timeline is copied over (in id order, as the walk reads
    it; domain/mailthread.py): unknown when the target's was not read with it."""
    version = target.version + 1
    if target.mail_thread is None:
        return {"mail_thread_version": None, "mail_thread": None, "customer_mark": None}
    state = target.mail_thread.merged(timeline, version)
    ours = newest_customer_message(target.mail_thread, target.customer_mark, target.version)
    theirs = [e for e in timeline if customer_message(e)]
    mark = target.customer_mark
    if theirs and (ours is None or theirs[-1].id > ours[0]):
        # Their newest customer message is the newest: an inbound mail is the thread's newest now.
        mark = CustomerMark.after(None, [replace(theirs[-1], ticket_version=version)])
    return {"mail_thread_version": state.stamp, "mail_thread": state, "customer_mark": mark}
