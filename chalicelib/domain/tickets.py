"""The ticket aggregate: its fields, the allowed status transitions, and the changes that become events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.core.errors import FieldProblem, InvalidInput
from chalicelib.domain.mailthread import CustomerMark, MailThread
from chalicelib.domain.timeline import Actor, Change, EntryKind, TimelineEntry


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def active(self) -> bool:
        """Unsolved: somebody still owes the customer something."""
        return self not in (Status.SOLVED, Status.CLOSED)


# A closed ticket is final: a customer writing again opens a follow-up ticket linked to it.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """Sort rank: urgent first."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class TicketType(StrEnum):
    QUESTION = "question"
    INCIDENT = "incident"
    PROBLEM = "problem"
    TASK = "task"


class Channel(StrEnum):
    EMAIL = "email"
    PORTAL = "portal"
    CHAT = "chat"
    API = "api"
    PHONE = "phone"


# Fields an agent may change with an update; each change is recorded old -> new.
UPDATABLE_FIELDS = (
    "status",
    "priority",
    "type",
    "tags",
    "team_id",
    "assignee_id",
    "ccs",
    "subject",
    "vip",
    "skills",
)


@dataclass(frozen=True)
class Ticket:
    id: str
    number: int
    subject: str
    requester_id: str
    channel: Channel
    created_at: datetime
    updated_at: datetime
    status: Status = Status.NEW
    priority: Priority = Priority.NORMAL
    type: TicketType | None = None
    tags: tuple[str, ...] = ()
    ccs: tuple[str, ...] = ()
    followers: tuple[str, ...] = ()
    organization_id: str | None = None
    team_id: str | None = None
    assignee_id: str | None = None
    first_response_at: datetime | None = None
    last_customer_message_at: datetime | None = None
    last_agent_message_at: datetime | None = None
    solved_at: datetime | None = None
    closed_at: datetime | None = None
    related_ids: tuple[str, ...] = ()
    merged_into_id: str | None = None
    # Set by routing rules (or an agent): the requester or their organization gets VIP treatment.
    vip: bool = False
    # Skills an agent needs to take the ticket (e.g. a language or a product), for skills-based assignment.
    skills: tuple[str, ...] = ()
    # Optimistic locking: every successful write increments it; a write names the version it read.
    version: int = 1
    # As read from the table: the id of its latest entry the reports count and the version that says so
    # (``domain.report_chain``; kept by the ticket repositories, not part of what a ticket is).
    chain: tuple[str | None, int] | None = field(default=None, compare=False)
    # What outbound mail threads with (domain/mailthread.py): the version that last changed the ticket's
    # MailThread item (None: unknown, a ticket written before it was kept), and the newest customer message.
    mail_thread_version: int | None = None
    customer_mark: CustomerMark | None = None
    # The MailThread item when it was read with the ticket (and is the one ``mail_thread_version`` names).
    mail_thread: MailThread | None = field(default=None, compare=False)

    def change(self, actor: Actor, at: datetime, **values: Any) -> tuple[Ticket, list[TimelineEntry]]:
        """Apply field changes; return the new ticket and the events that record them.

        An assignment is its own ``ticket.assigned`` event so that routing and notifications can
        subscribe to it; every other change goes into one ``ticket.updated`` event.
        """
        unknown = sorted(set(values) - set(UPDATABLE_FIELDS))
        if unknown:
            raise InvalidInput([FieldProblem(name, "not an updatable field") for name in unknown])
        updated = self
        changes: list[Change] = []
        for name, new in values.items():
            new = _normalise(name, new)
            old = getattr(self, name)
            if new == old:
                continue
            if name == "status":
                updated = updated._transition(new, at)
            else:
                updated = replace(updated, **{name: new})
            changes.append(Change(name, _plain(old), _plain(new)))
        if not changes:
            return self, []
        updated = replace(updated, updated_at=at, version=self.version + 1)
        assignment = [c for c in changes if c.field == "assignee_id"]
        others = [c for c in changes if c.field != "assignee_id"]
        entries = []
        if others:
            entries.append(TimelineEntry.system(updated, "ticket.updated", actor, at, others))
        if assignment:
            entries.append(TimelineEntry.system(updated, "ticket.assigned", actor, at, assignment))
        return updated, entries

    def _transition(self, target: Status, at: datetime) -> Ticket:
        if target not in TRANSITIONS[self.status]:
            allowed = ", ".join(sorted(TRANSITIONS[self.status])) or "none (closed is final)"
            raise InvalidInput(f"cannot change status from {self.status} to {target}; allowed: {allowed}", "status")
        if self.merged_into_id:
            raise InvalidInput("a merged ticket cannot change status", "status")
        solved_at = at if target is Status.SOLVED else (None if target.active else self.solved_at)
        closed_at = at if target is Status.CLOSED else None
        return replace(self, status=target, solved_at=solved_at, closed_at=closed_at)

    def posted(self, kind: EntryKind, author: Actor, at: datetime) -> Ticket:
        """The ticket after a message or note: the timestamps that reports and SLAs read."""
        bumped = replace(self, updated_at=at, version=self.version + 1)
        if kind is not EntryKind.MESSAGE:
            return bumped
        if author.is_customer:
            return replace(bumped, last_customer_message_at=at)
        return replace(bumped, first_response_at=self.first_response_at or at, last_agent_message_at=at)


def _normalise(name: str, value: Any) -> Any:
    converters: dict[str, Any] = {
        "status": Status,
        "priority": Priority,
        "type": lambda v: None if v is None else TicketType(v),
        "tags": lambda v: tuple(sorted({str(t).strip().lower() for t in v if str(t).strip()})),
        "ccs": lambda v: tuple(sorted({str(a).strip().lower() for a in v})),
        "skills": lambda v: tuple(sorted({str(t).strip().lower() for t in v if str(t).strip()})),
        "vip": bool,
    }
    try:
        return converters.get(name, lambda v: v)(value)
    except ValueError as exc:
        raise InvalidInput(f"invalid value {value!r}", name) from exc


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value
