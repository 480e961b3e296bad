"""Calendar or business seconds: which durations a report shows and exports (``basis=``).

Every duration is counted both ways (decision 060). On the business basis a figure's ``total_s``, ``mean_s``,
``median_s`` and ``p90_s`` are its business seconds (the calendar of the SLA policy in force at each fact; no
policy: calendar seconds); the ``business_*`` fields stay business seconds on either basis.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from chalicelib.reports.figures import Durations, Figures

Basis = Literal["calendar", "business"]
BASES: tuple[Basis, ...] = ("calendar", "business")


def _business(d: Durations) -> Durations:
    mean = round(d.business_total_s / d.count, 1) if d.count else None
    return replace(d, total_s=d.business_total_s, mean_s=mean, median_s=d.business_median_s, p90_s=d.business_p90_s)


def on_basis(f: Figures, basis: Basis) -> Figures:
    """The figures with their durations in ``basis`` seconds."""
    if basis == "calendar":
        return f
    return replace(
        f,
        first_reply_time=_business(f.first_reply_time),
        next_reply_time=_business(f.next_reply_time),
        resolution_time=_business(f.resolution_time),
    )
