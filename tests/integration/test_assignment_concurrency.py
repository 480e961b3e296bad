"""Concurrent workers assigning from one team queue on DynamoDB (moto server): the capacity cap holds.

moto backs out a failed TransactWriteItems by restoring a deep copy of the tables it touched, taken when the
transaction started: with concurrent clients that restore also undoes the writes other clients made meanwhile,
something DynamoDB (serializable transactions) never does. The ``serializable_moto`` fixture makes moto's write
operations take turns, so these tests check Lambdesk's conditions rather than moto's rollback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.domain.people import Availability, Role, Strategy
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.routing.service import Router
from chalicelib.services.tickets import NewTicket

WORKERS = 8
WRITES = ("transact_write_items", "put_item", "update_item", "delete_item", "batch_write_item")


@pytest.fixture(autouse=True)
def serializable_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()

    def serialized(method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return call

    for name in WRITES:
        monkeypatch.setattr(DynamoDBBackend, name, serialized(getattr(DynamoDBBackend, name)))
    yield


def test_concurrent_workers_never_push_an_agent_past_the_cap(dynamo_svc: Any) -> None:
    svc = dynamo_svc
    team = svc.directory.create_team("Support")
    team = svc.directory.update_team(team.id, team.version, {"assignment_strategy": Strategy.LEAST_LOADED})
    agents = []
    for n in range(3):
        agent = svc.directory.create_agent(f"a{n}@agents.example", f"Agent {n}", Role.AGENT, None, (team.id,), (), 2)
        agents.append(svc.directory.update_agent(agent.id, agent.version, {"availability": Availability.ONLINE}))
    system = Actor(ActorKind.SYSTEM, "test")
    tickets = [
        svc.tickets.create(
            system, NewTicket(subject=f"T{n}", body_text="x", requester_email=f"c{n}@x.example", team_id=team.id)
        )[0]
        for n in range(12)
    ]

    def work(ticket: Any) -> str:
        return Router(svc, svc.desk).assign(svc.ticket_repo.get(ticket.id))

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(work, tickets))

    loads = svc.work_repo.loads([a.id for a in agents])
    assigned = [svc.ticket_repo.get(t.id).assignee_id for t in tickets]
    assert sorted(len(v) for v in loads.values()) == [2, 2, 2]
    assert sum(1 for a in assigned if a) == 6 and sum(o.startswith("assigned") for o in outcomes) == 6
    for agent in agents:  # what the loads count is exactly what the tickets say
        assert loads[agent.id] == {t.id for t, a in zip(tickets, assigned, strict=True) if a == agent.id}


def test_two_workers_racing_for_one_ticket_assign_it_once(dynamo_svc: Any) -> None:
    svc = dynamo_svc
    team = svc.directory.create_team("Support")
    team = svc.directory.update_team(team.id, team.version, {"assignment_strategy": Strategy.ROUND_ROBIN})
    for n in range(4):
        agent = svc.directory.create_agent(f"r{n}@agents.example", f"R {n}", Role.AGENT, None, (team.id,), (), 5)
        svc.directory.update_agent(agent.id, agent.version, {"availability": Availability.ONLINE})
    ticket, _ = svc.tickets.create(
        Actor(ActorKind.SYSTEM, "t"),
        NewTicket(subject="x", body_text="x", requester_email="z@x.example", team_id=team.id),
    )
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda _: Router(svc, svc.desk).assign(svc.ticket_repo.get(ticket.id)), range(WORKERS)))
    _, timeline = svc.ticket_repo.get_with_timeline(ticket.id)
    assert len([e for e in timeline if e.event == "ticket.assigned"]) == 1
    loads = svc.work_repo.loads([svc.ticket_repo.get(ticket.id).assignee_id])
    assert list(loads.values()) == [frozenset({ticket.id})]
