"""Choosing an agent for a team's ticket: who is eligible, and in which order to try them.

Semantics:

* Available = active, a member of the team, online, and inside their working hours (empty hours = any time).
  Working hours are local wall-clock intervals ``[start, end)`` in the agent's time zone with the DST rules of
  :mod:`chalicelib.calendars.calendar`; an end of ``"24:00"`` (or ``"00:00"``) is midnight at the end of the day.
* Eligible = available, ``load < capacity`` (capacity 0 means never assigned automatically) and, for the
  skills strategy, holding every skill the ticket needs (case-insensitive).
* ``Ranking.order`` is the eligible agents, best first; the caller tries them in order (a concurrent write may
  fill the first). Manual teams get an empty order: their tickets wait in the team queue.
* Round robin starts after the cursor (the team's last assignee) in agent-id order, wrapping around; the
  least-loaded strategies sort by ``(load / capacity, load)`` and break ties in that same round-robin order,
  so equally loaded agents take turns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from chalicelib.calendars.working_hours import is_working, require_aware
from chalicelib.core.errors import FieldError
from chalicelib.domain.people import Agent, Availability, Strategy
from chalicelib.domain.tickets import Ticket
from chalicelib.routing.candidates import Candidate
from chalicelib.routing.strategies import STRATEGIES


@dataclass(frozen=True)
class Considered:
    """One candidate as the ranking saw it; ``reason`` is "eligible" or why not."""

    agent_id: str
    load: int
    capacity: int
    eligible: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ranking:
    strategy: Strategy
    order: tuple[str, ...]  # eligible agent ids, best first
    considered: tuple[Considered, ...]  # every candidate, sorted by agent id

    def as_dict(self) -> dict[str, Any]:
        """The decision as recorded on the ticket's timeline."""
        return {
            "strategy": self.strategy.value,
            "order": list(self.order),
            "candidates": [c.as_dict() for c in self.considered],
        }


def rank(
    strategy: Strategy,
    team_id: str,
    ticket: Ticket,
    candidates: Sequence[Candidate],
    now: datetime,
    cursor: str | None,
) -> Ranking:
    """Rank the team's candidates for ``ticket`` with ``strategy``; ``cursor`` is the team's last assignee."""
    require_aware(now)
    duplicates = sorted(i for i, n in Counter(c.agent.id for c in candidates).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate candidates: {', '.join(duplicates)}")
    spec = STRATEGIES[strategy]
    needed = _needed_skills(ticket) if spec.needs_skills else ()
    ordered = sorted(candidates, key=lambda c: c.agent.id)
    considered = tuple(_consider(c, team_id, needed, now) for c in ordered)
    eligible = [c for c, seen in zip(ordered, considered, strict=True) if seen.eligible]
    best = spec.order(_rotated(eligible, cursor))
    return Ranking(strategy, tuple(c.agent.id for c in best), considered)


def _needed_skills(ticket: Ticket) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.strip().lower() for s in ticket.skills if s.strip()))


def _consider(candidate: Candidate, team_id: str, needed: tuple[str, ...], now: datetime) -> Considered:
    agent, load = candidate.agent, candidate.load
    reason = availability_problem(agent, team_id, now)
    if reason is None:
        have = {s.strip().lower() for s in agent.skills}
        missing = [s for s in needed if s not in have]
        if missing:
            reason = f"missing skills: {', '.join(missing)}"
        elif load >= agent.capacity or agent.capacity <= 0:  # capacity 0: never assigned automatically
            reason = f"at capacity {load}/{agent.capacity}"
    return Considered(agent.id, load, agent.capacity, reason is None, reason or "eligible")


def _rotated(candidates: list[Candidate], cursor: str | None) -> list[Candidate]:
    """Sorted by agent id, starting at the first id strictly greater than ``cursor`` and wrapping around."""
    ordered = sorted(candidates, key=lambda c: c.agent.id)
    if cursor is None:
        return ordered
    start = next((n for n, c in enumerate(ordered) if c.agent.id > cursor), 0)
    return ordered[start:] + ordered[:start]


def availability_problem(agent: Agent, team_id: str, now: datetime) -> str | None:
    """Why the agent cannot take a ticket for the team right now (load aside), or None when they can."""
    require_aware(now)
    if not agent.active:
        return "deactivated"
    if team_id not in agent.teams:
        return "not in team"
    if agent.availability is not Availability.ONLINE:
        return str(agent.availability.value)
    try:
        working = is_working(agent, now)
    except ValueError as exc:  # stored hours or time zone that cannot be read: never assign automatically
        return f"invalid working hours: {exc.detail if isinstance(exc, FieldError) else exc}"
    return None if working else "outside working hours"
