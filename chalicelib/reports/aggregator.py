"""The reports consumer: each counted ticket event -> its facts -> additions to daily items, exactly once.

One Query of the ticket's partition (the timeline the facts are derived from), then one TransactWriteItems:
the event's marker (``REPORTED#<event id>``, absent) with one ``ADD`` per daily item. A redelivered event
finds its marker and adds nothing; an event that makes nothing true writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.core.errors import NotFound
from chalicelib.reports.facts import facts_at
from chalicelib.reports.rollup import tallies

if TYPE_CHECKING:
    from chalicelib.core.clock import Clock
    from chalicelib.reports.facts import Judge
    from chalicelib.storage.ports import ReportRepository, WorkRepository

# Markers outlive every redelivery: SQS keeps a message at most 14 days.
MARKER_DAYS = 15


@dataclass(frozen=True)
class Counted:
    """What the consumer did with one event."""

    facts: int
    items: int
    duplicate: bool = False


class ReportAggregator:
    def __init__(
        self, work: WorkRepository, reports: ReportRepository, judge: Judge | None, zone: ZoneInfo, clock: Clock
    ) -> None:
        self.work = work
        self.reports = reports
        self.judge = judge
        self.zone = zone
        self.clock = clock

    def on_event(self, event: dict[str, Any]) -> Counted:
        try:
            ticket, timeline, _ = self.work.ticket_state(event["ticket"]["id"])
        except NotFound:
            return Counted(0, 0)  # a ticket that no longer exists counts nothing more
        facts = facts_at(ticket, timeline, str(event["id"]), self.judge)
        additions = tallies(facts, self.zone)
        added = self.reports.add(str(event["id"]), additions, self.clock() + timedelta(days=MARKER_DAYS))
        return Counted(len(facts), len(additions), duplicate=not added)


def report(event: dict[str, Any], outcome: object) -> None:
    """Log what the consumer did (one metric per event counted)."""
    from chalicelib.core import observability

    if isinstance(outcome, Counted) and outcome.items:
        observability.count("ReportEventsDuplicate" if outcome.duplicate else "ReportEventsCounted")
