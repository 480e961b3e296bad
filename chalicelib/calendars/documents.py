"""Business calendars as JSON documents (what the admin API takes and the table stores)::

    {"name": "Berlin office", "time_zone": "Europe/Berlin",
     "week": {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], ..., "sun": []},
     "holidays": ["2026-12-24"], "country": "DE", "subdivision": "BE"}

Every problem is a ``FieldError`` naming the field path at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.core.errors import FieldError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _time(value: Any, where: str) -> time:
    text = str(value)
    if text == "24:00":
        return time(0)
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise FieldError(where, f"{value!r} is not a time of day HH:MM") from None


def _text(t: time, end: bool = False) -> str:
    return "24:00" if end and t == time(0) else t.strftime("%H:%M")


def week_from_doc(week: Any, where: str = "week") -> dict[int, tuple[Interval, ...]]:
    if not isinstance(week, Mapping):
        raise FieldError(where, "expected an object with days mon..sun")
    result: dict[int, tuple[Interval, ...]] = {}
    for day, intervals in week.items():
        if day not in DAYS:
            raise FieldError(f"{where}.{day}", f"unknown day; expected one of {', '.join(DAYS)}")
        parsed = []
        for n, pair in enumerate(intervals or []):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise FieldError(f"{where}.{day}[{n}]", "expected [start, end]")
            parsed.append(Interval(_time(pair[0], f"{where}.{day}[{n}]"), _time(pair[1], f"{where}.{day}[{n}]")))
        result[DAYS.index(day)] = tuple(parsed)
    return result


def calendar_from_doc(body: Mapping[str, Any]) -> BusinessCalendar:
    holidays = []
    for n, text in enumerate(body.get("holidays") or []):
        try:
            holidays.append(date.fromisoformat(str(text)))
        except ValueError:
            raise FieldError(f"holidays[{n}]", f"{text!r} is not a date YYYY-MM-DD") from None
    calendar = BusinessCalendar(
        time_zone=str(body.get("time_zone") or ""),
        week=week_from_doc(body.get("week")),
        holidays=frozenset(holidays),
        country=body.get("country") or None,
        subdivision=body.get("subdivision") or None,
    )
    calendar.validate()
    return calendar


def calendar_to_doc(name: str, calendar: BusinessCalendar) -> dict[str, Any]:
    return {
        "name": name,
        "time_zone": calendar.time_zone,
        "week": {
            DAYS[d]: [[_text(i.start), _text(i.end, end=True)] for i in intervals]
            for d, intervals in sorted(calendar.week.items())
        },
        "holidays": sorted(d.isoformat() for d in calendar.holidays),
        "country": calendar.country,
        "subdivision": calendar.subdivision,
    }
