"""Business-time arithmetic against a reference written from the definition, in awkward zones, to the microsecond.

Instants reach the functions as UTC, as wall times of the calendar's zone (both folds, skipped wall times too)
and in other zones: the answers must depend on absolute time only. ``strategies`` says what is drawn.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.calendars.calendar import BusinessCalendar, add_business_time, business_time_between
from tests.unit.sla.reference import ref_add, ref_between
from tests.unit.sla.strategies import (
    MICROSECOND,
    SPREAD,
    ZONES,
    around_fall_backs,
    expressions,
    fall_backs,
    scenarios,
    utc,
)

Scenario = tuple[BusinessCalendar, list[datetime]]
ZERO = timedelta(0)
NEXT_OPENING_HORIZON = timedelta(days=8)


def _reference(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    return ref_between(cal, utc(start), utc(end)) if utc(start) < utc(end) else ZERO


@settings(max_examples=50, deadline=None)
@given(scenarios(count=2))
def test_business_time_between_matches_the_reference_in_whichever_zone_the_instants_are_given(
    scenario: Scenario,
) -> None:
    cal, (start, end) = scenario
    expected = _reference(cal, start, end)
    for start_as, end_as in zip(expressions(start, cal.time_zone), expressions(end, cal.time_zone), strict=True):
        assert business_time_between(cal, start_as, end_as) == expected, (start_as, end_as)


@pytest.mark.parametrize("zone", [zone for zone in ZONES if fall_backs(zone)])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_ranges_across_a_fall_back_count_absolute_time_though_wall_times_repeat(zone: str, data: st.DataObject) -> None:
    # Around a fall-back, within the change's size either side, wall times repeat: 01:50 BST comes before
    # 01:10 GMT. Both instants are given as wall times of the calendar's zone, with their folds. Where the
    # clock fell back across midnight, the earlier date's repeated hour follows the later date's first minute.
    cal, before, after = data.draw(around_fall_backs(zone))
    local = ZoneInfo(zone)
    start, end = before.astimezone(local), after.astimezone(local)
    amount = ref_between(cal, before, after)
    assert business_time_between(cal, start, end) == amount
    assert business_time_between(cal, end, start) == ZERO
    if amount > ZERO:
        assert add_business_time(cal, start, amount) == ref_add(cal, before, amount, after - before)


@settings(max_examples=50, deadline=None)
@given(scenarios(count=3))
def test_business_time_is_additive_over_consecutive_ranges(scenario: Scenario) -> None:
    cal, instants = scenario
    a, b, c = sorted(instants, key=utc)
    assert business_time_between(cal, a, b) + business_time_between(cal, b, c) == business_time_between(cal, a, c)


@settings(max_examples=40, deadline=None)
@given(scenarios(count=2))
def test_adding_the_time_between_two_instants_lands_at_the_first_instant_reaching_it_not_after_the_end(
    scenario: Scenario,
) -> None:
    cal, instants = scenario
    start, end = sorted(instants, key=utc)
    amount = business_time_between(cal, start, end)
    reached = add_business_time(cal, start, amount)
    assert reached.tzinfo is UTC
    if amount > ZERO:  # zero means "from the next opening", which may come after ``end``
        assert reached <= utc(end)
        assert reached == ref_add(cal, utc(start), amount, utc(end) - utc(start))
    else:
        expected = ref_add(cal, utc(start), amount, NEXT_OPENING_HORIZON)
        assert reached == expected if expected else reached > utc(start) + NEXT_OPENING_HORIZON


@settings(max_examples=40, deadline=None)
@given(scenarios(count=1), st.integers(0, SPREAD // MICROSECOND))
def test_adding_any_amount_with_microseconds_matches_the_reference(scenario: Scenario, microseconds: int) -> None:
    cal, (start,) = scenario
    amount = microseconds * MICROSECOND
    reached = add_business_time(cal, start, amount)
    expected = ref_add(cal, utc(start), amount, 2 * SPREAD)
    assert reached == expected if expected else reached > utc(start) + 2 * SPREAD
    assert business_time_between(cal, start, reached) == amount
