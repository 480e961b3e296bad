"""SLA clocks: where each target of a pinned policy stands, computed from a ticket's timeline.

Rules:

* ``first_response`` starts at creation and stops at the first public agent message.
* ``next_response`` starts at a customer's public message when no reply is owed yet (the first customer
  message, or the first one after an agent's public reply) and stops at the next public agent message; later
  customer messages before that reply do not restart it. Each start is a new cycle; the state describes the
  latest cycle, and ``breaches`` counts every breached cycle.
* ``resolution`` starts at creation and counts until the ticket is solved (or closed); a reopen resumes it.

Every clock counts only while the status is ``new`` or ``open``: ``pending`` and ``on_hold`` pause it (a pause
never resets it), and a solved ticket owes no reply either. Status comes from the ``status`` changes recorded
on timeline events (``ticket.updated``); a ticket starts ``new``. Business targets count only open calendar
time within those running periods. Entries after ``now`` are ignored.

``due_at`` and ``warn_at`` are the first instants at which the running time reaches the target (or the warning
fraction of it): in the past once reached, projected from ``now`` while the clock runs, ``None`` while it is
paused short of them, and ``None`` once the target is met. A cycle is breached when it reaches its target
before it is met: while unmet, exactly when ``now >= due_at`` (what the sweep alerts on); a reply at the due
instant itself is on time. Running time is exact to the microsecond, in calendar and in business time alike,
so a clock's elapsed time and its due instant always agree; ``elapsed_seconds`` only reports it, truncated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from chalicelib.calendars.calendar import BusinessCalendar, add_business_time, business_time_between
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry
from chalicelib.sla.policies import Metric, Policy, Target

DEFAULT_WARN_FRACTION = 0.75
RUNNING = frozenset({Status.NEW, Status.OPEN})
DONE = frozenset({Status.SOLVED, Status.CLOSED})
_ONE_SECOND = timedelta(seconds=1)

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class ClockState:
    metric: Metric
    target_seconds: int
    business: bool
    started_at: datetime | None  # None: nothing to measure yet (no customer message awaiting a reply)
    elapsed_seconds: int  # running time of the latest cycle, whole seconds (truncated; decisions use the exact time)
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    breached: bool  # any cycle ran past its target
    warning: bool  # the latest cycle is unmet and has reached the warning time
    running: bool  # counting at ``now`` (for business targets: not paused, whether or not the desk is open)
    breaches: int = 0


@dataclass
class History:
    """What the timeline says, reduced to the periods and instants the clocks need."""

    created: datetime
    running: list[Window] = field(default_factory=list)
    running_now: bool = True
    first_agent_reply: datetime | None = None
    reply_cycles: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    solved_at: datetime | None = None
    # Next-response cycles folded out of ``reply_cycles`` (``progress``) that ran past their target.
    missed_before: int = 0


def compute(
    policy: Policy,
    ticket_created_at: datetime,
    timeline: Iterable[TimelineEntry],
    now: datetime,
    warn_fraction: float = DEFAULT_WARN_FRACTION,
) -> dict[Metric, ClockState]:
    """The state of every target of ``policy`` (the version pinned on the ticket) at ``now``."""
    policy.validate()
    if not 0 < warn_fraction <= 1:
        raise ValueError(f"warn_fraction must be in (0, 1], got {warn_fraction}")
    created, now = _utc(ticket_created_at, "ticket_created_at"), _utc(now, "now")
    if now < created:
        raise ValueError("now is before the ticket was created")
    return states_of(policy, _read(created, timeline, now), now, warn_fraction)


def states_of(
    policy: Policy, history: History, now: datetime, warn_fraction: float = DEFAULT_WARN_FRACTION
) -> dict[Metric, ClockState]:
    """The state of every target of ``policy`` from a history read up to ``now`` (``Reader.history``)."""
    states: dict[Metric, ClockState] = {}
    for target in policy.targets:
        clock = _Clock(target, policy.calendar, history, now, warn_fraction)
        states[target.metric] = clock.state()
    return states


def missed_cycles(policy: Policy, history: History, cycles: list[tuple[datetime, datetime | None]]) -> int:
    """How many of these closed next-response cycles ran past the policy's target (0 without the target)."""
    target = policy.target("next_response")
    if target is None:
        return 0
    clock = _Clock(target, policy.calendar, history, history.created, DEFAULT_WARN_FRACTION)
    return sum(clock._missed(start, stop) for start, stop in cycles)


def _utc(value: datetime, name: str) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def _read(created: datetime, timeline: Iterable[TimelineEntry], now: datetime) -> History:
    reader = Reader(History(created), created)
    for entry in timeline:
        at = max(_utc(entry.at, "timeline entry at"), created)
        if at <= now:
            reader.add(entry, at)
    return reader.finish(now)


class Reader:
    """Reads a timeline in order into a ``History``: status changes, replies both ways. It can stop and go on
    later (``chalicelib.sla.progress`` keeps it between events), so ``finish`` leaves it as it was."""

    def __init__(self, history: History, created: datetime) -> None:
        self.history = history
        self.status = Status.NEW
        self.run_start = created
        self.open_cycle: datetime | None = None

    def add(self, entry: TimelineEntry, at: datetime) -> None:
        statuses = [c.new for c in entry.changes if c.field == "status"] if entry.kind is EntryKind.EVENT else []
        self.add_parts(entry.kind, entry.author.kind, statuses, at)

    def add_parts(self, kind: EntryKind, author: ActorKind, statuses: Iterable[object], at: datetime) -> None:
        """What the clocks read of an entry: its kind, its author's kind and the statuses it set."""
        if kind is EntryKind.MESSAGE and author is ActorKind.AGENT:
            self._agent_message(at)
        elif kind is EntryKind.MESSAGE and author is ActorKind.CUSTOMER:
            self.open_cycle = self.open_cycle or at
        for status in statuses if kind is EntryKind.EVENT else ():
            self._status(Status(str(status)), at)

    def _agent_message(self, at: datetime) -> None:
        self.history.first_agent_reply = self.history.first_agent_reply or at
        if self.open_cycle is not None:
            self.history.reply_cycles.append((self.open_cycle, at))
            self.open_cycle = None

    def _status(self, new: Status, at: datetime) -> None:
        if self.status in RUNNING and new not in RUNNING:
            self.history.running.append((self.run_start, at))
        elif self.status not in RUNNING and new in RUNNING:
            self.run_start = at
        if new in DONE and self.status not in DONE:
            self.history.solved_at = at
        elif new not in DONE:
            self.history.solved_at = None
        self.status = new

    def finish(self, now: datetime) -> History:
        """The history at ``now`` (the reader itself does not change)."""
        history = replace(
            self.history, running=list(self.history.running), reply_cycles=list(self.history.reply_cycles)
        )
        if self.status in RUNNING:
            history.running.append((self.run_start, now))
        history.running_now = self.status in RUNNING
        if self.open_cycle is not None:
            history.reply_cycles.append((self.open_cycle, None))
        return history


class _Clock:
    def __init__(
        self,
        target: Target,
        calendar: BusinessCalendar | None,
        history: History,
        now: datetime,
        warn_fraction: float,
    ) -> None:
        self.target = target
        self.calendar = calendar if target.business else None
        self.history = history
        self.now = now
        self.limit = timedelta(seconds=target.seconds)
        self.warn_limit = timedelta(seconds=int(target.seconds * warn_fraction))

    def state(self) -> ClockState:
        if self.target.metric == "first_response":
            return self._cycle(self.history.created, self.history.first_agent_reply, breaches_before=0)
        if self.target.metric == "resolution":
            return self._cycle(self.history.created, self.history.solved_at, breaches_before=0)
        cycles = self.history.reply_cycles
        if not cycles:
            return self._idle()
        earlier = self.history.missed_before + sum(self._missed(start, stop) for start, stop in cycles[:-1])
        return self._cycle(*cycles[-1], breaches_before=earlier)

    def _missed(self, start: datetime, stop: datetime | None) -> bool:
        """Whether an earlier cycle reached its target before its reply."""
        return self._late(self._reaches(self.limit, self._windows(start, stop), running=False), stop)

    def _cycle(self, start: datetime, met_at: datetime | None, breaches_before: int) -> ClockState:
        windows = self._windows(start, met_at)
        running = met_at is None and self.history.running_now
        due_at = self._reaches(self.limit, windows, running)
        warn_at = self._reaches(self.warn_limit, windows, running)
        breached = self._late(due_at, met_at)
        return ClockState(
            metric=self.target.metric,
            target_seconds=self.target.seconds,
            business=self.target.business,
            started_at=start,
            elapsed_seconds=self._amount(windows) // _ONE_SECOND,
            due_at=None if met_at is not None else due_at,
            warn_at=None if met_at is not None else warn_at,
            met_at=met_at,
            breached=breached or breaches_before > 0,
            warning=met_at is None and self._late(warn_at, None),
            running=running,
            breaches=breaches_before + int(breached),
        )

    def _late(self, reached: datetime | None, met_at: datetime | None) -> bool:
        """Whether the limit was reached before the reply: by ``now`` while unmet, strictly before ``met_at``."""
        if reached is None:
            return False
        return reached <= self.now if met_at is None else reached < met_at

    def _idle(self) -> ClockState:
        return ClockState(
            metric=self.target.metric,
            target_seconds=self.target.seconds,
            business=self.target.business,
            started_at=None,
            elapsed_seconds=0,
            due_at=None,
            warn_at=None,
            met_at=None,
            breached=False,
            warning=False,
            running=False,
        )

    def _windows(self, start: datetime, stop: datetime | None) -> list[Window]:
        """The running periods clipped to ``[start, stop)``; an unstopped clock runs to ``now``."""
        end = stop or self.now
        clipped = [(max(lo, start), min(hi, end)) for lo, hi in self.history.running]
        return [(lo, hi) for lo, hi in clipped if lo < hi]

    def _span(self, lo: datetime, hi: datetime) -> timedelta:
        if self.calendar is None:
            return hi - lo
        return business_time_between(self.calendar, lo, hi)

    def _amount(self, windows: list[Window]) -> timedelta:
        return sum((self._span(lo, hi) for lo, hi in windows), timedelta(0))

    def _advance(self, start: datetime, amount: timedelta) -> datetime:
        if self.calendar is None:
            return start + amount
        return add_business_time(self.calendar, start, amount)

    def _reaches(self, limit: timedelta, windows: list[Window], running: bool) -> datetime | None:
        """When the running time reaches ``limit``: found in the windows, projected from now, or unknown."""
        remaining = limit
        for lo, hi in windows:
            span = self._span(lo, hi)
            if remaining <= span:
                return self._advance(lo, remaining)
            remaining -= span
        return self._advance(self.now, remaining) if running else None
