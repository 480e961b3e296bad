"""What the reports page shows, formatted in the reader's language: figures, charts, backlog, achievements.

Numbers only: every word on the page is in the template (and so in the catalogs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.reports.backlog import BUCKETS, Backlog
from chalicelib.reports.charts import Chart, bar_chart
from chalicelib.reports.figures import Figures
from chalicelib.reports.queries import Day, Group

NOTHING = "\u2013"  # an en dash: no value (a median of nothing, a rate of no solves)


def duration(seconds: float | None, locale: str) -> str:
    """``1 hr``, ``25 min``, ``3 days`` (one unit, rounded; Babel's short form); ``NOTHING`` for nothing."""
    if seconds is None:
        return NOTHING
    from babel.dates import format_timedelta

    return format_timedelta(timedelta(seconds=seconds), threshold=1.5, format="short", locale=locale)


def percent(rate: float | None, locale: str) -> str:
    if rate is None:
        return NOTHING
    from babel.numbers import format_percent

    return format_percent(rate, format="#,##0.#%", locale=locale)


def number(value: int, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale)


def shown(f: Figures, locale: str) -> dict[str, str]:
    """The figures of one group, as the page prints them."""
    return {
        "created": number(f.tickets_created, locale),
        "solved": number(f.tickets_solved, locale),
        "replies": number(f.replies, locale),
        "first_reply_median": duration(f.first_reply_time.median_s, locale),
        "first_reply_p90": duration(f.first_reply_time.p90_s, locale),
        "first_reply_count": number(f.first_reply_time.count, locale),
        "next_reply_median": duration(f.next_reply_time.median_s, locale),
        "resolution_median": duration(f.resolution_time.median_s, locale),
        "resolution_p90": duration(f.resolution_time.p90_s, locale),
        "fcr": percent(f.fcr_rate, locale),
        "reopen": percent(f.reopen_rate, locale),
        "sla": percent(f.sla_compliance, locale),
        "sla_achieved": number(f.sla_achieved, locale),
        "sla_breached": number(f.sla_breached, locale),
        "csat": percent(f.csat_score, locale),
        "csat_responses": number(f.csat_responses, locale),
    }


@dataclass(frozen=True)
class Series:
    """A chart and its table alternative: rows of (day, value strings)."""

    chart: Chart
    rows: list[tuple[str, list[str]]]


def volume(days: Sequence[Day], locale: str) -> Series:
    """Tickets created and solved per day."""
    labels = [d.day.isoformat()[5:] for d in days]
    created = [float(d.figures.tickets_created) for d in days]
    solved = [float(d.figures.tickets_solved) for d in days]
    chart = bar_chart(labels, [created, solved], lambda v: number(round(v), locale))
    rows = [
        (d.day.isoformat(), [number(d.figures.tickets_created, locale), number(d.figures.tickets_solved, locale)])
        for d in days
    ]
    return Series(chart, rows)


def first_replies(days: Sequence[Day], locale: str) -> Series:
    """The median first reply per day (in the basis asked), in minutes on the chart."""
    labels = [d.day.isoformat()[5:] for d in days]
    medians = [d.figures.first_reply_time.median_s for d in days]
    minutes = [None if m is None else m / 60 for m in medians]
    chart = bar_chart(labels, [minutes], lambda v: duration(v * 60, locale))
    rows = [(d.day.isoformat(), [duration(m, locale)]) for d, m in zip(days, medians, strict=True)]
    return Series(chart, rows)


def grouped(groups: Sequence[Group], locale: str) -> list[tuple[str, dict[str, str]]]:
    return [(g.key, shown(g.figures, locale)) for g in groups]


def backlog_rows(b: Backlog, locale: str) -> dict[str, object]:
    buckets = [name for name, _ in BUCKETS]
    rows = [
        (status, [number(ages[n], locale) for n in buckets], number(sum(ages.values()), locale))
        for status, ages in b.counts.items()
    ]
    by_age = b.by_age()
    totals = [number(by_age[n], locale) for n in buckets]
    chart = bar_chart(buckets, [[float(by_age[n]) for n in buckets]], lambda v: number(round(v), locale))
    return {
        "buckets": buckets,
        "rows": rows,
        "totals": totals,
        "total": number(b.total, locale),
        "count": b.total,
        "complete": b.complete,
        "chart": chart,
    }
