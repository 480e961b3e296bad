"""The in-memory desk (tests/unit/desk) with the reports consumer pumped beside the others."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.people import Strategy
from chalicelib.domain.timeline import Actor, ActorKind
from tests.unit.desk.conftest import T0, Desk, FakeClock, desk


def pump_reports(desk: Desk, redeliver: bool = True) -> int:
    """Deliver every event to the other consumers, then each counted one to the reports consumer (twice with
    ``redeliver``), a fresh table per delivery as a new batch gets; returns how many reached it."""
    from chalicelib.bootstrap.handlers import reports_table
    from chalicelib.core.resources import REPORT_EVENTS
    from chalicelib.events.dispatch import Consumer

    delivered = 0
    for event in desk.pump():
        if event["type"] not in REPORT_EVENTS:
            continue
        for _ in range(2 if redeliver else 1):
            Consumer("reports", lambda: reports_table(desk.svc)).handle(reports_table(desk.svc), event)
        delivered += 1
    return delivered


def team_agent(desk: Desk) -> tuple[Any, Actor]:
    team = desk.team("Support", Strategy.MANUAL)
    return team, Actor(ActorKind.AGENT, desk.agent("Ann", (team.id,)).id)


__all__ = ["T0", "Desk", "FakeClock", "desk", "pump_reports", "team_agent"]
