"""Business-hours calendar arithmetic for SLA clocks.

Semantics (the DST rule): an instant is *open* when its local wall-clock time, in the calendar's time zone,
falls in one of the half-open intervals ``[start, end)`` of its local weekday and its local date is not a
holiday. Consequences on DST days, deterministic by construction:

* spring forward: wall times that do not exist are never worked, so an interval spanning the gap is shorter
  (09:00-17:00 stays 8 h, but 01:00-04:00 in Europe/Berlin is 2 h on that day);
* fall back: wall times that repeat are worked twice, so an interval spanning the overlap is longer
  (01:00-04:00 in Europe/Berlin is 4 h on that day).

``Interval.end == time(0)`` means midnight at the end of the day (24:00), so round-the-clock desks can be
described. Day boundaries are computed per local date, so where the clock falls back across midnight the
repeated hour belongs to the earlier date.

The arithmetic walks working days and their UTC pieces, never minutes, and gives up after ``SEARCH_DAYS``.
Business time is a ``timedelta``, exact to the microsecond as datetimes are; only ``business_seconds_between``
truncates (to report whole seconds).

Instants are compared and subtracted in UTC only: every public function converts its arguments first. Python
compares and subtracts aware datetimes that share a tzinfo by their wall times, ignoring ``fold``, so two
local instants around a fall-back would be misordered (01:50 BST is before 01:10 GMT).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.core.errors import FieldError

SEARCH_DAYS = 5 * 366
_ONE_SECOND = timedelta(seconds=1)
_MIDNIGHT = time(0)


@dataclass(frozen=True)
class Interval:
    """Working time ``[start, end)`` in local wall-clock time; ``end == time(0)`` means 24:00."""

    start: time
    end: time

    def contains(self, at: time) -> bool:
        return self.start <= at and (self.end == _MIDNIGHT or at < self.end)

    def end_on(self, day: date) -> datetime:
        if self.end == _MIDNIGHT:
            return datetime.combine(day + timedelta(days=1), _MIDNIGHT)
        return datetime.combine(day, self.end)


@dataclass(frozen=True)
class BusinessCalendar:
    """A weekly schedule (0=Monday..6=Sunday) in an IANA time zone, minus explicit and public holidays."""

    time_zone: str
    week: dict[int, tuple[Interval, ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)
    country: str | None = None
    subdivision: str | None = None

    def validate(self) -> None:
        """Raise FieldError (at ``time_zone``, ``week.<day>``, ``subdivision`` ...) when it cannot be used."""
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise FieldError("time_zone", f"unknown time zone {self.time_zone!r}") from exc
        for weekday, intervals in self.week.items():
            _validate_day(weekday, intervals)
        if not any(self.week.values()):
            raise FieldError("week", "the week has no working time")
        if self.subdivision is not None and self.country is None:
            raise FieldError("subdivision", "subdivision needs a country")
        if self.country is not None:
            _check_region(self.country, self.subdivision)

    def is_holiday(self, day: date) -> bool:
        if day in self.holidays:
            return True
        return self.country is not None and day in _public_holidays(self.country, self.subdivision, day.year)


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _validate_day(weekday: int, intervals: tuple[Interval, ...]) -> None:
    if weekday not in range(7):
        raise FieldError("week", f"weekday {weekday} is not in 0 (Monday)..6 (Sunday)")
    path = f"week.{_DAY_NAMES[weekday]}"
    previous: Interval | None = None
    for interval in intervals:
        if interval.end != _MIDNIGHT and interval.end <= interval.start:
            raise FieldError(path, f"interval {interval.start}-{interval.end} ends before it starts")
        if previous is not None:
            if interval.start < previous.start:
                raise FieldError(path, "intervals are not ordered by start time")
            if previous.end == _MIDNIGHT or interval.start < previous.end:
                raise FieldError(
                    path, f"interval {interval.start}-{interval.end} overlaps {previous.start}-{previous.end}"
                )
        previous = interval


def holiday_regions() -> dict[str, list[str]]:
    """The countries with known public holidays (ISO 3166-1 alpha-2 and alpha-3 codes), each with the codes of
    its subdivisions: exactly what a calendar's ``country`` and ``subdivision`` accept."""
    import holidays  # lazy: only calendars with a country pay for it

    return holidays.list_supported_countries()


def _check_region(country: str, subdivision: str | None) -> None:
    regions = holiday_regions()
    if country not in regions:
        raise FieldError("country", f"unknown country {country!r} for public holidays")
    if subdivision is not None and subdivision not in regions[country]:
        raise FieldError("subdivision", f"unknown subdivision {subdivision!r} of {country!r} for public holidays")


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays  # lazy: only calendars with a country pay for it

    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as exc:
        field = (
            "subdivision"
            if subdivision is not None and country.upper() in holidays.list_supported_countries()
            else "country"
        )
        raise FieldError(field, f"unknown country/subdivision {country!r}/{subdivision!r} for public holidays") from exc
    return frozenset(table.keys())


def _offset_segments(zone: ZoneInfo, day: date) -> list[tuple[datetime, datetime, timedelta]]:
    """Naive-UTC segments of constant UTC offset covering every instant whose local date is ``day``."""
    lo = datetime.combine(day - timedelta(days=1), _MIDNIGHT)
    hi = datetime.combine(day + timedelta(days=2), _MIDNIGHT)
    segments: list[tuple[datetime, datetime, timedelta]] = []
    while lo < hi:
        offset = _offset(zone, lo)
        if _offset(zone, hi) == offset:
            segments.append((lo, hi, offset))
            break
        left, right = lo, hi  # offset(left) == offset, offset(right) != offset
        while right - left > _ONE_SECOND:
            middle = left + (right - left) / 2
            middle = middle.replace(microsecond=0)
            if _offset(zone, middle) == offset:
                left = middle
            else:
                right = middle
        segments.append((lo, right, offset))
        lo = right
    return segments


def _offset(zone: ZoneInfo, naive_utc: datetime) -> timedelta:
    offset = naive_utc.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _day_pieces(cal: BusinessCalendar, zone: ZoneInfo, day: date) -> list[tuple[datetime, datetime]]:
    """Open UTC periods (aware) whose local date is ``day``, sorted and disjoint."""
    intervals = cal.week.get(day.weekday(), ())
    if not intervals or cal.is_holiday(day):
        return []
    pieces: list[tuple[datetime, datetime]] = []
    for seg_start, seg_end, offset in _offset_segments(zone, day):
        for interval in intervals:
            lo = max(seg_start, datetime.combine(day, interval.start) - offset)
            hi = min(seg_end, interval.end_on(day) - offset)
            if lo < hi:
                pieces.append((lo.replace(tzinfo=UTC), hi.replace(tzinfo=UTC)))
    return sorted(pieces)


def _pieces_from(cal: BusinessCalendar, zone: ZoneInfo, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open UTC periods in time order, from the local day before ``start``'s.

    Days are not always in time order: a fall-back across midnight (St. John's until 2010: 00:01 back to 23:01)
    puts a day's repeated hour after the next day's first minute. A day's pieces start no earlier than the UTC
    midnight of the day before it (``_offset_segments``), so once a day is read, what starts before its UTC
    midnight comes next.
    """
    first = start.astimezone(zone).date() - timedelta(days=1)
    waiting: list[tuple[datetime, datetime]] = []
    for n in range(SEARCH_DAYS):
        day = first + timedelta(days=n)
        for piece in _day_pieces(cal, zone, day):
            heapq.heappush(waiting, piece)
        settled = datetime.combine(day, _MIDNIGHT, UTC)
        while waiting and waiting[0][0] < settled:
            yield heapq.heappop(waiting)
    while waiting:
        yield heapq.heappop(waiting)
    raise ValueError(f"no business time within {SEARCH_DAYS} days of {start.isoformat()}")


def _utc(value: datetime, name: str) -> datetime:
    """``value`` in UTC, where comparison and subtraction mean absolute time; naive datetimes are refused."""
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def business_time_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time in ``[start, end)``, exact to the microsecond; zero when ``end`` is not after ``start``."""
    cal.validate()
    start, end = _utc(start, "start"), _utc(end, "end")
    total = timedelta(0)
    if end <= start:
        return total
    zone = ZoneInfo(cal.time_zone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    for n in range((last - first).days + 1):
        for lo, hi in _day_pieces(cal, zone, first + timedelta(days=n)):
            overlap = min(hi, end) - max(lo, start)
            if overlap > timedelta(0):
                total += overlap
    return total


def add_business_time(cal: BusinessCalendar, start: datetime, amount: timedelta) -> datetime:
    """The first UTC instant at which ``amount`` of business time has elapsed after ``start`` (exact).

    A clock started outside hours starts at the next opening (so a zero ``amount`` returns that opening).
    A deadline lands inside an interval or exactly at an interval's end, never in closed time.
    """
    cal.validate()
    start = _utc(start, "start")
    if amount < timedelta(0):
        raise ValueError("the amount of business time must be >= 0")
    zone = ZoneInfo(cal.time_zone)
    remaining = amount
    for lo, hi in _pieces_from(cal, zone, start):
        if hi <= start:
            continue
        begin = max(lo, start)
        if remaining <= hi - begin:
            return begin + remaining
        remaining -= hi - begin
    raise AssertionError("unreachable: _pieces_from raises when exhausted")  # pragma: no cover


def business_seconds_between(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """:func:`business_time_between` in whole seconds (fractions truncated: not for deciding breaches)."""
    return business_time_between(cal, start, end) // _ONE_SECOND


def add_business_seconds(cal: BusinessCalendar, start: datetime, seconds: int) -> datetime:
    """:func:`add_business_time` for a whole number of seconds."""
    return add_business_time(cal, start, timedelta(seconds=seconds))


def is_open(cal: BusinessCalendar, at: datetime) -> bool:
    """Whether ``at`` is business time (local wall clock inside an interval, not a holiday)."""
    cal.validate()
    local = _utc(at, "at").astimezone(ZoneInfo(cal.time_zone))
    day = local.date()
    intervals = cal.week.get(day.weekday(), ())
    wall = local.time().replace(tzinfo=None)
    return any(i.contains(wall) for i in intervals) and not cal.is_holiday(day)
