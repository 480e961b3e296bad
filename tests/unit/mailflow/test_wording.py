"""Times, durations and SLA metrics as automatic mail words them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.mailflow.wording import clock_time, day, duration_words, full_time, metric_words, parse_time

DUE = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def test_a_due_time_today_is_a_clock_time_and_on_another_day_it_names_the_day() -> None:
    assert clock_time(DUE, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == "14:30 UTC"
    assert clock_time(DUE, datetime(2026, 3, 1, 23, 0, tzinfo=UTC)) == "2 Mar 14:30 UTC"
    assert clock_time(DUE) == "2 Mar 14:30 UTC"
    berlin = timezone(timedelta(hours=1))
    assert clock_time(datetime(2026, 3, 2, 15, 30, tzinfo=berlin), DUE) == "14:30 UTC"


def test_days_and_full_times_are_written_out_in_utc() -> None:
    assert day(datetime(2026, 3, 9, 23, 30, tzinfo=timezone(timedelta(hours=-2)))) == "Tuesday, 10 March 2026"
    assert full_time(DUE) == "Monday, 2 March 2026, 14:30 UTC"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02T14:30:00+00:00", DUE),
        ("2026-03-02T15:30:00+01:00", DUE),
        ("2026-03-02T14:30:00", DUE),  # naive: taken as UTC
        ("yesterday", None),
        ("", None),
        (None, None),
        (1700000000, None),
    ],
)
def test_event_times_are_read_as_utc_and_anything_else_is_no_time(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(1, "1 minute"), (45, "45 minutes"), (60, "1 hour"), (240, "4 hours"), (90, "90 minutes"), (2880, "2 days")],
)
def test_durations_use_the_largest_whole_unit(minutes: int, words: str) -> None:
    assert duration_words(minutes) == words


@pytest.mark.parametrize("minutes", [0, -5, None, "60", True])
def test_no_duration_is_no_words(minutes: object) -> None:
    assert duration_words(minutes) == ""


def test_metrics_in_words() -> None:
    assert [metric_words(m) for m in ("first_response", "next_response", "resolution")] == [
        "first response",
        "next response",
        "resolution",
    ]
    assert metric_words("time_to_tea") == "time to tea"
    assert metric_words(None) == "target"
