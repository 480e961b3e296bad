"""The reports slice's parts, and how the SLA engine tells reports what it knows (``sla_judge``).

Reports and SLA are sibling slices: neither imports the other. The root hands the aggregator a judge built on
the SLA slice (its policies, ``select_policy`` and ``clocks.compute``), so facts carry the calendar of the
policy in force and the SLA outcomes per policy and target exactly as the SLA engine computes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry
from chalicelib.reports.facts import Judge, SlaView

if TYPE_CHECKING:
    from chalicelib.bootstrap.container import Container
    from chalicelib.reports.aggregator import ReportAggregator
    from chalicelib.reports.kb_counts import KbCounter
    from chalicelib.reports.kb_probable import ProbableDeflections
    from chalicelib.reports.lake import LakeSink
    from chalicelib.reports.queries import ReportQueries
    from chalicelib.sla.clocks import ClockState
    from chalicelib.sla.policies import Policy
    from chalicelib.storage.slice_ports import ReportRepository


class ReportParts:
    def __init__(self, container: Container) -> None:
        self.c = container

    @property
    def repository(self) -> ReportRepository:
        if self.c.repos.reports is None:
            raise LookupError("this container was built without a report repository")
        return self.c.repos.reports

    def aggregator(self) -> ReportAggregator:
        from chalicelib.reports.aggregator import ReportAggregator

        c = self.c
        judge = sla_judge(c.policies.policies)
        zone = ZoneInfo(c.settings.report_time_zone)
        return ReportAggregator(c.work_repo, self.repository, judge, zone, c.clock, self.lake())

    def lake(self) -> LakeSink | None:
        """The Firehose stream of the data lake, when the stage has one (``LAMBDESK_LAKE_STREAM``)."""
        if not self.c.settings.lake_stream:
            return None
        from chalicelib.storage.firehose import FirehoseSink

        return FirehoseSink(self.c.settings.lake_stream)

    def kb_counter(self) -> KbCounter:
        """The knowledge base's signals, added to the day's ``kb`` report item (handed to ``KbParts``)."""
        from chalicelib.reports.kb_counts import KbCounter

        return KbCounter(self.repository, ZoneInfo(self.c.settings.report_time_zone), self.c.clock)

    def kb_probable(self) -> ProbableDeflections:
        """Probable deflections: portal views waiting 30 minutes for a ticket (handed to ``KbParts``, swept)."""
        from chalicelib.reports.kb_probable import ProbableDeflections

        return ProbableDeflections(self.repository, ZoneInfo(self.c.settings.report_time_zone), self.c.clock)

    @cached_property
    def queries(self) -> ReportQueries:
        from chalicelib.reports.queries import ReportQueries

        return ReportQueries(self.repository, self.c.settings.report_time_zone)


def sla_judge(policies: Callable[[], Sequence[Policy]]) -> Judge:
    """A judge on the current policies: the first that matches the ticket as it was (its current version)."""

    def judge(ticket: Ticket, timeline: Sequence[TimelineEntry], at: datetime) -> SlaView:
        from chalicelib.sla.clocks import compute
        from chalicelib.sla.policies import select_policy

        policy = select_policy(policies(), ticket, ticket.vip)
        if policy is None:
            return SlaView()
        states = compute(policy, ticket.created_at, timeline, at)
        replies = answered_cycles(timeline)
        outcomes = {(policy.id, str(m)): outcome(state, replies, at) for m, state in states.items()}
        return SlaView(policy.calendar, outcomes)

    return judge


def outcome(state: ClockState, answered: int, at: datetime) -> tuple[int, int]:
    """(achieved, breached) targets so far: one target for first response and resolution, one per answered
    customer message cycle (plus a late unanswered one) for next response."""
    if state.metric != "next_response":
        return (int(state.met_at is not None and not state.breached), int(state.breached))
    late_now = state.met_at is None and state.due_at is not None and state.due_at <= at
    breached_answered = state.breaches - int(late_now)
    return (answered - breached_answered, state.breaches)


def answered_cycles(timeline: Sequence[TimelineEntry]) -> int:
    """Next-response cycles closed by an agent's public reply (the cycles of ``sla.clocks``)."""
    waiting, answered = False, 0
    for entry in timeline:
        if entry.kind is not EntryKind.MESSAGE:
            continue
        if entry.author.kind is ActorKind.AGENT and waiting:
            waiting, answered = False, answered + 1
        elif entry.author.is_customer:
            waiting = True
    return answered
