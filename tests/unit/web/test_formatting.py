# ruff: noqa: RUF001 -- Russian pages and dates are the point of these tests
"""Dates and times in the customer's zone and language; relative times in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.web.formatting import format_date, format_datetime, format_relative, format_size

# 23:30 UTC on the last Sunday of March 2026: Riga has just moved to summer time (UTC+3).
LATE = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)


def test_a_time_is_shown_in_the_customers_zone_across_dst() -> None:
    assert format_datetime(LATE, "en", "Europe/Riga", "short") == "3/30/26, 2:30\u202fAM"
    winter = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert format_datetime(winter, "en", "Europe/Riga", "short") == "3/29/26, 1:30\u202fAM"


def test_a_time_is_shown_in_the_customers_language() -> None:
    assert format_datetime(LATE, "ru", "Europe/Moscow") == "30 мар. 2026\u202fг., 02:30:00"
    assert format_datetime(LATE, "en", "UTC", "medium") == "Mar 29, 2026, 11:30:00\u202fPM"


def test_the_calendar_day_is_the_customers_not_utcs() -> None:
    assert format_date(LATE, "en", "UTC") == "Mar 29, 2026"
    assert format_date(LATE, "en", "Asia/Tokyo") == "Mar 30, 2026"
    assert format_date(LATE, "ru", "Asia/Tokyo", "long") == "30 марта 2026\u202fг."


@pytest.mark.parametrize(
    ("delta", "locale", "expected"),
    [
        (timedelta(hours=-3), "en", "3 hours ago"),
        (timedelta(hours=-3), "ru", "3 часа назад"),
        (timedelta(days=-5), "ru", "5 дней назад"),
        (timedelta(minutes=-1), "ru", "1 минуту назад"),
        (timedelta(days=2), "en", "in 2 days"),
        (timedelta(days=2), "ru", "через 2 дня"),
    ],
)
def test_relative_times_read_naturally(delta: timedelta, locale: str, expected: str) -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert format_relative(now + delta, now, locale) == expected


def test_naive_times_and_unknown_zones_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2026, 1, 1, 12, 0), "en")
    with pytest.raises(ValueError, match="'Mars/Olympus'"):
        format_datetime(LATE, "en", "Mars/Olympus")


@pytest.mark.parametrize(
    ("size", "locale", "shown"),
    [
        (1, "en", "1 byte"),
        (72, "en", "72 bytes"),
        (72, "ru", "72 байта"),
        (5, "ru", "5 байт"),
        (1536, "en", "1.5 kB"),
        (3 * 1024**2, "ru", "3 МБ"),
    ],
)
def test_a_file_size_reads_as_people_say_it(size: int, locale: str, shown: str) -> None:
    assert format_size(size, locale).replace("\xa0", " ") == shown
