"""Hypothesis strategies for business calendars and instants where time zones are awkward.

Zones with DST, half-hour and 45-minute offsets, a 30-minute DST shift (Lord Howe), historic rules (São Paulo
fell back at midnight until 2019; St. John's and Goose Bay fell back across midnight until 2010), a skipped
date (Apia, 2011-12-30) and two DST switches a year for Ramadan (Casablanca). Instants cluster around the
zone's offset changes, with whole minutes (to land on interval bounds) and microseconds, and reach the
functions as UTC, as wall times of the calendar's zone (fold 0 or 1, existing or not), or in other zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from chalicelib.calendars.calendar import BusinessCalendar, Interval

ZONES = [
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/St_Johns",
    "America/Sao_Paulo",
    "America/Goose_Bay",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Africa/Casablanca",
    "America/New_York",
    "UTC",
]
YEARS = [1990, 2000, 2010, 2011, 2018, 2019, 2025, 2026]
ELSEWHERE = [ZoneInfo("Asia/Kathmandu"), ZoneInfo("America/Los_Angeles"), timezone(timedelta(hours=-7, minutes=-13))]
ALL_DAY = (Interval(time(0), time(0)),)
SPREAD = timedelta(hours=30)  # instants lie within this distance of an anchor
HOUR, MINUTE, MICROSECOND = timedelta(hours=1), timedelta(minutes=1), timedelta(microseconds=1)


@lru_cache(maxsize=128)
def transitions(zone_name: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants at which the zone's offset changes during ``year`` (to the second)."""
    found, day = [], datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        after = day + timedelta(days=1)
        if offset(zone_name, day) != offset(zone_name, after):
            lo, hi = day, after
            while hi - lo > timedelta(seconds=1):
                middle = (lo + (hi - lo) / 2).replace(microsecond=0)
                lo, hi = (middle, hi) if offset(zone_name, middle) == offset(zone_name, lo) else (lo, middle)
            found.append(hi)
        day = after
    return tuple(found)


_BOUNDARY = st.one_of(
    st.integers(0, 1440),
    st.sampled_from([0, 1, 30, 60, 90, 120, 150, 180, 540, 720, 1020, 1380, 1410, 1439, 1440]),
)


def _to_time(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def split_shifts(draw: st.DrawFn) -> tuple[Interval, ...]:
    """Zero to three intervals of a day, bounds in whole minutes."""
    points = sorted(draw(st.sets(_BOUNDARY, max_size=6)))
    if len(points) % 2:
        points = points[:-1]
    return tuple(Interval(_to_time(a), _to_time(b)) for a, b in zip(points[::2], points[1::2], strict=True))


@st.composite
def calendars(draw: st.DrawFn, zone: str, near: date) -> BusinessCalendar:
    """Each weekday open all day, closed, or on one of two split-shift patterns; holidays near ``near``."""
    shapes = (ALL_DAY, (), draw(split_shifts()), draw(split_shifts()))
    week = {d: shapes[shape] for d, shape in enumerate(draw(st.lists(st.integers(0, 3), min_size=7, max_size=7)))}
    if not any(week.values()):
        week[near.weekday()] = ALL_DAY
    explicit = draw(st.sets(st.integers(-3, 3).map(lambda n: near + timedelta(days=n)), max_size=2))
    country = draw(st.sampled_from([None, None, None, "US", "GB", "BR"]))
    return BusinessCalendar(zone, week, holidays=frozenset(explicit), country=country)


@dataclass(frozen=True)
class Anchor:
    """Where a scenario's instants cluster: usually an offset change of the zone, ``size`` its magnitude."""

    zone: str
    at: datetime
    size: timedelta


@st.composite
def anchors(draw: st.DrawFn) -> Anchor:
    zone = draw(st.sampled_from(ZONES))
    year = draw(st.sampled_from(YEARS))
    changes = transitions(zone, year)
    if changes and draw(st.integers(0, 7)):
        return _change(zone, draw(st.sampled_from(changes)))
    start = datetime(year, 1, 1, tzinfo=UTC)
    return Anchor(zone, start + draw(st.integers(0, 365 * 1440)) * MINUTE, HOUR)


def _change(zone: str, at: datetime) -> Anchor:
    before, after = (offset(zone, at + d * MICROSECOND) for d in (-1, 0))
    return Anchor(zone, at, abs(after - before))


def offset(zone: str, at: datetime) -> timedelta:
    value = at.astimezone(ZoneInfo(zone)).utcoffset()
    assert value is not None
    return value


@st.composite
def shifts(draw: st.DrawFn, spread: timedelta) -> timedelta:
    """Up to ``spread`` either way: whole minutes (to meet interval bounds) or microseconds."""
    if draw(st.booleans()):
        return draw(st.integers(-(spread // MINUTE), spread // MINUTE)) * MINUTE
    return draw(st.integers(-(spread // MICROSECOND), spread // MICROSECOND)) * MICROSECOND


@st.composite
def instants(draw: st.DrawFn, anchor: Anchor, spread: timedelta) -> datetime:
    """An instant near ``anchor`` as a caller might pass it: in UTC, or as a wall time of the calendar's zone
    with fold 0 or 1 (repeated and skipped wall times included). Its absolute time is ``utc(instant)``."""
    shift = draw(shifts(spread))
    if draw(st.booleans()):
        return anchor.at + shift
    zone = ZoneInfo(anchor.zone)
    wall = anchor.at.astimezone(zone).replace(tzinfo=None) + shift
    return wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1)))


@st.composite
def scenarios(draw: st.DrawFn, count: int) -> tuple[BusinessCalendar, list[datetime]]:
    """A calendar and ``count`` instants near one of its zone's offset changes: often within the change's own
    size of it (where wall time and absolute time disagree), else within hours or a day or so."""
    anchor = draw(anchors())
    cal = draw(calendars(anchor.zone, anchor.at.astimezone(ZoneInfo(anchor.zone)).date()))
    spread = draw(st.sampled_from([anchor.size, anchor.size, 3 * HOUR, SPREAD]))
    return cal, [draw(instants(anchor, spread)) for _ in range(count)]


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def expressions(value: datetime, zone: str) -> list[datetime]:
    """``value`` as drawn, and the same instant in UTC, in the calendar's zone, and in other zones."""
    instant = utc(value)
    return [value, instant, instant.astimezone(ZoneInfo(zone)), *(instant.astimezone(z) for z in ELSEWHERE)]


def fall_backs(zone: str) -> list[Anchor]:
    """The zone's changes to a smaller offset (wall times repeat) in ``YEARS``."""
    changes = (_change(zone, at) for year in YEARS for at in transitions(zone, year))
    return [c for c in changes if offset(zone, c.at) < offset(zone, c.at - MICROSECOND)]


@st.composite
def around_fall_backs(draw: st.DrawFn, zone: str) -> tuple[BusinessCalendar, datetime, datetime]:
    """A calendar in ``zone`` and two UTC instants around one of its fall-backs, before and after it, both
    within the repeated period; usually the local days on both sides are open all day."""
    anchor = draw(st.sampled_from(fall_backs(zone)))
    local = ZoneInfo(zone)
    cal = draw(calendars(zone, anchor.at.astimezone(local).date()))
    before = anchor.at - draw(st.integers(1, anchor.size // MICROSECOND)) * MICROSECOND
    after = anchor.at + draw(st.integers(0, anchor.size // MICROSECOND - 1)) * MICROSECOND
    if draw(st.integers(0, 3)):
        sides = {(anchor.at + d * anchor.size).astimezone(local).weekday() for d in (-1, 0, 1)}
        cal = BusinessCalendar(zone, {**cal.week, **dict.fromkeys(sides, ALL_DAY)}, cal.holidays, cal.country)
    return cal, before, after
