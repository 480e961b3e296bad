"""What reports store: additions to daily items, one per dimension value and local day (decision 060)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

# The dimensions every fact is added under; ``all`` has the single key ``all``.
DIMENSIONS = ("all", "agent", "team", "channel", "priority")
ALL = "all"
# The knowledge base's daily counters (no ticket, so no agent, team, channel or priority): key ``all``.
KB = "kb"
# The key of a dimension without a value (an unassigned ticket, a ticket in no team).
NONE = "none"


@dataclass(frozen=True)
class Tally:
    """Additions (``ADD``) to one daily item: counter name -> delta (deltas may be negative)."""

    dimension: str
    key: str
    day: date
    counts: Mapping[str, int]


@dataclass(frozen=True)
class DayCounts:
    """One daily item as stored."""

    dimension: str
    key: str
    day: date
    counts: Mapping[str, int]
