"""What reports store: additions to daily items, one per dimension value and local day (decision 060)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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


@dataclass(frozen=True)
class PendingView:
    """A reader's last article view, waiting to become a probable deflection at ``due_at`` (30 minutes
    later) unless a ticket or an explicit deflection of the same reader deletes it first; ``day`` is the
    view's local day, where it is counted."""

    viewer: str
    day: date
    due_at: datetime


@dataclass(frozen=True)
class KeptReplay:
    """The reports consumer's replay of a ticket as it is after the counted entry ``after``
    (``chalicelib.reports.kept``): one item per ticket, moved forward by the counting transaction."""

    ticket_id: str
    after: str
    doc: Mapping[str, Any]
