"""The reports consumer on the in-memory desk with its kept replay: a long thread gives the facts of the whole
timeline replayed, the reads do not grow with the thread, and events out of order or redelivered still add
each fact once (the marker) and the same daily items as the timeline's replay of the same events."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.people import Strategy
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.reports.aggregator import ReportAggregator, makes_nothing_true
from chalicelib.sla.config import POLICY
from tests.fakes.memory_reports import InMemoryReportRepository
from tests.unit.reports.conftest import Desk


class Reads:
    """Counts the consumer's reads of the whole ticket partition (``ticket_state``)."""

    def __init__(self, work: Any) -> None:
        self.work, self.timeline = work, 0
        self.original = work.ticket_state

    def __call__(self, ticket_id: str) -> Any:
        self.timeline += 1
        return self.original(ticket_id)


@pytest.fixture
def reads(desk: Desk) -> Iterator[Reads]:
    counter = Reads(desk.svc.work_repo)
    desk.svc.work_repo.ticket_state = counter
    yield counter
    desk.svc.work_repo.ticket_state = counter.original


def replayed(desk: Desk) -> tuple[ReportAggregator, InMemoryReportRepository]:
    """The consumer as it was: every event from the whole timeline (no kept replay), on its own items."""
    kept = desk.svc.reports.aggregator()
    repo = InMemoryReportRepository(desk.svc.ticket_repo)
    return ReportAggregator(kept.work, repo, kept.judge, kept.zone, kept.clock), repo


def counted(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events the reports queue takes, but the creation's own message (the consumer skips it unread)."""
    return [e for e in events if e["type"] in REPORT_EVENTS and not makes_nothing_true(e)]


def a_busy_ticket(desk: Desk, notes: int) -> list[dict[str, Any]]:
    """A ticket answered late, with ``notes`` internal notes, reassigned, solved, reopened and solved again;
    its events as the relay published them."""
    desk.configure(
        POLICY,
        {
            "name": "Standard",
            "targets": [
                {"metric": "first_response", "minutes": 60},
                {"metric": "next_response", "minutes": 30},
                {"metric": "resolution", "minutes": 600},
            ],
        },
    )
    team = desk.team(f"Support {len(desk.events)}", Strategy.MANUAL)
    ann = Actor(ActorKind.AGENT, desk.agent(f"Ann{len(desk.events)}", (team.id,)).id)
    bob = desk.agent(f"Bob{len(desk.events)}", (team.id,))
    ticket = desk.new_ticket(team_id=team.id)
    customer = desk.svc.customers.get(ticket.requester_id)
    desk.svc.tickets.update(ann, ticket.id, ticket.version, {"assignee_id": ann.id})
    for n in range(notes):
        desk.svc.tickets.note(ann, ticket.id, desk.ticket(ticket.id).version, f"note {n}")
    desk.clock.advance(minutes=90)
    desk.svc.tickets.reply(ann, ticket.id, desk.ticket(ticket.id).version, "Looking", status=Status.PENDING)
    desk.clock.advance(minutes=5)
    desk.svc.tickets.customer_message(customer, ticket.id, "Still broken", "email")
    desk.svc.tickets.customer_message(customer, ticket.id, "Hello?", "email")
    desk.clock.advance(minutes=45)
    desk.svc.tickets.update(ann, ticket.id, desk.ticket(ticket.id).version, {"assignee_id": bob.id})
    bob_actor = Actor(ActorKind.AGENT, bob.id)
    desk.svc.tickets.reply(bob_actor, ticket.id, desk.ticket(ticket.id).version, "Fixed", status=Status.SOLVED)
    desk.clock.advance(minutes=10)
    desk.svc.tickets.customer_message(customer, ticket.id, "No it is not", "email")
    desk.clock.advance(minutes=10)
    desk.svc.tickets.reply(bob_actor, ticket.id, desk.ticket(ticket.id).version, "Now it is", status=Status.SOLVED)
    return desk.pump()


@pytest.mark.parametrize("notes", [3, 98])
def test_a_long_thread_gives_the_same_facts_without_reading_the_timeline(desk: Desk, reads: Reads, notes: int) -> None:
    events = counted(a_busy_ticket(desk, notes))
    kept, old = desk.svc.reports.aggregator(), replayed(desk)
    kept_repo = desk.svc.repos.reports
    reads.timeline = 0
    for event in events:
        assert kept.on_event(event).facts == old[0].on_event(event).facts
    assert reads.timeline == len(events)  # the old consumer's, one per event; the kept one read none
    assert kept_repo.kept_reads < len(events)  # one BatchGetItem per event but the creation
    assert kept_repo._items == old[1]._items


def test_reads_per_event_are_the_same_at_5_and_at_100_entries(desk: Desk, reads: Reads) -> None:
    per_size = {}
    for notes in (3, 98):
        events = counted(a_busy_ticket(desk, notes))
        before_kept, before_timeline = desk.svc.repos.reports.kept_reads, reads.timeline
        for event in events:
            desk.svc.reports.aggregator().on_event(event)
        per_size[notes] = (desk.svc.repos.reports.kept_reads - before_kept, reads.timeline - before_timeline)
    assert per_size[3] == per_size[98]
    assert per_size[3][1] == 0


def test_out_of_order_and_redelivered_events_add_each_fact_once(desk: Desk) -> None:
    events = counted(a_busy_ticket(desk, 10))
    events += counted(a_busy_ticket(desk, 2))
    shuffled = events + random.Random(3).sample(events, len(events) // 2)
    random.Random(5).shuffle(shuffled)
    kept, old = desk.svc.reports.aggregator(), replayed(desk)
    for event in shuffled:
        kept.on_event(event)
    for event in events:
        old[0].on_event(event)
    assert desk.svc.repos.reports._items == old[1]._items
    assert desk.svc.repos.reports.writes == old[1].writes


def test_events_of_entries_written_before_the_chain_replay_the_timeline(desk: Desk, reads: Reads) -> None:
    events = counted(a_busy_ticket(desk, 2))
    reads.timeline = 0
    for event in events:
        event.pop("report", None)  # entries written before stamps: the timeline, every time
    for event in events:
        desk.svc.reports.aggregator().on_event(event)
    assert reads.timeline == len(events)
