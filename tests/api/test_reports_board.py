"""Backlog now (by status and age, from the ticket views) and the signed-in agent's achievements, through
the API; every response is checked against the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.contract import Api
from tests.api.support import Desk


@pytest.fixture
def backlog_desk(desk: Desk) -> list[dict[str, Any]]:
    """Four tickets: two new, one pending, one solved."""
    tickets = [desk.ticket(subject=f"Case {n}") for n in range(4)]
    desk.patch_ticket(tickets[1], status="pending")
    desk.patch_ticket(tickets[2], status="solved")
    return tickets


def statuses(body: dict[str, Any]) -> dict[str, int]:
    return {s["status"]: s["count"] for s in body["statuses"]}


def test_the_backlog_counts_unsolved_tickets_by_status_and_age(
    agent_api: Api, backlog_desk: Any, memory_svc: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = agent_api.get("/v1/reports/backlog")
    assert reply.status == 200, reply.json
    body = reply.json
    assert statuses(body) == {"new": 2, "open": 0, "pending": 1, "on_hold": 0}
    assert body["total"] == 3 and body["complete"] is True
    assert {a["bucket"]: a["count"] for a in body["ages"]}["under_1h"] == 3
    now = memory_svc.clock()
    monkeypatch.setattr(memory_svc, "clock", lambda: now + timedelta(days=2))
    later = agent_api.get("/v1/reports/backlog").json
    ages = {a["bucket"]: a["count"] for a in later["ages"]}
    assert ages == {"under_1h": 0, "1h_8h": 0, "8h_24h": 0, "1d_3d": 3, "3d_7d": 0, "over_7d": 0}
    pending = next(s for s in later["statuses"] if s["status"] == "pending")
    assert [(a["bucket"], a["max_age_s"]) for a in pending["ages"]][-2:] == [("3d_7d", 604800), ("over_7d", None)]
    assert {a["bucket"]: a["count"] for a in pending["ages"]}["1d_3d"] == 1


def test_the_backlog_reads_pages_of_the_status_view_never_the_table(
    agent_api: Api, backlog_desk: Any, memory_svc: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str]] = []
    original = memory_svc.ticket_repo.list_view

    def spy(view: Any, limit: int, start: Any = None) -> Any:
        seen.append((str(view.kind), view.value))
        return original(view, limit, start)

    monkeypatch.setattr(memory_svc.ticket_repo, "list_view", spy)
    assert agent_api.get("/v1/reports/backlog").status == 200
    assert seen == [("status", "new"), ("status", "open"), ("status", "pending"), ("status", "on_hold")]


def test_a_status_past_the_cap_is_counted_up_to_it_and_said_incomplete(
    agent_api: Api, backlog_desk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.reports import backlog

    monkeypatch.setattr(backlog, "PAGE", 1)
    monkeypatch.setattr(backlog, "MAX_PER_STATUS", 1)
    body = agent_api.get("/v1/reports/backlog").json
    assert body["complete"] is False and statuses(body)["new"] == 1


def test_the_backlog_needs_an_agent_and_takes_no_parameters(api: Api, agent_api: Api) -> None:
    assert api.get("/v1/reports/backlog").status == 401
    reply = agent_api.get("/v1/reports/backlog", query={"status": "new"})
    assert reply.status == 400 and reply.error_fields == ["query.status"]


def test_an_agents_achievements_are_their_own(
    agent_api: Api, admin_api: Api, reported: Any, agent: Any, admin: Any, report_day: str
) -> None:
    reply = agent_api.get("/v1/reports/achievements")
    assert reply.status == 200, reply.json
    body = reply.json
    assert (body["agent_id"], body["to"], body["window_days"]) == (agent.id, report_day, 30)
    found = {a["id"]: (a["value"], a["level"], a["next_at"]) for a in body["achievements"]}
    assert found == {
        "quick_first_replies": (0, 0, 3),
        "satisfied_customers": (0, 0, 5),
        "solved_and_stayed_solved": (1, 0, 10),  # the ticket assigned to the agent, solved
    }
    admins = {a["id"]: a["value"] for a in admin_api.get("/v1/reports/achievements").json["achievements"]}
    assert (
        admins["solved_and_stayed_solved"] == 0
        and admin_api.get("/v1/reports/achievements").json["agent_id"] == admin.id
    )


def test_achievements_take_a_last_day_and_refuse_a_bad_one(agent_api: Api, report_day: str) -> None:
    assert agent_api.get("/v1/reports/achievements", query={"to": "2026-11-01"}).json["to"] == "2026-11-01"
    reply = agent_api.get("/v1/reports/achievements", query={"to": "2026-02-30"})
    assert reply.status == 400 and reply.error_fields == ["query.to"]
