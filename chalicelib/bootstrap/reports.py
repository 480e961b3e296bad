"""The reports slice's parts, and how the SLA engine tells reports what it knows (``sla_judge``).

Reports and SLA are sibling slices: neither imports the other. The root hands the aggregator a judge built on
the SLA slice (its policies, ``select_policy`` and ``clocks.compute``), so facts carry the calendar of the
policy in force and the SLA outcomes per policy and target exactly as the SLA engine computes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast
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
    from chalicelib.sla.clocks import ClockState, History
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
        readings = SlaReadings(c.policies.policies)
        return ReportAggregator(c.work_repo, self.repository, judge, zone, c.clock, self.lake(), readings)

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


class SlaReadings:
    """The SLA engine's reading of a timeline, kept by the reports consumer between events
    (``reports.kept.Readings``): the judge's views from a kept ``clocks.Reader`` instead of the timeline."""

    def __init__(self, policies: Callable[[], Sequence[Policy]]) -> None:
        self.policies = policies

    def start(self, created: datetime) -> SlaReading:
        return SlaReading(self.policies, created)

    def load(self, doc: Mapping[str, Any], created: datetime) -> SlaReading | None:
        from chalicelib.sla.progress import Progress

        reading = SlaReading(self.policies, created)
        progress = Progress.of(dict(doc.get("p") or {}), reading.created)
        if progress is None or not doc.get("la"):
            return None
        reading.reader, reading.folded_for = progress.reader, progress.folded_for
        reading.answered_folded, reading.last = int(doc.get("af") or 0), datetime.fromisoformat(str(doc["la"]))
        return reading


class SlaReading:
    """``clocks.compute`` and ``answered_cycles`` over the entries read so far, as ``sla_judge`` computes them
    over the timeline: the same ``Reader``, entries in order (one dated before the last read is refused, as
    ``compute`` would skip it), closed reply cycles folded under one policy to keep it small."""

    def __init__(self, policies: Callable[[], Sequence[Policy]], created: datetime) -> None:
        from chalicelib.sla.clocks import History, Reader

        self.policies = policies
        self.created = created.astimezone(UTC)
        self.reader = Reader(History(self.created), self.created)
        self.folded_for: tuple[str, int] | None = None
        self.answered_folded = 0
        self.last = self.created

    def add(self, entry: TimelineEntry) -> bool:
        at = max(entry.at.astimezone(UTC), self.created)
        if at < self.last:
            return False
        self.reader.add(entry, at)
        self.last = at
        return True

    def mark(self, at: datetime) -> tuple[History, int]:
        now = max(at.astimezone(UTC), self.created)
        return self.reader.finish(now), self.answered_folded + len(self.reader.history.reply_cycles)

    def view(self, ticket: Ticket, at: datetime, mark: object) -> SlaView | None:
        from chalicelib.sla.clocks import states_of
        from chalicelib.sla.policies import select_policy

        policy = select_policy(self.policies(), ticket, ticket.vip)
        if policy is None:
            return SlaView()
        now = at.astimezone(UTC)
        if (self.folded_for not in (None, (policy.id, policy.version))) or now < self.created:
            return None
        policy.validate()
        history, answered = cast("tuple[History, int]", mark)
        states = states_of(policy, history, now)
        return SlaView(policy.calendar, {(policy.id, str(m)): outcome(s, answered, at) for m, s in states.items()})

    def doc(self, ticket: Ticket, at: datetime) -> dict[str, Any]:
        from chalicelib.sla.clocks import missed_cycles
        from chalicelib.sla.policies import select_policy
        from chalicelib.sla.progress import Progress

        policy = select_policy(self.policies(), ticket, ticket.vip)
        history = self.reader.history
        older = history.reply_cycles[:-1]
        if policy is not None and older and self.folded_for in (None, (policy.id, policy.version)):
            missed = missed_cycles(policy, self.reader.finish(max(at.astimezone(UTC), self.last)), older)
            self.reader.history = replace(
                history, reply_cycles=history.reply_cycles[-1:], missed_before=history.missed_before + missed
            )
            self.answered_folded += len(older)
            self.folded_for = (policy.id, policy.version)
        progress = Progress(self.reader, "kept", (), self.folded_for)
        return {"p": progress.doc(), "af": self.answered_folded, "la": self.last.isoformat()}
