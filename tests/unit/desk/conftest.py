"""A desk on the in-memory repositories with a settable clock, and a pump that delivers every new event to the
routing, SLA and automation consumers the way the queues would (in write order, until nothing is new)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.people import Availability, Role, Strategy
from chalicelib.domain.timeline import Actor, ActorKind
from tests import fakes

# A Monday, 10:00 UTC.
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Desk:
    svc: Any
    clock: FakeClock
    delivered: int = 0
    customers: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)

    def pump(self, redeliver: bool = False) -> list[dict[str, Any]]:
        """Deliver new events to the consumers (each twice with ``redeliver``); return them."""
        from chalicelib.bootstrap.handlers import automations_table, routing_table, sla_table
        from chalicelib.events.dispatch import Consumer
        from chalicelib.events.envelope import envelope

        handled: list[dict[str, Any]] = []
        while self.delivered < len(self.svc.ticket_repo.published):
            entry = self.svc.ticket_repo.published[self.delivered]
            self.delivered += 1
            event = envelope(entry)
            for _ in range(2 if redeliver else 1):
                # The same tables the queues' functions use (chalicelib/bootstrap/handlers.py), a fresh one per
                # delivery as a new batch would get.
                for build in (routing_table, sla_table, automations_table):
                    Consumer("test", lambda build=build: build(self.svc)).handle(build(self.svc), event)
            handled.append(event)
        self.events += handled
        return handled

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    def team(self, name: str, strategy: Strategy = Strategy.ROUND_ROBIN, **settings: Any) -> Any:
        team = self.svc.directory.create_team(name)
        return self.svc.directory.update_team(team.id, team.version, {"assignment_strategy": strategy, **settings})

    def agent(self, name: str, team_ids: tuple[str, ...], capacity: int = 5, **changes: Any) -> Any:
        agent = self.svc.directory.create_agent(
            f"{name.lower()}@agents.example", name, Role.AGENT, None, team_ids, (), capacity
        )
        values = {"availability": Availability.ONLINE, **changes}
        return self.svc.directory.update_agent(agent.id, agent.version, values)

    def admin_id(self) -> str:
        return "admin-1"

    def configure(self, kind: str, body: dict[str, Any]) -> Any:
        return self.svc.documents.create(self.admin_id(), kind, body)

    def new_ticket(self, subject: str = "Help", body: str = "It broke", email: str | None = None, **kw: Any) -> Any:
        """A ticket from a new customer each time unless ``email`` names one (sticky assignment needs that)."""
        from chalicelib.tickets.service import NewTicket

        self.customers += 1
        email = email or f"customer{self.customers}@x.example"
        customer = Actor(ActorKind.SYSTEM, "test")
        ticket, _ = self.svc.tickets.create(
            customer, NewTicket(subject=subject, body_text=body, requester_email=email, **kw)
        )
        return ticket

    def ticket(self, ticket_id: str) -> Any:
        return self.svc.ticket_repo.get(ticket_id)


@pytest.fixture
def desk(settings: Any) -> Iterator[Desk]:
    from chalicelib import bootstrap

    clock = FakeClock()
    svc = fakes.memory_services(settings, clock)
    bootstrap.use(svc)
    yield Desk(svc, clock)
    bootstrap.use(None)
