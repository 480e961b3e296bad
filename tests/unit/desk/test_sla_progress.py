"""The SLA consumer keeps its reading of the timeline in the SLA item and reads only the ticket's head per event:
the state it stores must be the one a full read of the timeline gives, in order, redelivered or reordered."""

from __future__ import annotations

import random
from typing import Any

import pytest

from chalicelib.bootstrap.handlers import sla_table
from chalicelib.core.resources import DUE_SLA
from chalicelib.domain.people import Strategy
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.events.dispatch import Consumer
from chalicelib.events.envelope import envelope
from chalicelib.sla.config import POLICY
from tests.unit.desk.conftest import Desk

TARGETS = [
    {"metric": "first_response", "minutes": 60, "business": False},
    {"metric": "next_response", "minutes": 30, "business": False},
    {"metric": "resolution", "minutes": 600, "business": False},
]


class Reads:
    """Counts the SLA consumer's whole-timeline reads (``ticket_state``) and head reads."""

    def __init__(self, work: Any) -> None:
        self.full = self.head = 0
        state, head = work.ticket_state, work.ticket_head

        def counted_state(ticket_id: str) -> Any:
            self.full += 1
            return state(ticket_id)

        def counted_head(ticket_id: str) -> Any:
            self.head += 1
            return head(ticket_id)

        work.ticket_state, work.ticket_head = counted_state, counted_head


def deliver(desk: Desk, order: str = "in order", rng: random.Random | None = None) -> None:
    """The new events to the SLA consumer only: in order, each twice, or each write's events shuffled."""
    events = [envelope(e) for e in desk.svc.ticket_repo.published[desk.delivered :]]
    desk.delivered = len(desk.svc.ticket_repo.published)
    if order == "shuffled" and rng is not None:
        rng.shuffle(events)
    for event in events:
        for _ in range(2 if order == "twice" else 1):
            table = sla_table(desk.svc)
            Consumer("sla", lambda table=table: table).handle(table, event)


def stored(desk: Desk, ticket_id: str) -> Any:
    return desk.svc.work_repo.get_due(DUE_SLA, ticket_id)


def recomputed(desk: Desk, ticket_id: str) -> tuple[dict[str, Any], Any]:
    """What a full read of the timeline gives now (the state without the kept reader, and the next due time)."""
    ticket, timeline, dues = desk.svc.work_repo.ticket_state(ticket_id)
    assessment = desk.svc.sla_tracker().assess(ticket, timeline, dues.get(DUE_SLA))
    return assessment.state(), assessment.next_due()


def without_reader(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "reader"}


def staffed(desk: Desk) -> tuple[str, Actor]:
    """A team with agent Ann (returned as the actor of her writes) under the standard SLA policy."""
    team = desk.team("Support", Strategy.MANUAL)
    ann = desk.agent("Ann", (team.id,))
    desk.configure(POLICY, {"name": "Standard", "targets": TARGETS})
    return team.id, Actor(ActorKind.AGENT, ann.id)


def conversation(desk: Desk, order: str, seed: int) -> tuple[str, Reads]:
    """A ticket with replies both ways, pauses, a solve, a reopen and notes, the clock moving between them."""
    rng = random.Random(seed)
    team_id, agent = staffed(desk)
    ticket = desk.new_ticket(team_id=team_id)
    deliver(desk, order, rng)
    reads = Reads(desk.svc.work_repo)
    customer = desk.svc.customer_repo.get_customer(ticket.requester_id)
    steps = [
        lambda v: desk.svc.tickets.reply(agent, ticket.id, v, "Looking"),
        lambda v: desk.svc.tickets.customer_message(customer, ticket.id, "Still broken", "email"),
        lambda v: desk.svc.tickets.note(agent, ticket.id, v, "internal"),
        lambda v: desk.svc.tickets.update(agent, ticket.id, v, {"assignee_id": agent.id}),
        lambda v: desk.svc.tickets.reply(agent, ticket.id, v, "Try this", status=Status.PENDING),
        lambda v: desk.svc.tickets.customer_message(customer, ticket.id, "Did not help", "email"),
        lambda v: desk.svc.tickets.update(agent, ticket.id, v, {"status": Status.ON_HOLD}),
        lambda v: desk.svc.tickets.update(agent, ticket.id, v, {"status": Status.OPEN}),
        lambda v: desk.svc.tickets.reply(agent, ticket.id, v, "Fixed", status=Status.SOLVED),
        lambda v: desk.svc.tickets.customer_message(customer, ticket.id, "It is back", "email"),
    ]
    for _ in range(3):
        for step in steps:
            desk.clock.advance(minutes=rng.choice((1, 7, 25, 45, 90)))
            step(desk.ticket(ticket.id).version)
            if rng.random() < 0.6:
                deliver(desk, order, rng)
        deliver(desk, order, rng)
    return ticket.id, reads


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_events_in_order_keep_the_state_a_full_read_gives_and_read_only_the_head(desk: Desk, seed: int) -> None:
    ticket_id, reads = conversation(desk, "in order", seed)
    full, head = reads.full, reads.head
    state, due = recomputed(desk, ticket_id)
    kept = stored(desk, ticket_id)
    assert (without_reader(kept.state), kept.due_at) == (state, due)
    assert state["metrics"]["next_response"]["breaches"] > 0  # the scenario misses targets: folding counts them
    assert full == 0 and head > 20


@pytest.mark.parametrize("seed", [4, 5])
def test_redelivered_events_change_nothing(desk: Desk, seed: int) -> None:
    ticket_id, reads = conversation(desk, "twice", seed)
    full = reads.full
    state, due = recomputed(desk, ticket_id)
    kept = stored(desk, ticket_id)
    assert (without_reader(kept.state), kept.due_at) == (state, due)
    assert full == 0


@pytest.mark.parametrize("seed", [6, 7, 8, 9])
def test_reordered_events_end_in_the_state_a_full_read_gives(desk: Desk, seed: int) -> None:
    ticket_id, _ = conversation(desk, "shuffled", seed)
    state, due = recomputed(desk, ticket_id)
    kept = stored(desk, ticket_id)
    assert (without_reader(kept.state), kept.due_at) == (state, due)


def test_an_event_that_moves_no_clock_reads_nothing(desk: Desk) -> None:
    team_id, agent = staffed(desk)
    ticket = desk.new_ticket(team_id=team_id)
    deliver(desk)
    reads = Reads(desk.svc.work_repo)
    ticket = desk.svc.tickets.update(agent, ticket.id, ticket.version, {"assignee_id": agent.id, "tags": ["vip"]})
    desk.svc.tickets.note(agent, ticket.id, ticket.version, "internal")
    deliver(desk)
    assert (reads.full, reads.head) == (0, 0)


def test_a_ticket_kept_before_the_progress_existed_is_read_whole_once(desk: Desk) -> None:
    team_id, agent = staffed(desk)
    ticket = desk.new_ticket(team_id=team_id)
    deliver(desk)
    old = stored(desk, ticket.id)
    desk.svc.work_repo.put_due(type(old)(old.kind, old.ticket_id, old.due_at, without_reader(old.state), 99))
    reads = Reads(desk.svc.work_repo)
    for text in ("One", "Two"):
        desk.clock.advance(minutes=5)
        desk.svc.tickets.reply(agent, ticket.id, desk.ticket(ticket.id).version, text)
        deliver(desk)
    assert reads.full == 1
    state, due = recomputed(desk, ticket.id)
    assert (without_reader(stored(desk, ticket.id).state), stored(desk, ticket.id).due_at) == (state, due)


def test_the_events_of_one_write_in_a_batch_read_the_head_once(desk: Desk) -> None:
    team_id, agent = staffed(desk)
    ticket = desk.new_ticket(team_id=team_id)
    deliver(desk)
    reads = Reads(desk.svc.work_repo)
    desk.clock.advance(minutes=5)
    desk.svc.tickets.reply(agent, ticket.id, desk.ticket(ticket.id).version, "Try this", status=Status.PENDING)
    events = [envelope(e) for e in desk.svc.ticket_repo.published[desk.delivered :]]
    assert [e["type"] for e in events] == ["message.added", "ticket.updated"]
    table = sla_table(desk.svc)  # one batch: one table
    for event in events:
        Consumer("sla", lambda: table).handle(table, event)
    assert (reads.full, reads.head) == (0, 1)
    state, due = recomputed(desk, ticket.id)
    assert (without_reader(stored(desk, ticket.id).state), stored(desk, ticket.id).due_at) == (state, due)
    assert state["metrics"]["first_response"]["met_at"] is not None


def test_a_merge_brings_the_other_tickets_messages_into_the_clocks(desk: Desk) -> None:
    team_id, agent = staffed(desk)
    target = desk.new_ticket(team_id=team_id, email="same@x.example")
    deliver(desk)
    desk.clock.advance(minutes=5)
    desk.svc.tickets.reply(agent, target.id, desk.ticket(target.id).version, "Answered")
    deliver(desk)
    desk.clock.advance(minutes=5)
    source = desk.new_ticket(team_id=team_id, email="same@x.example")
    deliver(desk)
    desk.clock.advance(minutes=5)
    desk.svc.ticket_relations.merge(agent, source.id, target.id, desk.ticket(source.id).version)
    deliver(desk)
    state, due = recomputed(desk, target.id)
    # The source's message came after the target's answer: it waits for a reply on the target now.
    assert state["metrics"]["next_response"]["started_at"] == source.created_at.isoformat()
    assert (without_reader(stored(desk, target.id).state), stored(desk, target.id).due_at) == (state, due)
