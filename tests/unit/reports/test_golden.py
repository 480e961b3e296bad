"""The golden fixture (about 500 scripted tickets) through the aggregator equals the brute-force calculator:
counts and sums exactly, medians and p90 within the histogram's stated bound, for the whole month and for
each week, for the desk and per agent, team, channel and priority; every event counted once although events
arrive shuffled across tickets and a tenth of them twice."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.bootstrap.reports import sla_judge
from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.reports import DIMENSIONS
from chalicelib.reports.facts import facts_at
from chalicelib.reports.figures import Durations, Figures
from chalicelib.reports.histogram import RELATIVE_ERROR
from chalicelib.reports.queries import ReportQueries
from chalicelib.reports.rollup import tallies
from tests.fakes.memory_reports import InMemoryReportRepository
from tests.unit.reports.brute import Truth, sla_truth, truth
from tests.unit.reports.golden import DESK_ZONE, POLICIES, TICKETS, fixture
from tests.unit.reports.script import Script

ZONE = ZoneInfo(DESK_ZONE)
MONTH = (date(2026, 11, 1), date(2026, 12, 31))
WEEKS = [(date(2026, 11, 2) + timedelta(days=7 * n), date(2026, 11, 8) + timedelta(days=7 * n)) for n in range(4)]


@dataclass
class Counted:
    scripts: list[Script]
    queries: ReportQueries
    events: int
    duplicates: int
    writes: int


@pytest.fixture(scope="module")
def counted() -> Counted:
    scripts = fixture()
    judge = sla_judge(lambda: POLICIES)
    events = [(s, e) for s in scripts for e in s.timeline if e.event in REPORT_EVENTS]
    rng = random.Random(7)
    rng.shuffle(events)
    again = rng.sample(events, len(events) // 10)
    repo, wrote, refused = InMemoryReportRepository(), set(), set()
    for script, entry in events + again:
        additions = tallies(facts_at(script.ticket, script.timeline, entry.id, judge), ZONE)
        if repo.add(entry.id, additions, entry.at):
            wrote |= {entry.id} if additions else set()
        else:
            refused.add(entry.id)
    redelivered_writers = {e.id for _, e in again} & wrote
    assert refused == redelivered_writers  # every redelivery of an event that wrote was refused, nothing else
    return Counted(scripts, ReportQueries(repo, DESK_ZONE), len(events), len(refused), repo.writes)


def within_bound(estimate: int | None, values: list[int], q: float) -> bool:
    if not values:
        return estimate is None
    exact = sorted(values)[max(1, math.ceil(q * len(values))) - 1]
    return estimate is not None and abs(estimate - exact) <= RELATIVE_ERROR * exact + 0.5


def check_durations(got: Durations, pairs: list[tuple[int, int]], where: str) -> None:
    calendar, business = [p[0] for p in pairs], [p[1] for p in pairs]
    assert (got.count, got.total_s, got.business_total_s) == (len(pairs), sum(calendar), sum(business)), where
    for estimate, values, q in (
        (got.median_s, calendar, 0.5),
        (got.p90_s, calendar, 0.9),
        (got.business_median_s, business, 0.5),
        (got.business_p90_s, business, 0.9),
    ):
        assert within_bound(estimate, values, q), (where, q, estimate)


def check(got: Figures, want: Truth, where: str) -> None:
    counts = (got.tickets_created, got.tickets_solved, got.reopens, got.replies, got.fcr, got.chats_missed)
    want_counts = (want.created, want.solved, want.reopened, want.replies, want.fcr, want.chats_missed)
    assert counts == want_counts, where
    for metric, durations in (("fr", got.first_reply_time), ("nr", got.next_reply_time), ("rs", got.resolution_time)):
        check_durations(durations, want.durations.get(metric, []), f"{where} {metric}")
    assert {r: n for r, n in got.csat_ratings.items() if n} == {r: n for r, n in want.ratings.items() if n}, where
    assert got.csat_responses == want.responses, where


def test_the_fixture_is_about_500_tickets_with_everything_the_definitions_name(counted: Counted) -> None:
    assert len(counted.scripts) == TICKETS == 500
    events = {e.event for s in counted.scripts for e in s.timeline}
    assert {"ticket.created", "message.added", "ticket.updated", "csat.answered", "sla.breached"} <= events
    assert "chat.missed" in events
    month = truth(counted.scripts, "all", *MONTH, ZONE)["all"]
    assert month.chats_missed > 40
    assert month.reopened > 50 and month.fcr > 20 and month.responses > 50 and len(month.durations["fr"]) > 300


def test_every_event_is_counted_once_and_each_costs_at_most_one_write(counted: Counted) -> None:
    assert 0 < counted.duplicates < counted.events // 10
    assert counted.writes <= counted.events


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_the_month_per_dimension_equals_the_brute_force_calculator(counted: Counted, dimension: str) -> None:
    group_by = None if dimension == "all" else dimension
    groups = {g.key: g.figures for g in counted.queries.summary(*MONTH, None, group_by)}
    want = truth(counted.scripts, dimension, *MONTH, ZONE)
    assert set(groups) == set(want)
    for key, figures in groups.items():
        check(figures, want[key], f"{dimension}={key}")


@pytest.mark.parametrize(("first", "last"), WEEKS)
def test_each_week_of_local_days_equals_the_brute_force_calculator(counted: Counted, first: date, last: date) -> None:
    for dimension in ("all", "agent"):
        groups = {g.key: g.figures for g in counted.queries.summary(first, last, None, dimension)}
        want = truth(counted.scripts, dimension, first, last, ZONE)
        for key in set(groups) | set(want):
            check(groups[key], want[key], f"{first} {dimension}={key}")


@pytest.mark.parametrize(("first", "last"), [MONTH, *WEEKS])
def test_sla_outcomes_per_policy_and_target_equal_the_sla_engine(counted: Counted, first: date, last: date) -> None:
    (desk,) = counted.queries.summary(first, last, None, None)
    start = datetime.combine(first, time(0), ZONE)
    end = datetime.combine(last + timedelta(days=1), time(0), ZONE)
    want = sla_truth(counted.scripts, start, end)
    got = {
        (t.policy_id, t.target, k): n
        for t in desk.figures.sla_targets
        for k, n in (("a", t.achieved), ("b", t.breached))
    }
    assert {k: n for k, n in got.items() if n} == {k: n for k, n in want.items() if n}
    assert desk.figures.sla_achieved == sum(n for (_, _, k), n in want.items() if k == "a")
    assert desk.figures.sla_breached == sum(n for (_, _, k), n in want.items() if k == "b")


def test_the_events_the_aggregator_skips_unread_make_nothing_true(counted: Counted) -> None:
    from chalicelib.events.envelope import envelope
    from chalicelib.reports.aggregator import makes_nothing_true

    judge = sla_judge(lambda: POLICIES)
    skipped = [
        (s, e)
        for s in counted.scripts
        for e in s.timeline
        if e.event in REPORT_EVENTS and makes_nothing_true(envelope(e))
    ]
    assert len(skipped) == len(counted.scripts)  # every ticket's first message, and nothing else
    assert all(facts_at(s.ticket, s.timeline, e.id, judge) == [] for s, e in skipped)
