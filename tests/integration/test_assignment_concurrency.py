"""Concurrent workers assigning from one team queue on DynamoDB (moto server): the capacity cap holds.

The moto server of the test session takes DynamoDB writes in turns (``devtools.moto_isolation``): moto's own
transaction rollback would otherwise undo concurrent clients' writes, which DynamoDB never does; the tests
check Lambdesk's conditions, not moto's rollback.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.domain.people import Availability, Role, Strategy
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.routing.outcomes import Assigned
from chalicelib.tickets.service import NewTicket

WORKERS = 8


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
        return svc.router().assign(svc.ticket_repo.get(ticket.id))

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(work, tickets))

    loads = svc.work_repo.loads([a.id for a in agents])
    assigned = [svc.ticket_repo.get(t.id).assignee_id for t in tickets]
    assert sorted(len(v) for v in loads.values()) == [2, 2, 2]
    assert sum(1 for a in assigned if a) == 6 and sum(isinstance(o, Assigned) for o in outcomes) == 6
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
        list(pool.map(lambda _: svc.router().assign(svc.ticket_repo.get(ticket.id)), range(WORKERS)))
    _, timeline = svc.ticket_repo.get_with_timeline(ticket.id)
    assert len([e for e in timeline if e.event == "ticket.assigned"]) == 1
    loads = svc.work_repo.loads([svc.ticket_repo.get(ticket.id).assignee_id])
    assert list(loads.values()) == [frozenset({ticket.id})]
