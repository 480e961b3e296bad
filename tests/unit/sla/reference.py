"""Business time from its definition, for property tests: one question per UTC minute, weighed exactly.

An instant is open when its wall-clock time in the calendar's zone falls in an interval of its local weekday
and its local date is not a holiday. This reference asks exactly that at the start of every UTC minute and
counts the part of the minute that lies in the range, to the microsecond. That is exact whenever openness
cannot change inside a UTC minute: interval bounds are whole minutes (the strategies draw only those) and
the zone's offsets are whole minutes (every zone since 1972; ``ref_open`` checks it). It shares nothing with
the module under test but ``Interval`` and ``BusinessCalendar`` as plain data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from chalicelib.calendars.calendar import BusinessCalendar

MINUTE = timedelta(minutes=1)


@lru_cache(maxsize=64)
def _country_days(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def ref_open(cal: BusinessCalendar, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(cal.time_zone))
    offset = local.utcoffset()
    assert offset is not None and offset % MINUTE == timedelta(0), f"{cal.time_zone} offset {offset} at {at}"
    day = local.date()
    if day in cal.holidays or (cal.country and day in _country_days(cal.country, day.year)):
        return False
    wall = local.time().replace(tzinfo=None)
    return any(i.start <= wall and (i.end == time(0) or wall < i.end) for i in cal.week.get(day.weekday(), ()))


def _open_parts(cal: BusinessCalendar, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The parts of ``[start, end)`` (UTC) that lie in open UTC minutes, in time order."""
    minute = start.replace(second=0, microsecond=0)
    while minute < end:
        if ref_open(cal, minute):
            yield max(minute, start), min(minute + MINUTE, end)
        minute += MINUTE


def ref_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time in ``[start, end)``, both given in UTC."""
    assert start.tzinfo is UTC and end.tzinfo is UTC
    return sum((hi - lo for lo, hi in _open_parts(cal, start, end)), timedelta(0))


def ref_add(cal: BusinessCalendar, start: datetime, amount: timedelta, horizon: timedelta) -> datetime | None:
    """The first instant with ``amount`` of business time in ``[start, it)`` (for zero: the first open instant
    from ``start`` on); None when that is beyond ``start + horizon``."""
    assert start.tzinfo is UTC
    for lo, hi in _open_parts(cal, start, start + horizon):
        if amount <= hi - lo:
            return lo + amount
        amount -= hi - lo
    return None
