"""Scripted tickets for report tests: a ticket and its timeline written by the domain's own methods
(``Ticket.change``, ``Ticket.posted``, ``TimelineEntry``) at the instants a test names."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.core.ids import new_id
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket
from chalicelib.domain.timeline import SYSTEM, Actor, ActorKind, EntryKind, TimelineEntry

_last_ms = 0


def ordered_id(at: datetime) -> str:
    """A time-ordered id that also sorts after every id made before (so the table keeps script order)."""
    global _last_ms
    _last_ms = max(_last_ms + 1, int(at.timestamp() * 1000))
    return new_id(_last_ms)


def agent(agent_id: str) -> Actor:
    return Actor(ActorKind.AGENT, agent_id)


@dataclass
class Script:
    ticket: Ticket
    timeline: list[TimelineEntry] = field(default_factory=list)
    initial: Ticket | None = None  # the ticket as it was created (the brute-force calculator starts from it)

    @classmethod
    def open(
        cls,
        at: datetime,
        number: int = 1,
        channel: Channel = Channel.EMAIL,
        priority: Priority = Priority.NORMAL,
        team_id: str | None = None,
        by: Actor | None = None,
        customer: str = "C1",
    ) -> Script:
        """A ticket created at ``at`` (by the customer, or by ``by``) with its first message."""
        ticket = Ticket(
            new_id(), number, "Help", customer, channel, at, at, priority=priority, team_id=team_id,
            last_customer_message_at=at,
        )  # fmt: skip
        actor = by or Actor(ActorKind.CUSTOMER, customer)
        created = replace(TimelineEntry.system(ticket, "ticket.created", actor, at), id=ordered_id(at))
        message = TimelineEntry.post(ticket, EntryKind.MESSAGE, Actor(ActorKind.CUSTOMER, customer), at, "Hi")
        data = {"submitted_by": f"agent:{actor.id}"} if actor.kind is ActorKind.AGENT else {}
        return cls(ticket, [created, replace(message, id=ordered_id(at), data=data)], ticket)

    def _add(self, entries: list[TimelineEntry]) -> Script:
        self.timeline += [replace(e, id=ordered_id(e.at)) for e in entries]
        return self

    def change(self, at: datetime, actor: Actor = SYSTEM, **values: Any) -> Script:
        self.ticket, entries = self.ticket.change(actor, at, **values)
        return self._add(entries)

    def post(self, at: datetime, author: Actor, kind: EntryKind = EntryKind.MESSAGE) -> Script:
        self.ticket = self.ticket.posted(kind, author, at)
        return self._add([TimelineEntry.post(self.ticket, kind, author, at, "text")])

    def customer(self, at: datetime) -> Script:
        """The customer writes; a pending, on-hold or solved ticket opens again (as the ticket service does)."""
        self.post(at, Actor(ActorKind.CUSTOMER, self.ticket.requester_id))
        if self.ticket.status in (Status.PENDING, Status.ON_HOLD, Status.SOLVED):
            self.change(at, Actor(ActorKind.CUSTOMER, self.ticket.requester_id), status=Status.OPEN)
        return self

    def reply(self, at: datetime, agent_id: str, status: Status | None = None) -> Script:
        self.post(at, agent(agent_id))
        return self.change(at, agent(agent_id), status=status) if status else self

    def automatic(self, at: datetime) -> Script:
        """Automatic mail (a trigger's canned reply): public, by the system."""
        return self.post(at, Actor(ActorKind.SYSTEM, "trigger:T1"))

    def event(self, at: datetime, name: str, data: dict[str, Any] | None = None) -> Script:
        return self._add([TimelineEntry.system(self.ticket, name, SYSTEM, at, data=data)])

    def csat(self, at: datetime, rating: int, previous: int | None = None) -> Script:
        data = {"rating": rating, "previous_rating": previous, "assignee_id": self.ticket.assignee_id}
        customer = Actor(ActorKind.CUSTOMER, self.ticket.requester_id)
        return self._add([TimelineEntry.system(self.ticket, "csat.answered", customer, at, data=data)])

    def entry(self, event: str, n: int = 0) -> TimelineEntry:
        """The ``n``-th entry of type ``event``."""
        return [e for e in self.timeline if e.event == event][n]
