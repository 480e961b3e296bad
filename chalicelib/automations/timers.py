"""Time-based automations: close solved tickets, remind the customer of a pending ticket, then solve it.

A ticket has at most one timer, derived from its status and timeline (nothing is stored):

- solved: CLOSE ``auto_close_days`` after it was solved;
- pending, no reminder since it became pending: REMIND ``reminder_days`` after it became pending;
- pending and reminded since: SOLVE ``solve_after_reminder_days`` after the reminder;
- anything else, or a merged ticket: no timer. Reopening a ticket or a new pending period starts over.

Days are calendar days. A setting of 0 disables its step only: with ``reminder_days=0`` no reminder is sent and
the ticket is solved ``solve_after_reminder_days`` after it became pending; with ``solve_after_reminder_days=0``
the customer is reminded and the ticket stays pending.

A timer's ``basis`` names the state it belongs to (``solved@<time>``, ``pending@<time>``, ``reminded@<time>``):
the claim key built from it makes a redelivered or repeated sweep act once per state, while a later state (the
ticket solved again, a new pending period) gets a new key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.people import Team
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.storage import keys

REMINDED = "ticket.reminded"


class TimerAction(StrEnum):
    CLOSE = "close"
    REMIND = "remind"
    SOLVE = "solve"


@dataclass(frozen=True)
class Timer:
    action: TimerAction
    due_at: datetime
    basis: str


@dataclass(frozen=True)
class TimerSettings:
    """Days for each step; 0 disables the step."""

    auto_close_days: int = 4
    reminder_days: int = 3
    solve_after_reminder_days: int = 4

    def __post_init__(self) -> None:
        for name in ("auto_close_days", "reminder_days", "solve_after_reminder_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name}: must be a whole number of days >= 0, got {value!r}")

    @classmethod
    def of(cls, team: Team | None) -> TimerSettings:
        """The team's settings; the defaults for a ticket without a team."""
        if team is None:
            return cls()
        return cls(team.auto_close_days, team.reminder_days, team.solve_after_reminder_days)


def next_timer(ticket: Ticket, timeline: Sequence[TimelineEntry], settings: TimerSettings) -> Timer | None:
    """The ticket's next time-based action, or ``None``; ``timeline`` is the ticket's entries in any order."""
    if ticket.merged_into_id:
        return None
    entries = sorted(timeline, key=lambda e: e.at)  # stable: entries written at the same instant keep their order
    if ticket.status is Status.SOLVED:
        solved = _last_set_to(entries, Status.SOLVED)
        since = entries[solved].at if solved is not None else ticket.solved_at
        return _timer(TimerAction.CLOSE, since, settings.auto_close_days, "solved")
    if ticket.status is not Status.PENDING:
        return None
    pending = _last_set_to(entries, Status.PENDING)
    # No recorded change to pending: the ticket was created pending.
    since = entries[pending].at if pending is not None else ticket.created_at
    after = entries[pending + 1 :] if pending is not None else entries
    reminded = next((e for e in reversed(after) if e.event == REMINDED), None)
    if reminded:
        return _timer(TimerAction.SOLVE, reminded.at, settings.solve_after_reminder_days, "reminded")
    if settings.reminder_days == 0:
        return _timer(TimerAction.SOLVE, since, settings.solve_after_reminder_days, "pending")
    return _timer(TimerAction.REMIND, since, settings.reminder_days, "pending")


def _last_set_to(entries: Sequence[TimelineEntry], status: Status) -> int | None:
    """The index of the last entry whose changes set the status to ``status``."""
    for index in range(len(entries) - 1, -1, -1):
        if any(c.field == "status" and c.new == status for c in entries[index].changes):
            return index
    return None


def _timer(action: TimerAction, since: datetime | None, days: int, state: str) -> Timer | None:
    if since is None or days == 0:
        return None
    return Timer(action, since + timedelta(days=days), f"{state}@{since.isoformat()}")


def timer_claim_key(ticket_id: str, timer: Timer) -> str:
    """Written with the timer's action, so the action happens once per ticket, action and state."""
    return keys.timer(ticket_id, str(timer.action), timer.basis)


def is_due(timer: Timer, now: datetime) -> bool:
    return now >= timer.due_at
