"""Business-hours calendar: classic cases and regressions (properties against a reference: test_calendar_properties)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings

from chalicelib.calendars.calendar import (
    BusinessCalendar,
    Interval,
    add_business_seconds,
    business_seconds_between,
    holiday_regions,
    is_open,
)
from chalicelib.core.errors import FieldError
from tests.unit.sla.reference import ref_open
from tests.unit.sla.strategies import expressions, scenarios, utc

BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_FIVE: tuple[Interval, ...] = (Interval(time(9), time(17)),)
WEEKDAYS_9_17: dict[int, tuple[Interval, ...]] = {d: NINE_TO_FIVE for d in range(5)}
ALL_DAY: tuple[Interval, ...] = (Interval(time(0), time(0)),)


@settings(max_examples=60, deadline=None)
@given(scenarios(count=1))
def test_is_open_matches_the_wall_clock_definition(scenario: tuple[BusinessCalendar, list[datetime]]) -> None:
    cal, (at,) = scenario
    expected = ref_open(cal, utc(at))
    assert all(is_open(cal, same) == expected for same in expressions(at, cal.time_zone))


# --- regressions -----------------------------------------------------------------------------------------


def _berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_deadline_after_closing_lands_at_next_opening_plus_remainder_not_midnight() -> None:
    cal = BusinessCalendar("Europe/Berlin", WEEKDAYS_9_17)
    friday_4pm = _berlin(2026, 6, 5, 16)
    assert add_business_seconds(cal, friday_4pm, 2 * 3600) == _berlin(2026, 6, 8, 10).astimezone(UTC)


def test_deadline_that_uses_up_the_day_lands_at_interval_end() -> None:
    cal = BusinessCalendar("Europe/Berlin", WEEKDAYS_9_17)
    assert add_business_seconds(cal, _berlin(2026, 6, 5, 16), 3600) == _berlin(2026, 6, 5, 17).astimezone(UTC)


def test_clock_started_outside_hours_starts_at_next_opening() -> None:
    cal = BusinessCalendar("Europe/Berlin", WEEKDAYS_9_17)
    saturday = _berlin(2026, 6, 6, 11)
    assert add_business_seconds(cal, saturday, 0) == _berlin(2026, 6, 8, 9).astimezone(UTC)
    assert add_business_seconds(cal, saturday, 60) == _berlin(2026, 6, 8, 9, 1).astimezone(UTC)


def test_explicit_and_country_holidays_are_skipped() -> None:
    cal = BusinessCalendar("Europe/Berlin", WEEKDAYS_9_17, holidays=frozenset({date(2026, 12, 24)}), country="DE")
    wednesday_4pm = _berlin(2026, 12, 23, 16)  # Thu 24 explicit, Fri 25 Christmas (DE), then the weekend
    assert add_business_seconds(cal, wednesday_4pm, 2 * 3600) == _berlin(2026, 12, 28, 10).astimezone(UTC)
    assert not is_open(cal, _berlin(2026, 12, 25, 10))
    assert (
        business_seconds_between(cal, _berlin(2026, 12, 21), _berlin(2027, 1, 1)) == 7 * 8 * 3600
    )  # 21-23 and 28-31; 24, 25, 26 off


def test_country_holiday_needs_the_country() -> None:
    cal = BusinessCalendar("Europe/Berlin", WEEKDAYS_9_17)
    assert is_open(cal, _berlin(2026, 12, 25, 10))


def test_split_shift_skips_lunch() -> None:
    split = (Interval(time(9), time(12)), Interval(time(13), time(17)))
    cal = BusinessCalendar("Europe/Berlin", {d: split for d in range(5)})
    assert add_business_seconds(cal, _berlin(2026, 6, 8, 11, 30), 3600) == _berlin(2026, 6, 8, 13, 30).astimezone(UTC)
    assert not is_open(cal, _berlin(2026, 6, 8, 12, 30))
    assert business_seconds_between(cal, _berlin(2026, 6, 8), _berlin(2026, 6, 9)) == 7 * 3600


@pytest.mark.parametrize(
    ("day", "all_day_hours", "night_shift_hours"),
    [(date(2026, 3, 29), 23, 2), (date(2026, 10, 25), 25, 4), (date(2026, 6, 7), 24, 3)],
    ids=["spring-forward", "fall-back", "ordinary"],
)
def test_berlin_dst_days_count_real_elapsed_seconds(day: date, all_day_hours: int, night_shift_hours: int) -> None:
    start = datetime.combine(day, time(0), BERLIN)
    end = datetime.combine(day + timedelta(days=1), time(0), BERLIN)
    every_day = BusinessCalendar("Europe/Berlin", {d: ALL_DAY for d in range(7)})
    night = BusinessCalendar("Europe/Berlin", {d: (Interval(time(1), time(4)),) for d in range(7)})
    office = BusinessCalendar("Europe/Berlin", {d: NINE_TO_FIVE for d in range(7)})
    assert business_seconds_between(every_day, start, end) == all_day_hours * 3600
    assert business_seconds_between(night, start, end) == night_shift_hours * 3600
    assert business_seconds_between(office, start, end) == 8 * 3600


def test_spring_forward_gap_is_never_open_and_a_deadline_skips_it() -> None:
    night = BusinessCalendar("Europe/Berlin", {d: (Interval(time(1), time(4)),) for d in range(7)})
    one_am = _berlin(2026, 3, 29, 1)
    assert add_business_seconds(night, one_am, 3600 + 60) == _berlin(2026, 3, 29, 3, 1).astimezone(UTC)


def test_business_seconds_accepts_datetimes_in_any_zone() -> None:
    cal = BusinessCalendar("Europe/Berlin", WEEKDAYS_9_17)
    start = datetime(2026, 6, 8, 3, tzinfo=ZoneInfo("America/New_York"))  # 09:00 Berlin
    assert business_seconds_between(cal, start, datetime(2026, 6, 8, 10, tzinfo=UTC)) == 3 * 3600


@pytest.mark.parametrize(
    ("week", "time_zone", "message"),
    [
        ({0: (Interval(time(9), time(12)), Interval(time(11), time(17)))}, "UTC", "overlaps"),
        ({0: (Interval(time(13), time(17)), Interval(time(9), time(12)))}, "UTC", "not ordered"),
        ({0: (Interval(time(17), time(9)),)}, "UTC", "ends before it starts"),
        ({0: NINE_TO_FIVE}, "Mars/Olympus_Mons", "unknown time zone"),
        ({0: (), 1: ()}, "UTC", "no working time"),
        ({7: NINE_TO_FIVE}, "UTC", "weekday 7"),
    ],
    ids=["overlap", "unordered", "reversed", "time-zone", "empty-week", "bad-weekday"],
)
def test_validate_refuses_broken_calendars_with_a_clear_message(
    week: dict[int, tuple[Interval, ...]], time_zone: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(time_zone, week).validate()


def test_validate_refuses_unknown_country() -> None:
    with pytest.raises(ValueError, match="unknown country"):
        BusinessCalendar("UTC", WEEKDAYS_9_17, country="XX").validate()


def test_calendar_without_reachable_working_time_raises_instead_of_looping() -> None:
    mondays = frozenset(date(2026, 6, 1) + timedelta(weeks=n) for n in range(400))
    cal = BusinessCalendar("UTC", {0: NINE_TO_FIVE}, holidays=mondays)
    with pytest.raises(ValueError, match="no business time"):
        add_business_seconds(cal, datetime(2026, 6, 2, tzinfo=UTC), 60)


def test_naive_datetimes_and_negative_seconds_are_refused() -> None:
    cal = BusinessCalendar("UTC", WEEKDAYS_9_17)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(cal, datetime(2026, 6, 8, 10))
    with pytest.raises(ValueError, match=">= 0"):
        add_business_seconds(cal, datetime(2026, 6, 8, tzinfo=UTC), -1)


def test_repeated_wall_time_start_keeps_its_fold() -> None:
    new_york = ZoneInfo("America/New_York")
    cal = BusinessCalendar("America/New_York", {6: (Interval(time(0), time(1, 2)),)})
    second_one_oh_one = datetime(2026, 11, 1, 6, 1, tzinfo=UTC).astimezone(new_york)  # 01:01 EST, fold=1
    assert add_business_seconds(cal, second_one_oh_one, 0) == datetime(2026, 11, 1, 6, 1, tzinfo=UTC)
    end = datetime(2026, 11, 1, 6, 2, tzinfo=UTC).astimezone(new_york)
    assert business_seconds_between(cal, datetime(2026, 11, 1, 0, 0, tzinfo=new_york), end) == (62 + 2) * 60


def test_fall_back_instants_in_the_calendar_zone_are_ordered_by_absolute_time_not_wall_time() -> None:
    london = ZoneInfo("Europe/London")
    cal = BusinessCalendar("Europe/London", {6: ALL_DAY})
    ten_to_two_bst = datetime(2025, 10, 26, 1, 50, tzinfo=london)  # 00:50 UTC
    ten_past_one_gmt = datetime(2025, 10, 26, 1, 10, tzinfo=london, fold=1)  # 01:10 UTC: later, wall time earlier
    assert business_seconds_between(cal, ten_to_two_bst, ten_past_one_gmt) == 20 * 60
    assert business_seconds_between(cal, ten_past_one_gmt, ten_to_two_bst) == 0


@pytest.mark.parametrize("zone", ["America/St_Johns", "America/Goose_Bay"])
def test_a_deadline_across_a_fall_back_over_midnight_counts_every_instant_once_in_time_order(zone: str) -> None:
    # Until 2010 these zones fell back at 00:01 to 23:01 of the previous day: that day's repeated hour lies
    # after the next day's first minute, so the days' pieces are not in time order.
    cal = BusinessCalendar(zone, {d: ALL_DAY for d in range(7)})
    minute_before = datetime(2010, 11, 7, 0, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    for seconds in (30, 60, 90, 3600, 2 * 3600):
        assert add_business_seconds(cal, minute_before, seconds) == minute_before + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("country", "subdivision", "field"),
    [("de", None, "country"), ("DE", "CA", "subdivision"), ("DE", "Bayern", "subdivision")],
    ids=["lower-case-country", "other-country's-subdivision", "alias-not-a-code"],
)
def test_validate_accepts_only_the_listed_country_and_subdivision_codes(
    country: str, subdivision: str | None, field: str
) -> None:
    with pytest.raises(FieldError) as refused:
        BusinessCalendar("UTC", WEEKDAYS_9_17, country=country, subdivision=subdivision).validate()
    assert refused.value.path == field


def test_every_listed_country_and_subdivision_is_accepted() -> None:
    regions = holiday_regions()
    assert {"DE", "DEU", "US"} <= regions.keys() and "BY" in regions["DE"]
    for country, subdivisions in regions.items():
        for subdivision in (None, *subdivisions):
            BusinessCalendar("UTC", WEEKDAYS_9_17, country=country, subdivision=subdivision).validate()
