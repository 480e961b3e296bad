"""Agents' working hours: local wall-clock intervals per weekday in the agent's time zone.

``hours_from_doc`` reads the API's form (``{"mon": [["09:00", "17:00"]]}``) and ``hours_to_doc`` writes it;
``is_working`` says whether an instant falls inside them, with the DST rules of
:mod:`chalicelib.calendars.calendar` (an end of ``"24:00"`` or ``"00:00"`` is midnight at the end of the day).
"""

from __future__ import annotations

import re
from datetime import datetime, time
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from chalicelib.calendars.calendar import BusinessCalendar, Interval, is_open
from chalicelib.core.errors import FieldError

if TYPE_CHECKING:
    from chalicelib.domain.people import Agent

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")

Hours = tuple[tuple[int, str, str], ...]


def is_working(agent: Agent, now: datetime) -> bool:
    """Whether ``now`` falls in the agent's working hours (always, when they have none).

    Raises ValueError for a naive ``now`` or hours / a time zone that cannot be read.
    """
    require_aware(now)
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
        raise FieldError("", f"{role} {value!r} is not a time HH:MM (00:00 to 23:59; 24:00 only as an end)")
    return time(0) if value == "24:00" else time.fromisoformat(value)


def require_aware(now: datetime) -> None:
    """Raises ValueError for a naive datetime (an instant without its offset cannot be placed in a zone)."""
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


def hours_from_doc(value: Any) -> Hours:
    """Working hours from ``{"mon": [["09:00", "17:00"], ...], ...}`` (days ``mon``..``sun``, any subset).

    Returns ``(weekday, start, end)`` sorted; an end of ``"00:00"`` is stored as ``"24:00"``. Raises
    ValueError("<day>[<n>]: <problem>") for a bad day or time, an end not after its start, or an overlap.
    An empty object means any time.
    """
    if not isinstance(value, dict):
        raise FieldError("", f"expected an object keyed by day (mon..sun), got {value!r}")
    hours: list[tuple[int, str, str]] = []
    for day, intervals in value.items():
        if day not in DAYS:
            raise FieldError(day, f"unknown day; expected one of {', '.join(DAYS)}")
        if not isinstance(intervals, list):
            raise FieldError(day, "expected a list of [start, end] pairs")
        hours.extend(_day_hours(DAYS.index(day), day, intervals))
    return tuple(sorted(hours))


def _day_hours(weekday: int, day: str, intervals: list[Any]) -> list[tuple[int, str, str]]:
    pieces: list[tuple[time, time, str]] = []
    for n, pair in enumerate(intervals):
        path = f"{day}[{n}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise FieldError(path, f'expected a ["HH:MM", "HH:MM"] pair, got {pair!r}')
        try:
            start, end = _clock(pair[0], "start"), _clock(pair[1], "end")
        except FieldError as exc:
            raise exc.within(path) from None
        if end != time(0) and end <= start:
            raise FieldError(path, f"end {pair[1]} is not after start {pair[0]}")
        pieces.append((start, end, path))
    pieces.sort()
    for (_, previous_end, previous), (start, end, path) in pairwise(pieces):
        if previous_end == time(0) or start < previous_end:
            raise FieldError(path, f"{_hhmm(start)}-{_hhmm(end, True)} overlaps {previous}")
    return [(weekday, _hhmm(start), _hhmm(end, True)) for start, end, _ in pieces]


def _hhmm(value: time, end: bool = False) -> str:
    return "24:00" if end and value == time(0) else value.strftime("%H:%M")


def hours_to_doc(hours: Hours) -> dict[str, list[list[str]]]:
    """The document form of working hours: only days with hours, in weekday order."""
    doc: dict[str, list[list[str]]] = {}
    for weekday, start, end in sorted(hours):
        doc.setdefault(DAYS[weekday], []).append([start, end])
    return doc
