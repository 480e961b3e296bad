"""Per-agent achievements, derived from the same daily items as the reports (the ``agent`` dimension).

Kept honest: each one counts something the customer got, never a closing for its own sake.

- ``quick_first_replies``: a streak of days, ending on the last day asked, on which the agent's median first
  reply (business seconds) was within ``QUICK_S``. A day without first replies (a day off) neither extends nor
  breaks the streak; a slow day breaks it.
- ``satisfied_customers``: survey answers rating 4 or 5 on the agent's tickets in the window.
- ``solved_and_stayed_solved``: solves in the window less the reopens (a reopen is counted on the ticket's
  assignee at the reopen): a ticket closed unsolved and reopened by the customer earns nothing.

Reads the window's ``agent`` items (one Query per month touched; days x agents items), like a summary grouped
by agent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from chalicelib.reports.figures import SATISFIED, durations

if TYPE_CHECKING:
    from chalicelib.storage.slice_ports import ReportRepository

WINDOW_DAYS = 30
QUICK_S = 3600
# achievement -> the values at which levels 1, 2 and 3 are reached
LEVELS: dict[str, tuple[int, int, int]] = {
    "quick_first_replies": (3, 7, 15),
    "satisfied_customers": (5, 25, 100),
    "solved_and_stayed_solved": (10, 50, 200),
}


@dataclass(frozen=True)
class Achievement:
    id: str
    value: int
    level: int  # 0 (not yet) to 3
    next_at: int | None  # the value of the next level; None at the top


def _achievement(name: str, value: int) -> Achievement:
    steps = LEVELS[name]
    level = sum(1 for step in steps if value >= step)
    return Achievement(name, value, level, steps[level] if level < len(steps) else None)


def quick_streak(per_day: Mapping[date, Mapping[str, int]], last: date, days: int) -> int:
    """Days in a row (ending at ``last``, skipping days without first replies) with a quick median."""
    streak = 0
    for n in range(days):
        counts = per_day.get(last - timedelta(days=n))
        if not counts or not counts.get("fr_n"):
            continue
        median = durations(counts, "fr").business_median_s
        if median is None or median > QUICK_S:
            break
        streak += 1
    return streak


def achievements(reports: ReportRepository, agent_id: str, last: date) -> list[Achievement]:
    first = last - timedelta(days=WINDOW_DAYS - 1)
    per_day = {item.day: item.counts for item in reports.days("agent", first, last) if item.key == agent_id}
    total: Counter[str] = Counter()
    for counts in per_day.values():
        total.update(counts)
    satisfied = sum(total.get(f"csat:{rating}", 0) for rating in SATISFIED)
    stayed = max(0, total.get("solved", 0) - total.get("reopened", 0))
    return [
        _achievement("quick_first_replies", quick_streak(per_day, last, WINDOW_DAYS)),
        _achievement("satisfied_customers", satisfied),
        _achievement("solved_and_stayed_solved", stayed),
    ]
