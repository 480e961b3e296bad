"""Times, durations and SLA metrics in the words automatic mail uses (pure; all times in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

METRICS = {"first_response": "first response", "next_response": "next response", "resolution": "resolution"}


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time from an event's data, in UTC (a naive one is taken as UTC); None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def metric_words(metric: object) -> str:
    """``first_response`` -> ``first response``; an unknown metric as written, underscores as spaces."""
    name = str(metric or "").strip()
    return METRICS.get(name) or name.replace("_", " ") or "target"


def clock_time(at: datetime, today: datetime | None = None) -> str:
    """``14:30 UTC`` on the day of ``today``, ``3 Mar 14:30 UTC`` on any other day."""
    at = at.astimezone(UTC)
    same_day = today is not None and today.astimezone(UTC).date() == at.date()
    return f"{at:%H:%M} UTC" if same_day else f"{at.day} {at:%b %H:%M} UTC"


def full_time(at: datetime) -> str:
    """``Monday, 2 March 2026, 14:30 UTC``."""
    at = at.astimezone(UTC)
    return f"{day(at)}, {at:%H:%M} UTC"


def day(at: datetime) -> str:
    """``Monday, 9 March 2026`` (the UTC date)."""
    at = at.astimezone(UTC)
    return f"{at:%A}, {at.day} {at:%B %Y}"


def duration_words(minutes: object) -> str:
    """``45 minutes``, ``4 hours``, ``1 day``: the largest whole unit; empty for no duration."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        return ""
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes % size == 0:
            return _plural(minutes // size, unit)
    return _plural(minutes, "minute")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"
