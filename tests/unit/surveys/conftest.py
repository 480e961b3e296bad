"""The in-memory desk with a settable clock (tests/unit/desk), plus what survey tests build on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.people import Strategy
from chalicelib.domain.tickets import Channel
from chalicelib.domain.timeline import Actor, ActorKind
from tests.unit.desk.conftest import T0, Desk, FakeClock, desk  # the desk fixture, shared with the desk tests

PORTAL_URL = "https://help.example.com"


@pytest.fixture(autouse=True)
def portal_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Survey links start with the portal's URL; without one no survey is sent (tested apart)."""
    monkeypatch.setenv("LAMBDESK_PORTAL_URL", PORTAL_URL)
    yield PORTAL_URL


def agent_of(desk: Desk, team_name: str = "Support", agent_name: str = "") -> tuple[Any, Actor]:
    """A team with manual assignment and an agent of it (named after the team unless ``agent_name``)."""
    team = desk.team(team_name, Strategy.MANUAL)
    return team, Actor(ActorKind.AGENT, desk.agent(agent_name or f"{team_name}-agent", (team.id,)).id)


def solved_ticket(desk: Desk, agent: Actor, team_id: str, email: str = "maria@customer.example", **kw: Any) -> Any:
    """A ticket an agent answered publicly and solved (events delivered)."""
    ticket = desk.new_ticket(email=email, team_id=team_id, **{"channel": Channel.EMAIL, **kw})
    desk.pump()
    desk.svc.tickets.update(agent, ticket.id, ticket.version, {"assignee_id": agent.id})
    desk.svc.tickets.reply(agent, ticket.id, desk.ticket(ticket.id).version, "Fixed: restart it.", status="solved")
    desk.pump()
    return desk.ticket(ticket.id)


def survey_events(desk: Desk, kind: str = "survey.requested") -> list[dict[str, Any]]:
    desk.pump()
    return desk.of_type(kind)


__all__ = ["T0", "Desk", "FakeClock", "agent_of", "desk", "solved_ticket", "survey_events"]
