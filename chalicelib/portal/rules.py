"""Who sees which ticket in the portal, what of it, and what they may do there. Pure: no storage.

A customer sees the tickets they asked for; a manager of an organization also sees (and may answer) every
ticket of the organization. Of a ticket's timeline, only public messages reach a page: internal notes, system
events, CC addresses and every agent-only field (assignee, team, priority, tags, SLA) stay behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from chalicelib.domain.people import Customer
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.timeline import EntryKind, TimelineEntry


class Scope(StrEnum):
    MINE = "mine"
    ORGANIZATION = "organization"


class StatusFilter(StrEnum):
    OPEN = "open"  # anything the desk still works on (new, open, pending, on hold)
    SOLVED = "solved"  # solved or closed
    ALL = "all"


def may_see(viewer: Customer, ticket: Ticket) -> bool:
    if ticket.requester_id == viewer.id:
        return True
    return bool(viewer.manager and viewer.organization_id and ticket.organization_id == viewer.organization_id)


def scopes(viewer: Customer) -> tuple[Scope, ...]:
    """The lists a customer can choose between: their own, and their organization's for a manager."""
    return (Scope.MINE, Scope.ORGANIZATION) if viewer.manager and viewer.organization_id else (Scope.MINE,)


def conversation(timeline: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """The public messages, oldest first: what the customer and the desk said to each other."""
    return [e for e in timeline if e.kind is EntryKind.MESSAGE]


def can_reply(ticket: Ticket) -> bool:
    """Closed tickets are final (a follow-up request is a new ticket); a merged one lives on in its target."""
    return ticket.status is not Status.CLOSED and ticket.merged_into_id is None


def can_close(ticket: Ticket) -> bool:
    """The customer says the request is solved (the desk's ``solved``; auto-close closes it later)."""
    return ticket.status.active and ticket.merged_into_id is None


def can_reopen(ticket: Ticket) -> bool:
    """Within the reopen window: solved, not yet closed."""
    return ticket.status is Status.SOLVED and ticket.merged_into_id is None


def matches(ticket: Ticket, status: StatusFilter, query: str) -> bool:
    if status is StatusFilter.OPEN and not ticket.status.active:
        return False
    if status is StatusFilter.SOLVED and ticket.status.active:
        return False
    words = query.casefold().split()
    return all(word in ticket.subject.casefold() for word in words) or query.strip() == str(ticket.number)


def customer_status(status: Status) -> str:
    """The status as a customer reads it: new and open are both 'open'; pending is 'awaiting your reply'."""
    return {
        Status.NEW: "open",
        Status.OPEN: "open",
        Status.PENDING: "waiting",
        Status.ON_HOLD: "open",
        Status.SOLVED: "solved",
        Status.CLOSED: "closed",
    }[status]
