"""A desk for the survey API and page tests: in-memory services on a settable clock, installed as the app's, the
Chalice test client, and a way to get a survey sent (with its link's token, as only the mail has it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.people import Role
from chalicelib.domain.tickets import Channel, Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.surveys.sender import Sent
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.api.contract import Api, Contract
from tests.api.support import chalice_client

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    svc: Any
    clock: Clock
    http: Any
    contract: Contract
    admin: Any
    agent: Any
    team: Any

    def api(self, who: Any) -> Api:
        return Api(self.http, self.contract).as_(who)

    def survey(self, email: str = "maria@customer.example", locale: str | None = None, **ticket: Any) -> Sent:
        """A ticket of ``email`` answered, solved and surveyed now (the delay skipped, every other rule kept)."""
        svc, agent = self.svc, Actor(ActorKind.AGENT, self.agent.id)
        fields = {"channel": Channel.EMAIL, "requester_email": email, "team_id": self.team.id, **ticket}
        created, _ = svc.tickets.create(agent, NewTicket("Printer on fire", "It smokes", **fields))
        if locale:
            customer = svc.customers.get(created.requester_id)
            svc.customers.update(customer.id, customer.version, {"locale": locale})
        current = svc.tickets.update(agent, created.id, created.version, {"assignee_id": self.agent.id})
        svc.tickets.reply(agent, created.id, current.version, "Restart it.", status=Status.SOLVED)
        self.clock.now += timedelta(minutes=1)
        sent = svc.surveys.sender().offer(created.id)
        assert isinstance(sent, Sent), sent
        return sent


@pytest.fixture
def world(settings: Any, contract: Contract) -> Iterator[World]:
    clock = Clock()
    # Survey links start with the portal's URL (no survey is sent without one).
    svc = fakes.memory_services(settings.replace(portal_url="https://help.example.com"), clock)
    bootstrap.use(svc)
    admin = svc.directory.create_agent("ada@example.com", "Ada Admin", Role.ADMIN)
    team = svc.directory.create_team("Support")
    agent = svc.directory.create_agent("ben@example.com", "Ben Agent", Role.AGENT, None, (team.id,))
    with chalice_client() as client:
        yield World(svc, clock, client.http, contract, admin, agent, team)
    bootstrap.use(None)
