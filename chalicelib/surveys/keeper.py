"""Keeps each solved ticket's survey in the sparse ``due`` index (``DUE#SURVEY``), run by the ``automations``
queue on the events that move a ticket into or out of ``solved``.

It reads the ticket's head only (one strongly consistent GetItem) and writes one item: due at solve + delay
while the ticket waits for its survey, out of the index otherwise. Events arrive at least once and in any
order; every write names the ticket version it was computed from, so an older one never overwrites a newer.
The sweep re-checks everything when the survey falls due: this item only says when to look.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import NotFound
from chalicelib.core.resources import DUE_SURVEY
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.storage.ports import DueItem
from chalicelib.surveys.rules import due_at, solve_key

if TYPE_CHECKING:
    from chalicelib.storage.ports import TicketRepository, WorkRepository
    from chalicelib.surveys.config import SurveyConfig

# Event types whose changes can move a ticket into or out of solved (a merge closes its source).
STATUS_EVENTS = ("ticket.updated", "ticket.merged")


class Kept(StrEnum):
    IGNORED = "ignored"  # the event did not touch "solved"
    DUE = "due"
    CLEARED = "cleared"


def touches_solved(event: dict[str, Any]) -> bool:
    """The event changed the status from or to solved, or merged the ticket away."""
    if event.get("type") == "ticket.merged":
        return bool((event.get("data") or {}).get("into"))
    solved = str(Status.SOLVED)
    return any(
        c.get("field") == "status" and solved in (c.get("old"), c.get("new"))
        for c in event.get("changes") or ()
        if isinstance(c, dict)
    )


class SurveyKeeper:
    def __init__(self, tickets: TicketRepository, work: WorkRepository, config: SurveyConfig) -> None:
        self.tickets = tickets
        self.work = work
        self.config = config

    def on_change(self, event: dict[str, Any]) -> Kept:
        if not touches_solved(event):
            return Kept.IGNORED
        try:
            ticket = self.tickets.get(event["ticket"]["id"], consistent=True)
        except NotFound:
            return Kept.IGNORED
        return self.keep(ticket)

    def keep(self, ticket: Ticket) -> Kept:
        due = due_at(ticket, self.config.for_team(ticket.team_id))
        state = {"solved_at": solve_key(ticket.solved_at)} if due and ticket.solved_at else {}
        self.work.put_due(DueItem(DUE_SURVEY, ticket.id, due, state, ticket.version))
        return Kept.DUE if due else Kept.CLEARED
