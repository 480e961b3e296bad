"""SLA clocks with sub-second timestamps on awkward business calendars: due instants, breaches and warnings agree.

Whatever fraction of a second ``now`` or an event carries, a clock's due instant is the first instant at which its
exact running time reaches the target: a round-the-clock business target reads exactly like the same target in
calendar time, an unmet clock is breached from its due instant on and not before, and the due instant of a
running clock does not move as ``now`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind, Change, EntryKind, TimelineEntry
from chalicelib.sla.clocks import ClockState, compute
from chalicelib.sla.policies import METRICS, Metric, Policy, Target
from tests.unit.sla.reference import ref_add, ref_between
from tests.unit.sla.strategies import HOUR, MICROSECOND, MINUTE, anchors, calendars

RUNNING = (Status.NEW, Status.OPEN)
DONE = (Status.SOLVED, Status.CLOSED)
ALWAYS = {d: (Interval(time(0), time(0)),) for d in range(7)}
PROJECTION_HORIZON = timedelta(days=4)


@dataclass(frozen=True)
class Ticket:
    calendar: BusinessCalendar
    minutes: dict[Metric, int]
    created: datetime
    timeline: list[TimelineEntry]
    now: datetime

    def clocks(self, business: bool = True, now: datetime | None = None) -> dict[Metric, ClockState]:
        targets = tuple(Target(metric, self.minutes[metric], business) for metric in METRICS)
        policy = Policy("p1", "Standard", 1, targets=targets, calendar=self.calendar)
        return compute(policy, self.created, self.timeline, now or self.now)


def _entry(at: datetime, what: str | Status, status: Status) -> TimelineEntry:
    if isinstance(what, Status):
        change = (Change("status", str(status), str(what)),)
        return TimelineEntry(
            "t1", f"e{at}", at, EntryKind.EVENT, "ticket.updated", Actor(ActorKind.AGENT, "a"), 1, 1, changes=change
        )
    kind = EntryKind.NOTE if what == "note" else EntryKind.MESSAGE
    author = Actor(ActorKind.CUSTOMER if what == "customer" else ActorKind.AGENT, "x")
    return TimelineEntry("t1", f"e{at}", at, kind, f"{kind}.added", author, 1, 1)


def _microseconds(upto: timedelta) -> st.SearchStrategy[timedelta]:
    return st.integers(0, upto // MICROSECOND).map(lambda n: n * MICROSECOND)


@st.composite
def tickets(draw: st.DrawFn, round_the_clock: bool = False) -> Ticket:
    """A ticket created near an offset change of its calendar's zone, with events at sub-second instants."""
    anchor = draw(anchors())
    local_day = anchor.at.astimezone(ZoneInfo(anchor.zone)).date()
    calendar = BusinessCalendar(anchor.zone, ALWAYS) if round_the_clock else draw(calendars(anchor.zone, local_day))
    minutes = {metric: draw(st.integers(1, 90)) for metric in METRICS}
    created = anchor.at - draw(_microseconds(6 * HOUR))
    steps = draw(
        st.lists(st.tuples(_microseconds(40 * MINUTE), st.sampled_from(["customer", "agent", "note", *Status])))
    )
    timeline, at, status = [], created, Status.NEW
    for delay, what in steps[:8]:
        at += delay
        timeline.append(_entry(at, what, status))
        status = what if isinstance(what, Status) else status
    return Ticket(calendar, minutes, created, timeline, at + draw(_microseconds(3 * HOUR)))


# --- 24/7 business time is calendar time ------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(tickets(round_the_clock=True))
def test_a_round_the_clock_business_target_reads_exactly_like_the_same_calendar_time_target(ticket: Ticket) -> None:
    business, calendar = ticket.clocks(business=True), ticket.clocks(business=False)
    for metric in METRICS:
        assert business[metric] == _as_business(calendar[metric]), metric


def _as_business(state: ClockState) -> ClockState:
    return replace(state, business=True)


# --- due, breach and warning agree at any now ------------------------------------------------------------


def _latest_cycle_breached(ticket: Ticket, metric: Metric, clock: ClockState) -> bool:
    if metric != "next_response":
        return clock.breached
    assert clock.started_at is not None
    before = ticket.clocks(now=clock.started_at)[metric]  # the earlier cycles' breaches, the latest one at zero
    return clock.breaches > before.breaches


@settings(max_examples=50, deadline=None)
@given(tickets(), _microseconds(2 * HOUR))
def test_an_unmet_clock_is_breached_from_its_due_instant_on_and_the_due_instant_holds_still(
    ticket: Ticket, later: timedelta
) -> None:
    clocks, then = ticket.clocks(), ticket.clocks(now=ticket.now + later)
    for metric, clock in clocks.items():
        if clock.met_at is not None or clock.started_at is None:
            continue
        due, warn = clock.due_at, clock.warn_at
        assert _latest_cycle_breached(ticket, metric, clock) == (due is not None and ticket.now >= due), metric
        assert clock.warning == (warn is not None and ticket.now >= warn), metric
        if clock.running:  # nothing happens after now: the projection is the same from a later now
            assert (then[metric].due_at, then[metric].warn_at) == (due, warn), metric


# --- exact against the reference ------------------------------------------------------------------------


def _running_windows(ticket: Ticket, stop: datetime | None) -> tuple[list[tuple[datetime, datetime]], bool]:
    """Periods in ``new``/``open`` until ``stop`` (or now), from the status changes; whether it runs at the end."""
    end = stop or ticket.now
    status, since, windows = Status.NEW, ticket.created, []
    for entry in ticket.timeline:
        for change in entry.changes:
            new = Status(change.new)
            if status in RUNNING and new not in RUNNING:
                windows.append((since, entry.at))
            elif status not in RUNNING and new in RUNNING:
                since = entry.at
            status = new
    if status in RUNNING:
        windows.append((since, ticket.now))
    clipped = [(lo, min(hi, end)) for lo, hi in windows if lo < end]
    return [(lo, hi) for lo, hi in clipped if lo < hi], status in RUNNING and stop is None


def _stop(ticket: Ticket, metric: Metric) -> datetime | None:
    if metric == "first_response":
        return next(
            (e.at for e in ticket.timeline if e.kind is EntryKind.MESSAGE and e.author.kind is ActorKind.AGENT), None
        )
    status, solved = Status.NEW, None
    for entry in ticket.timeline:
        for change in entry.changes:
            new = Status(change.new)
            solved = (solved if status in DONE else entry.at) if new in DONE else None
            status = new
    return solved


@settings(max_examples=40, deadline=None)
@given(tickets(), st.sampled_from(["first_response", "resolution"]))
def test_elapsed_time_and_due_instant_match_a_reference_to_the_microsecond(ticket: Ticket, metric: Metric) -> None:
    clock = ticket.clocks()[metric]
    cal, limit = ticket.calendar, ticket.minutes[metric] * MINUTE
    windows, running = _running_windows(ticket, _stop(ticket, metric))
    spans = [ref_between(cal, lo, hi) for lo, hi in windows]
    assert clock.elapsed_seconds == sum(spans, timedelta(0)) // timedelta(seconds=1)
    if clock.met_at is not None:
        return
    due, remaining = None, limit
    for (lo, hi), span in zip(windows, spans, strict=True):
        if remaining <= span:
            due = ref_add(cal, lo, remaining, hi - lo)
            break
        remaining -= span
    else:
        due = ref_add(cal, ticket.now, remaining, PROJECTION_HORIZON) if running else None
        if running and due is None:
            return  # beyond the reference's horizon
    assert clock.due_at == due
