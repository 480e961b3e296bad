"""Reports as CSV: one row per group or day, every figure in its own column (calendar and business)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from chalicelib.reports.figures import Figures

# The knowledge base's figures: the desk's row only (empty per group).
KB_COLUMNS = (
    "deflections_explicit",
    "deflections_probable",
    "kb_searches",
    "kb_impressions",
    "kb_zero_results",
    "kb_clicks",
    "kb_views",
    "kb_click_through_rate",
)
DURATION_COLUMNS = ("count", "median_s", "p90_s", "mean_s", "business_median_s", "business_p90_s")
METRICS = ("first_reply_time", "next_reply_time", "resolution_time")
COLUMNS = (
    "tickets_created",
    "tickets_solved",
    "reopens",
    "replies",
    *(f"{m}_{c}" for m in METRICS for c in DURATION_COLUMNS),
    "fcr_rate",
    "reopen_rate",
    "sla_achieved",
    "sla_breached",
    "sla_compliance",
    "csat_responses",
    "csat_score",
    "chats_missed",
    *KB_COLUMNS,
)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def values(f: Figures) -> list[int | float | None]:
    """The figures in ``COLUMNS`` order, as numbers (None: no value, e.g. a rate of nothing)."""
    found: list[int | float | None] = [f.tickets_created, f.tickets_solved, f.reopens, f.replies]
    for d in (f.first_reply_time, f.next_reply_time, f.resolution_time):
        found += [getattr(d, c) for c in DURATION_COLUMNS]
    rest = (f.fcr_rate, f.reopen_rate, f.sla_achieved, f.sla_breached, f.sla_compliance)
    return found + [*rest, f.csat_responses, f.csat_score, f.chats_missed, *_kb(f)]


def _kb(f: Figures) -> list[int | float | None]:
    k = f.kb
    if k is None:
        return [None] * len(KB_COLUMNS)
    counts = (k.explicit_deflections, k.probable_deflections, k.searches, k.impressions, k.zero_results)
    return [*counts, k.clicks, k.views, k.click_through_rate]


def cells(f: Figures) -> list[str]:
    return [_cell(v) for v in values(f)]


def table(first_column: str, rows: Sequence[tuple[str, Figures]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([first_column, *COLUMNS])
    for label, figures in rows:
        writer.writerow([label, *cells(figures)])
    return out.getvalue()
