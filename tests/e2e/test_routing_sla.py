"""Routing, assignment, SLA alerts and automations in the running local stack (`lambdesk run`)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.e2e.conftest import Stack, call

pytestmark = pytest.mark.e2e


def wait_for(stack: Stack, ticket_id: str, done: Any, seconds: float = 40) -> dict[str, Any]:
    """Poll the ticket (with its timeline) until ``done(detail)`` holds: the worker runs in the background."""
    deadline = time.monotonic() + seconds
    while True:
        status, detail = call(stack, "GET", f"/v1/tickets/{ticket_id}")
        assert status == 200
        if done(detail) or time.monotonic() > deadline:
            return dict(detail)
        time.sleep(0.2)


def sweep(stack: Stack, at: str) -> dict[str, Any]:
    """``lambdesk sweep --at``: its result is the last line (metrics lines come first)."""
    result: dict[str, Any] = json.loads(stack.cli("sweep", "--at", at).strip().splitlines()[-1])
    return result


def events(detail: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in detail["timeline"] if e.get("event") == kind]


def test_a_new_ticket_is_routed_by_rule_and_assigned_by_strategy_with_the_reason(stack: Stack) -> None:
    status, created = call(
        stack,
        "POST",
        "/v1/tickets",
        {"subject": "Charged twice", "body": "My invoice shows two payments", "requester_email": "r1@customer.example"},
    )
    assert status == 201
    detail = wait_for(stack, created["ticket"]["id"], lambda d: d["ticket"]["assignee_id"] is not None)
    ticket = detail["ticket"]
    _, agents = call(stack, "GET", "/v1/agents?limit=50")
    chloe = next(a for a in agents["items"] if a["email"] == "chloe@lambdesk.local")
    _, teams = call(stack, "GET", "/v1/teams?limit=50")
    billing = next(t for t in teams["items"] if t["name"] == "Billing")
    assert (ticket["team_id"], ticket["assignee_id"], ticket["skills"]) == (billing["id"], chloe["id"], ["billing"])
    assert "billing" in ticket["tags"] and ticket["status"] == "open"
    assert [e["data"]["rule_name"] for e in events(detail, "ticket.routed")] == ["Billing words to Billing"]
    reason = events(detail, "ticket.assigned")[0]["data"]["reason"]
    assert reason["strategy"] == "skills" and chloe["id"] in reason["order"]


def test_sla_warnings_and_breaches_fire_once_and_reach_the_ops_topic(stack: Stack) -> None:
    _, created = call(
        stack,
        "POST",
        "/v1/tickets",
        {"subject": "App crashes", "body": "On start", "requester_email": "r2@customer.example"},
    )
    ticket_id = created["ticket"]["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sla = call(stack, "GET", f"/v1/tickets/{ticket_id}/sla")[1]
        if sla["next_due_at"]:
            break
        time.sleep(0.2)
    assert sla["policy_name"] == "Standard" and sla["metrics"]["first_response"]["target_minutes"] == 240
    # Far enough for every target whatever the hour the test runs: the resolution target is 64 business hours
    # of the seeded calendar (8 working days; from a Wednesday evening, past two weekends and a holiday).
    swept = sweep(stack, "+21d")
    assert swept["sla"]["fired"] >= 3  # first response, next response (to the first message), resolution
    again = sweep(stack, "+21d")
    fired_again = again["sla"]["fired"]
    detail = wait_for(stack, ticket_id, lambda d: len(events(d, "sla.breached")) >= 3, seconds=60)
    breaches = sorted(e["data"]["metric"] for e in events(detail, "sla.breached"))
    assert fired_again == 0 and breaches == ["first_response", "next_response", "resolution"]
    deadline = time.monotonic() + 60  # the sweep alerted every seeded ticket too: a backlog to get through
    ops: list[dict[str, Any]] = []
    seen_all: list[dict[str, Any]] = []
    while time.monotonic() < deadline and len(ops) < 3:  # `lambdesk ops` hands out each message once
        got = [json.loads(line) for line in stack.cli("ops").splitlines()]
        seen_all.extend(got)
        ops += [m for m in got if m["ticket"]["id"] == ticket_id]
        time.sleep(0.3)
    got_metrics = sorted(m["metric"] for m in ops if m["type"] == "sla.breached")
    assert got_metrics == ["first_response", "next_response", "resolution"], f"ops received {len(seen_all)} alerts"


def test_the_sweep_closes_a_solved_ticket_after_the_teams_days(stack: Stack) -> None:
    status, created = call(
        stack,
        "POST",
        "/v1/tickets",
        {"subject": "Thanks", "body": "All good", "requester_email": "r3@customer.example"},
    )
    # Routing assigns it first (a write of its own): solve the version it left.
    current = wait_for(stack, created["ticket"]["id"], lambda d: d["ticket"]["assignee_id"] is not None)["ticket"]
    ticket = current
    status, _ = call(stack, "PATCH", f"/v1/tickets/{ticket['id']}", {"status": "solved", "version": current["version"]})
    assert status == 200
    # The sla consumer stores the close timer in the background: sweep until it is there.
    deadline = time.monotonic() + 30
    closes = 0
    while not closes and time.monotonic() < deadline:
        closes = sweep(stack, "+5d")["timers"]["outcomes"].get("close", 0)
    assert closes >= 1
    closed = wait_for(stack, ticket["id"], lambda d: d["ticket"]["status"] == "closed")
    assert closed["ticket"]["status"] == "closed"
