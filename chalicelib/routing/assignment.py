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

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, time
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from typing import Any

from chalicelib.calendars.calendar import BusinessCalendar, Interval, is_open
from chalicelib.domain.people import Agent, Availability, Strategy
from chalicelib.domain.tickets import Ticket

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")

Hours = tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class Candidate:
    agent: Agent
    load: int  # tickets counted against the agent: assigned to them and new or open


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
    _require_aware(now)
    duplicates = sorted(i for i, n in Counter(c.agent.id for c in candidates).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate candidates: {', '.join(duplicates)}")
    needed = _needed_skills(ticket) if strategy is Strategy.SKILLS else ()
    ordered = sorted(candidates, key=lambda c: c.agent.id)
    considered = tuple(_consider(c, team_id, needed, now) for c in ordered)
    eligible = [c for c, seen in zip(ordered, considered, strict=True) if seen.eligible]
    if strategy is Strategy.MANUAL:
        return Ranking(strategy, (), considered)
    best = _rotated(eligible, cursor)
    if strategy is not Strategy.ROUND_ROBIN:
        best.sort(key=lambda c: (Fraction(c.load, c.agent.capacity), c.load))  # stable: ties keep their turn
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
    _require_aware(now)
    if not agent.active:
        return "deactivated"
    if team_id not in agent.teams:
        return "not in team"
    if agent.availability is not Availability.ONLINE:
        return str(agent.availability.value)
    try:
        working = is_working(agent, now)
    except ValueError as exc:  # stored hours or time zone that cannot be read: never assign automatically
        return f"invalid working hours: {exc}"
    return None if working else "outside working hours"


def is_working(agent: Agent, now: datetime) -> bool:
    """Whether ``now`` falls in the agent's working hours (always, when they have none).

    Raises ValueError for a naive ``now`` or hours / a time zone that cannot be read.
    """
    _require_aware(now)
    if not agent.working_hours:
        return True
    return is_open(_hours_calendar(agent.time_zone, tuple(sorted(agent.working_hours))), now)


@lru_cache(maxsize=1024)
def _hours_calendar(time_zone: str, hours: Hours) -> BusinessCalendar:
    week: dict[int, tuple[Interval, ...]] = {}
    for weekday, start, end in hours:
        week[weekday] = (*week.get(weekday, ()), Interval(_clock(start, "start"), _clock(end, "end")))
    calendar = BusinessCalendar(time_zone, week)
    calendar.validate()
    return calendar


def _clock(value: Any, role: str) -> time:
    """A start or end "HH:MM"; an end of "24:00" or "00:00" is midnight at the end of the day (``time(0)``)."""
    if not isinstance(value, str) or not _CLOCK.fullmatch(value) or (role == "start" and value == "24:00"):
        raise ValueError(f"{role} {value!r} is not a time HH:MM (00:00 to 23:59; 24:00 only as an end)")
    return time(0) if value == "24:00" else time.fromisoformat(value)


def _require_aware(now: datetime) -> None:
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


def hours_from_doc(value: Any) -> Hours:
    """Working hours from ``{"mon": [["09:00", "17:00"], ...], ...}`` (days ``mon``..``sun``, any subset).

    Returns ``(weekday, start, end)`` sorted; an end of ``"00:00"`` is stored as ``"24:00"``. Raises
    ValueError("<day>[<n>]: <problem>") for a bad day or time, an end not after its start, or an overlap.
    An empty object means any time.
    """
    if not isinstance(value, dict):
        raise ValueError(f"working hours: expected an object keyed by day (mon..sun), got {value!r}")
    hours: list[tuple[int, str, str]] = []
    for day, intervals in value.items():
        if day not in DAYS:
            raise ValueError(f"{day}: unknown day; expected one of {', '.join(DAYS)}")
        if not isinstance(intervals, list):
            raise ValueError(f"{day}: expected a list of [start, end] pairs")
        hours.extend(_day_hours(DAYS.index(day), day, intervals))
    return tuple(sorted(hours))


def _day_hours(weekday: int, day: str, intervals: list[Any]) -> list[tuple[int, str, str]]:
    pieces: list[tuple[time, time, str]] = []
    for n, pair in enumerate(intervals):
        path = f"{day}[{n}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f'{path}: expected a ["HH:MM", "HH:MM"] pair, got {pair!r}')
        try:
            start, end = _clock(pair[0], "start"), _clock(pair[1], "end")
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        if end != time(0) and end <= start:
            raise ValueError(f"{path}: end {pair[1]} is not after start {pair[0]}")
        pieces.append((start, end, path))
    pieces.sort()
    for (_, previous_end, previous), (start, end, path) in pairwise(pieces):
        if previous_end == time(0) or start < previous_end:
            raise ValueError(f"{path}: {_hhmm(start)}-{_hhmm(end, True)} overlaps {previous}")
    return [(weekday, _hhmm(start), _hhmm(end, True)) for start, end, _ in pieces]


def _hhmm(value: time, end: bool = False) -> str:
    return "24:00" if end and value == time(0) else value.strftime("%H:%M")


def hours_to_doc(hours: Hours) -> dict[str, list[list[str]]]:
    """The document form of working hours: only days with hours, in weekday order."""
    doc: dict[str, list[list[str]]] = {}
    for weekday, start, end in sorted(hours):
        doc.setdefault(DAYS[weekday], []).append([start, end])
    return doc
