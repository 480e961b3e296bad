"""Ticket views (the agent's inbox lists) and the index keys that serve them.

Both repository implementations use these keys, so the fake sorts exactly like DynamoDB does.
Sort order inside every view: active tickets first, then priority (urgent first), then age (oldest first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from chalicelib.domain.tickets import Ticket

T = TypeVar("T")


class ViewKind(StrEnum):
    UNASSIGNED = "unassigned"
    ASSIGNEE = "assignee"
    TEAM = "team"
    STATUS = "status"
    PRIORITY = "priority"
    REQUESTER = "requester"
    ORGANIZATION = "organization"
    TEAM_QUEUE = "team_queue"  # a team's unassigned active tickets, waiting for an agent


# view kind -> (index name, key attribute) in resources.TABLE
VIEW_INDEX: dict[ViewKind, tuple[str, str]] = {
    ViewKind.UNASSIGNED: ("unassigned", "unassigned_key"),
    ViewKind.ASSIGNEE: ("by_assignee", "assignee_key"),
    ViewKind.TEAM: ("by_team", "team_key"),
    ViewKind.STATUS: ("by_status", "status_key"),
    ViewKind.PRIORITY: ("by_priority", "priority_key"),
    ViewKind.REQUESTER: ("by_requester", "requester_key"),
    ViewKind.ORGANIZATION: ("by_org", "org_key"),
    ViewKind.TEAM_QUEUE: ("team_queue", "queue_key"),
}

UNASSIGNED = "UNASSIGNED"
ACTIVE_PREFIX = "A#"


@dataclass(frozen=True)
class View:
    kind: ViewKind
    value: str = UNASSIGNED
    active_only: bool = True


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    # The repository's position after the last item, or None at the end. The service signs it.
    next_key: dict[str, Any] | None = None


def every(listing: Callable[[int, dict[str, Any] | None], Page[T]], page_size: int = 100) -> Iterator[T]:
    """Every item of a paged listing (agents, teams: tens of items, not tickets), page after page."""
    start: dict[str, Any] | None = None
    while True:
        page = listing(page_size, start)
        yield from page.items
        start = page.next_key
        if start is None:
            return


def view_sort_key(ticket: Ticket) -> str:
    state = ACTIVE_PREFIX if ticket.status.active else "Z#"
    return f"{state}{ticket.priority.rank}#{ticket.created_at.isoformat()}#{ticket.id}"


def view_keys(ticket: Ticket) -> dict[str, str | None]:
    """Index key attributes of a ticket item; None removes the ticket from that (sparse) index."""
    unassigned = UNASSIGNED if ticket.assignee_id is None and ticket.status.active else None
    return {
        "view_sk": view_sort_key(ticket),
        "unassigned_key": unassigned,
        "assignee_key": ticket.assignee_id,
        "team_key": ticket.team_id,
        "status_key": str(ticket.status),
        "priority_key": str(ticket.priority),
        "requester_key": ticket.requester_id,
        "org_key": ticket.organization_id,
        "queue_key": ticket.team_id if unassigned else None,
    }
