"""SLA clocks: each rule on a hand-written timeline, and running time against a second-by-second reference."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind, Change, EntryKind, TimelineEntry
from chalicelib.sla.clocks import compute
from chalicelib.sla.policies import Metric, Policy, Target, pinned

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
UTC_9_17 = BusinessCalendar("UTC", {d: (Interval(time(9), time(17)),) for d in range(5)})


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(when: datetime, kind: EntryKind, author: ActorKind, changes: tuple[Change, ...] = ()) -> TimelineEntry:
    event = {EntryKind.MESSAGE: "message.added", EntryKind.NOTE: "note.added"}.get(kind, "ticket.updated")
    return TimelineEntry("t1", f"e{when.timestamp()}", when, kind, event, Actor(author, "x"), 1, 1, changes=changes)


def customer(when: datetime) -> TimelineEntry:
    return entry(when, EntryKind.MESSAGE, ActorKind.CUSTOMER)


def agent(when: datetime) -> TimelineEntry:
    return entry(when, EntryKind.MESSAGE, ActorKind.AGENT)


def note(when: datetime) -> TimelineEntry:
    return entry(when, EntryKind.NOTE, ActorKind.AGENT)


def status(when: datetime, old: Status, new: Status) -> TimelineEntry:
    return entry(when, EntryKind.EVENT, ActorKind.AGENT, (Change("status", str(old), str(new)),))


def policy(*targets: Target, calendar: BusinessCalendar | None = None, version: int = 1) -> Policy:
    return Policy("p1", "Standard", version, targets=targets, calendar=calendar)


def calendar_target(metric: Metric, minutes: int) -> Target:
    return Target(metric, minutes, business=False)


FIRST_60 = policy(calendar_target("first_response", 60))
NEXT_30 = policy(calendar_target("next_response", 30))
RESOLVE_120 = policy(calendar_target("resolution", 120))


# --- first response ------------------------------------------------------------------------------------


def test_first_response_met_by_the_first_public_agent_message() -> None:
    timeline = [customer(at(0)), note(at(10)), agent(at(30)), agent(at(50))]
    clock = compute(FIRST_60, T0, timeline, at(120))["first_response"]
    assert clock.met_at == at(30)
    assert clock.elapsed_seconds == 1800
    assert (clock.breached, clock.running, clock.due_at, clock.warn_at) == (False, False, None, None)


def test_internal_note_is_not_a_first_response() -> None:
    clock = compute(FIRST_60, T0, [customer(at(0)), note(at(10))], at(30))["first_response"]
    assert clock.met_at is None
    assert clock.running
    assert clock.due_at == at(60)
    assert clock.elapsed_seconds == 1800


def test_first_response_breaches_after_the_target() -> None:
    clock = compute(FIRST_60, T0, [customer(at(0))], at(90))["first_response"]
    assert clock.breached
    assert clock.due_at == at(60)  # in the past: when it breached
    assert clock.elapsed_seconds == 5400
    late = compute(FIRST_60, T0, [customer(at(0)), agent(at(70))], at(90))["first_response"]
    assert (late.breached, late.met_at, late.due_at, late.breaches) == (True, at(70), None, 1)


def test_first_response_exactly_at_target_is_not_a_breach() -> None:
    clock = compute(FIRST_60, T0, [customer(at(0)), agent(at(60))], at(90))["first_response"]
    assert not clock.breached
    assert clock.elapsed_seconds == 3600


def test_an_unanswered_clock_is_breached_from_its_due_instant_on_as_the_sweep_alerts() -> None:
    just_before = compute(FIRST_60, T0, [customer(at(0))], at(60) - timedelta(microseconds=1))["first_response"]
    assert (just_before.due_at, just_before.breached) == (at(60), False)
    due = compute(FIRST_60, T0, [customer(at(0))], at(60))["first_response"]
    assert (due.due_at, due.breached, due.breaches) == (at(60), True, 1)


# --- next response -------------------------------------------------------------------------------------


def test_next_response_waits_for_a_customer_message() -> None:
    clock = compute(NEXT_30, T0, [agent(at(5))], at(60))["next_response"]
    assert (clock.started_at, clock.due_at, clock.running, clock.breached) == (None, None, False, False)


def test_next_response_restarts_at_each_customer_message_after_an_agent_reply() -> None:
    timeline = [customer(at(0)), agent(at(10)), customer(at(60)), customer(at(80)), agent(at(110))]
    clock = compute(NEXT_30, T0, timeline, at(120))["next_response"]
    # The second customer message (at 80) does not restart a clock that is already waiting for a reply.
    assert (clock.started_at, clock.met_at, clock.elapsed_seconds) == (at(60), at(110), 3000)
    assert (clock.breached, clock.breaches) == (True, 1)

    later = compute(NEXT_30, T0, [*timeline, customer(at(180))], at(190))["next_response"]
    assert (later.started_at, later.met_at, later.elapsed_seconds) == (at(180), None, 600)
    assert later.due_at == at(210)
    assert later.running
    assert (later.breached, later.breaches) == (True, 1)  # the earlier cycle's breach is remembered


def test_next_response_cycles_within_target_are_not_breaches() -> None:
    timeline = [customer(at(0)), agent(at(10)), customer(at(60)), agent(at(70))]
    clock = compute(NEXT_30, T0, timeline, at(120))["next_response"]
    assert (clock.breached, clock.breaches, clock.met_at) == (False, 0, at(70))


# --- pauses --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("paused", [Status.PENDING, Status.ON_HOLD])
def test_pause_does_not_count_and_does_not_reset(paused: Status) -> None:
    timeline = [customer(at(0)), agent(at(10)), status(at(20), Status.OPEN, paused)]
    during = compute(RESOLVE_120, T0, timeline, at(180))["resolution"]
    assert during.elapsed_seconds == 1200
    assert (during.running, during.due_at, during.met_at) == (False, None, None)

    # The customer's reply reopens the ticket: the clock resumes from 20 minutes, it does not start over.
    resumed = [*timeline, customer(at(300)), status(at(300), paused, Status.OPEN)]
    after = compute(RESOLVE_120, T0, resumed, at(330))["resolution"]
    assert after.elapsed_seconds == (20 + 30) * 60
    assert after.running
    assert after.due_at == at(300 + 100)


def test_pause_stops_first_and_next_response_too() -> None:
    both = policy(calendar_target("first_response", 60), calendar_target("next_response", 30))
    timeline = [customer(at(0)), status(at(5), Status.NEW, Status.PENDING), status(at(65), Status.PENDING, Status.OPEN)]
    clocks = compute(both, T0, timeline, at(80))
    assert clocks["first_response"].elapsed_seconds == (5 + 15) * 60
    assert clocks["next_response"].elapsed_seconds == (5 + 15) * 60
    assert clocks["first_response"].due_at == at(80 + 40)


# --- resolution ----------------------------------------------------------------------------------------


def test_resolution_stops_when_solved_and_resumes_when_reopened() -> None:
    solved = [customer(at(0)), agent(at(10)), status(at(40), Status.OPEN, Status.SOLVED)]
    clock = compute(RESOLVE_120, T0, solved, at(120))["resolution"]
    assert (clock.met_at, clock.elapsed_seconds, clock.due_at, clock.running) == (at(40), 2400, None, False)

    reopened = [*solved, customer(at(180)), status(at(180), Status.SOLVED, Status.OPEN)]
    clock = compute(RESOLVE_120, T0, reopened, at(210))["resolution"]
    assert clock.met_at is None
    assert clock.elapsed_seconds == (40 + 30) * 60
    assert clock.due_at == at(180 + 80)
    assert clock.running

    solved_again = [*reopened, status(at(230), Status.OPEN, Status.SOLVED)]
    clock = compute(RESOLVE_120, T0, solved_again, at(300))["resolution"]
    assert (clock.met_at, clock.elapsed_seconds) == (at(230), (40 + 50) * 60)


# --- business time ---------------------------------------------------------------------------------------


def test_business_target_counts_only_open_hours_and_calendar_target_counts_all() -> None:
    friday_4pm = datetime(2026, 3, 6, 16, tzinfo=UTC)
    monday_10am = datetime(2026, 3, 9, 10, tzinfo=UTC)
    mixed = policy(Target("first_response", 480, business=True), calendar_target("resolution", 480), calendar=UTC_9_17)
    clocks = compute(mixed, friday_4pm, [customer(friday_4pm)], monday_10am)
    business, calendar = clocks["first_response"], clocks["resolution"]
    assert business.elapsed_seconds == 2 * 3600
    assert business.due_at == datetime(2026, 3, 9, 16, tzinfo=UTC)  # 1 h on Friday + 7 h on Monday
    assert business.warn_at == datetime(2026, 3, 9, 14, tzinfo=UTC)  # 6 h of 8 h
    assert not business.breached
    assert calendar.elapsed_seconds == 66 * 3600
    assert calendar.due_at == friday_4pm + timedelta(hours=8)
    assert calendar.breached


def test_business_target_does_not_count_paused_open_hours() -> None:
    friday_4pm = datetime(2026, 3, 6, 16, tzinfo=UTC)
    timeline = [
        customer(friday_4pm),
        status(datetime(2026, 3, 6, 16, 30, tzinfo=UTC), Status.NEW, Status.PENDING),
        status(datetime(2026, 3, 9, 9, 30, tzinfo=UTC), Status.PENDING, Status.OPEN),
    ]
    business = policy(Target("resolution", 480, business=True), calendar=UTC_9_17)
    clock = compute(business, friday_4pm, timeline, datetime(2026, 3, 9, 10, tzinfo=UTC))["resolution"]
    assert clock.elapsed_seconds == 3600
    assert clock.due_at == datetime(2026, 3, 9, 17, tzinfo=UTC)


def test_a_reply_after_hours_once_the_business_target_ran_out_is_a_breach() -> None:
    monday_4pm, monday_8pm = datetime(2026, 3, 2, 16, tzinfo=UTC), datetime(2026, 3, 2, 20, tzinfo=UTC)
    one_hour = policy(Target("first_response", 60, business=True), calendar=UTC_9_17)
    # The hour of business time ran out at 17:00 (when the sweep alerts); the reply came after it.
    late = compute(one_hour, monday_4pm, [customer(monday_4pm), agent(monday_8pm)], monday_8pm)["first_response"]
    assert (late.elapsed_seconds, late.breached, late.breaches) == (3600, True, 1)
    on_time = compute(one_hour, monday_4pm, [agent(monday_4pm + timedelta(hours=1))], monday_8pm)["first_response"]
    assert (on_time.elapsed_seconds, on_time.breached) == (3600, False)


ALWAYS_OPEN = BusinessCalendar("UTC", {d: (Interval(time(0), time(0)),) for d in range(7)})


def test_business_clock_counts_sub_second_stretches_exactly_so_its_due_instant_holds_still() -> None:
    ten_minutes = policy(Target("resolution", 10, business=True), calendar=ALWAYS_OPEN)

    def ms(n: int) -> datetime:
        return T0 + timedelta(milliseconds=n)

    timeline = [status(ms(700), Status.NEW, Status.PENDING), status(ms(1000), Status.PENDING, Status.OPEN)]
    # 0.7 s before the pause, so 599.3 s from 1.0 s: due at 600.3 s, whatever fraction of a second now has.
    for now in (ms(100_500), ms(100_900), ms(600_299)):
        clock = compute(ten_minutes, T0, timeline, now)["resolution"]
        assert (clock.due_at, clock.breached) == (ms(600_300), False), now
    after = compute(ten_minutes, T0, timeline, ms(601_000))["resolution"]
    assert (after.due_at, after.breached, after.elapsed_seconds) == (ms(600_300), True, 600)


# --- warning -------------------------------------------------------------------------------------------


def test_warning_at_75_percent_by_default() -> None:
    before = compute(FIRST_60, T0, [customer(at(0))], at(44))["first_response"]
    assert (before.warn_at, before.warning) == (at(45), False)
    after = compute(FIRST_60, T0, [customer(at(0))], at(45))["first_response"]
    assert (after.warn_at, after.warning, after.breached) == (at(45), True, False)


def test_warning_fraction_is_configurable_and_checked() -> None:
    clock = compute(FIRST_60, T0, [], at(31), warn_fraction=0.5)["first_response"]
    assert (clock.warn_at, clock.warning) == (at(30), True)
    with pytest.raises(ValueError, match="warn_fraction"):
        compute(FIRST_60, T0, [], at(1), warn_fraction=0)


def test_warning_clears_once_met() -> None:
    clock = compute(FIRST_60, T0, [customer(at(0)), agent(at(50))], at(55))["first_response"]
    assert (clock.warning, clock.warn_at) == (False, None)


# --- versions and inputs -------------------------------------------------------------------------------


def test_clocks_follow_the_version_pinned_on_the_ticket() -> None:
    v1 = RESOLVE_120
    v2 = v1.revise(targets=(calendar_target("resolution", 60),))
    ticket_ref = v1.ref  # assigned when the ticket was created, before the edit
    clock = compute(pinned([v2, v1], ticket_ref), T0, [customer(at(0))], at(90))["resolution"]
    assert (clock.due_at, clock.breached) == (at(120), False)
    newer = compute(v2, T0, [customer(at(0))], at(90))["resolution"]
    assert (newer.due_at, newer.breached) == (at(60), True)


def test_only_the_policy_targets_are_computed() -> None:
    assert set(compute(NEXT_30, T0, [], at(1))) == {"next_response"}


def test_entries_after_now_are_ignored() -> None:
    clock = compute(FIRST_60, T0, [customer(at(0)), agent(at(30))], at(20))["first_response"]
    assert (clock.met_at, clock.elapsed_seconds, clock.due_at) == (None, 1200, at(60))


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute(FIRST_60, T0.replace(tzinfo=None), [], at(1))
    with pytest.raises(ValueError, match="before the ticket was created"):
        compute(FIRST_60, T0, [], at(-1))
    with pytest.raises(ValueError, match="needs at least one target"):
        compute(policy(), T0, [], at(1))


# --- property: running time equals a second-by-second reference ------------------------------------------

ALL = policy(
    calendar_target("first_response", 10), calendar_target("next_response", 15), calendar_target("resolution", 30)
)
STEP = st.tuples(
    st.integers(0, 600),
    st.one_of(st.sampled_from(["customer", "agent", "note"]), st.sampled_from(list(Status))),
)


def _build(steps: list[tuple[int, str | Status]]) -> list[TimelineEntry]:
    timeline, offset, current = [], 0, Status.NEW
    for delta, what in steps:
        offset += delta
        when = T0 + timedelta(seconds=offset)
        if isinstance(what, Status):
            timeline.append(status(when, current, what))
            current = what
        else:
            timeline.append({"customer": customer, "agent": agent, "note": note}[what](when))
    return timeline


def _reference(timeline: list[TimelineEntry], now: datetime) -> dict[str, tuple[int, int | None, bool]]:
    """Per metric: (running seconds of the latest cycle, second at which it crossed its target or None, whether
    it crossed before its reply: by now while unanswered, strictly before the reply when answered)."""
    total = int((now - T0).total_seconds())
    statuses = _statuses_by_second(timeline, total)
    messages = [(int((e.at - T0).total_seconds()), e.author.kind) for e in timeline if e.kind is EntryKind.MESSAGE]
    first_agent = next((s for s, who in messages if who is ActorKind.AGENT), None)
    cycle = _latest_cycle(messages)
    solved_from = total  # start of the solved (or closed) stretch the ticket ends in, if it ends in one
    while solved_from > 0 and statuses[solved_from - 1] in (Status.SOLVED, Status.CLOSED):
        solved_from -= 1
    solved = solved_from if solved_from < total else None
    result = {
        "first_response": _count(statuses, 0, first_agent, 600),
        "resolution": _count(statuses, 0, solved, 1800),
    }
    result["next_response"] = _count(statuses, *cycle, 900) if cycle else (0, None, False)
    return result


def _statuses_by_second(timeline: list[TimelineEntry], total: int) -> list[Status]:
    statuses, current = [], Status.NEW
    for second in range(total):
        instant = T0 + timedelta(seconds=second)
        for e in timeline:
            if e.at == instant:
                for change in e.changes:
                    current = Status(change.new)
        statuses.append(current)
    return statuses


def _latest_cycle(messages: list[tuple[int, ActorKind]]) -> tuple[int, int | None] | None:
    """The latest customer-waits-for-an-agent stretch: (first unanswered customer message, the agent's reply)."""
    cycle: tuple[int, int | None] | None = None
    waiting: int | None = None
    for s, who in messages:
        if who is ActorKind.CUSTOMER and waiting is None:
            waiting = s
        elif who is ActorKind.AGENT and waiting is not None:
            cycle, waiting = (waiting, s), None
    return (waiting, None) if waiting is not None else cycle


def _count(statuses: list[Status], start: int, stop: int | None, limit: int) -> tuple[int, int | None, bool]:
    seconds, crossed = 0, None
    for s in range(start, len(statuses) if stop is None else stop):
        if statuses[s] in (Status.NEW, Status.OPEN):
            seconds += 1
            if seconds == limit:
                crossed = s + 1
    return seconds, crossed, crossed is not None and (stop is None or crossed < stop)


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(STEP, max_size=10), tail=st.integers(1, 900))
def test_running_time_matches_a_second_by_second_reference(steps: list[tuple[int, str | Status]], tail: int) -> None:
    timeline = _build(steps)
    now = (timeline[-1].at if timeline else T0) + timedelta(seconds=tail)
    clocks = compute(ALL, T0, timeline, now)
    for metric, (seconds, crossed, late) in _reference(timeline, now).items():
        clock = clocks[metric]  # type: ignore[index]
        assert clock.elapsed_seconds == seconds, metric
        if metric == "next_response":  # earlier cycles may have breached too
            assert clock.breaches >= int(late) and clock.breached is (clock.breaches > 0), metric
        else:
            assert clock.breached is late, metric
        if clock.met_at is None and crossed is not None:
            assert clock.due_at == T0 + timedelta(seconds=crossed), metric
        if clock.met_at is None and crossed is None and clock.running:
            assert clock.due_at == now + timedelta(seconds=clock.target_seconds - seconds), metric
