"""The desk's configuration through the API: validated, versioned, admins only, audited; team settings,
escalation, macros and a ticket's SLA."""

from __future__ import annotations

from typing import Any

from tests.api.contract import Api
from tests.api.support import Desk

OFFICE = {"name": "Office", "time_zone": "Europe/Berlin", "week": {"mon": [["09:00", "17:00"]]}}


def put(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.request("PUT", path, json_body=body)


def test_a_calendar_takes_holiday_regions_and_dates_only_as_documented(admin_api: Api) -> None:
    # The document lists the country and subdivision codes and says dates are strings; the API agrees.
    refused = [
        {**OFFICE, "country": "de"},
        {**OFFICE, "country": "DE", "subdivision": "Bayern"},  # the holidays library's alias, not a code
        {**OFFICE, "holidays": [1767225600]},  # a timestamp pydantic would read as a date
    ]
    replies = [admin_api.post("/v1/calendars", json=body) for body in refused]
    assert [(r.status, r.error_fields) for r in replies] == [
        (400, ["country"]),
        (400, ["subdivision"]),
        (400, ["body.holidays"]),
    ]
    accepted = admin_api.post("/v1/calendars", json={**OFFICE, "country": "DE", "subdivision": "BY"})
    assert (accepted.status, accepted.json["document"]["subdivision"]) == (201, "BY")


def test_an_admin_creates_lists_replaces_and_deletes_a_routing_rule(admin_api: Api, desk: Desk) -> None:
    team = desk.team("Billing")
    body = {
        "name": "Invoices",
        "position": 10,
        "conditions": {"keywords": ["invoice"]},
        "actions": {"team_id": team["id"]},
    }
    created = admin_api.post("/v1/routing-rules", json=body)
    assert created.status == 201 and created.json["version"] == 1
    rule_id = created.json["id"]
    assert created.json["document"]["conditions"]["keywords"] == ["invoice"]
    replaced = put(admin_api, f"/v1/routing-rules/{rule_id}", {**body, "name": "Invoices v2", "version": 1})
    assert (replaced.status, replaced.json["version"], replaced.json["document"]["name"]) == (200, 2, "Invoices v2")
    stale = put(admin_api, f"/v1/routing-rules/{rule_id}", {**body, "version": 1})
    assert stale.status == 409
    listed = admin_api.get("/v1/routing-rules")
    assert [d["id"] for d in listed.json["items"]] == [rule_id]
    assert admin_api.delete(f"/v1/routing-rules/{rule_id}", query={"version": 2}).status == 204
    assert admin_api.get(f"/v1/routing-rules/{rule_id}").status == 404


def test_invalid_documents_are_refused_naming_the_field(admin_api: Api, desk: Desk) -> None:
    cases = [
        ("/v1/routing-rules", {"name": "x", "conditions": {"priorities": ["hgh"]}, "actions": {"priority": "high"}}),
        ("/v1/routing-rules", {"name": "x", "actions": {"team_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}),
        ("/v1/calendars", {**OFFICE, "week": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}),
        ("/v1/calendars", {**OFFICE, "time_zone": "Mars/Olympus"}),
        ("/v1/sla-policies", {"name": "p", "targets": []}),
        ("/v1/sla-policies", {"name": "p", "targets": [{"metric": "first_response", "minutes": 60, "business": True}]}),
        ("/v1/triggers", {"name": "t", "conditions": {"events": []}, "actions": {"add_tags": ["a"]}}),
        ("/v1/macros", {"name": "m", "body": "Hello {{ customer.name }}"}),
    ]
    fields = []
    for path, body in cases:
        reply = admin_api.post(path, json=body)
        assert reply.status == 400, (path, body, reply.json)
        fields.append(reply.error_fields[0])
    assert fields == [
        "conditions.priorities",
        "actions.team_id",
        "week.mon",  # the day whose hours overlap
        "body.time_zone",  # checked at the edge, before the document is parsed
        "body.targets",
        "calendar_id",
        "conditions.events",
        "body",
    ]


def test_configuration_is_for_admins_only(agent_api: Api) -> None:
    assert agent_api.get("/v1/sla-policies").status == 403
    assert agent_api.post("/v1/calendars", json=OFFICE).status == 403
    assert agent_api.get("/v1/audit").status == 403


def test_every_change_is_audited_with_who_and_what(admin_api: Api, admin: Any) -> None:
    calendar = admin_api.post("/v1/calendars", json=OFFICE).json
    policy = admin_api.post(
        "/v1/sla-policies",
        json={
            "name": "Std",
            "targets": [{"metric": "first_response", "minutes": 60, "business": True}],
            "calendar_id": calendar["id"],
        },
    ).json
    put(admin_api, f"/v1/calendars/{calendar['id']}", {**OFFICE, "name": "Office 2", "version": 1})
    trail = admin_api.get("/v1/audit").json["items"]
    assert [(r["action"], r["kind"]) for r in trail] == [
        ("update", "sla_policy"),  # the calendar edit made a new version of the policy that uses it
        ("update", "calendar"),
        ("create", "sla_policy"),
        ("create", "calendar"),
    ]
    assert {r["actor_id"] for r in trail} == {admin.id}
    assert trail[1]["before"]["name"] == "Office" and trail[1]["after"]["name"] == "Office 2"
    assert admin_api.get(f"/v1/sla-policies/{policy['id']}").json["version"] == 2


def test_a_calendar_in_use_cannot_be_deleted(admin_api: Api) -> None:
    calendar = admin_api.post("/v1/calendars", json=OFFICE).json
    admin_api.post(
        "/v1/sla-policies",
        json={
            "name": "Std",
            "targets": [{"metric": "resolution", "minutes": 600, "business": True}],
            "calendar_id": calendar["id"],
        },
    )
    reply = admin_api.delete(f"/v1/calendars/{calendar['id']}", query={"version": 1})
    assert (reply.status, reply.error_fields) == (400, ["calendar_id"])


def test_team_settings_and_escalation_to_the_next_tier(admin_api: Api, desk: Desk) -> None:
    l2 = desk.team("L2")
    l1 = desk.team("L1")
    patched = admin_api.patch(
        f"/v1/teams/{l1['id']}",
        json={
            "version": 1,
            "assignment_strategy": "least_loaded",
            "escalation_team_id": l2["id"],
            "auto_close_days": 2,
        },
    )
    assert patched.status == 200
    assert (
        patched.json["assignment_strategy"],
        patched.json["escalation_team_id"],
        patched.json["auto_close_days"],
    ) == (
        "least_loaded",
        l2["id"],
        2,
    )
    loop = admin_api.patch(f"/v1/teams/{l2['id']}", json={"version": 1, "escalation_team_id": l1["id"]})
    assert (loop.status, loop.error_fields) == (400, ["escalation_team_id"])
    ticket = desk.ticket(team_id=l1["id"])
    escalated = admin_api.post(
        f"/v1/tickets/{ticket['id']}/escalate", json={"version": ticket["version"], "reason": "DB"}
    )
    assert (escalated.status, escalated.json["team_id"]) == (200, l2["id"])
    last = admin_api.post(
        f"/v1/tickets/{ticket['id']}/escalate", json={"version": escalated.json["version"], "reason": "x"}
    )
    assert (last.status, last.error_fields) == (400, ["team_id"])


def test_a_macro_applies_its_reply_and_changes_in_one_version(admin_api: Api, desk: Desk) -> None:
    macro = admin_api.post(
        "/v1/macros",
        json={
            "name": "Logs",
            "body": "Hi {{ requester.first_name }}, logs please. {{ agent.name }}",
            "set_fields": {"status": "pending"},
        },
    ).json
    ticket = desk.ticket(requester_name="Bob Builder")
    applied = admin_api.post(f"/v1/tickets/{ticket['id']}/macros/{macro['id']}", json={"version": ticket["version"]})
    assert (applied.status, applied.json["status"], applied.json["version"]) == (200, "pending", ticket["version"] + 1)
    last = desk.get_ticket(ticket["id"])["timeline"][-2]
    assert (last["kind"], last["body"]) == ("message", "Hi Bob, logs please. Ada Admin")
    missing = admin_api.post(f"/v1/tickets/{ticket['id']}/macros/01ARZ3NDEKTSV4RRFFQ69G5FAV", json={"version": 2})
    assert missing.status == 404


def test_a_tickets_sla_shows_its_policy_and_clocks(admin_api: Api, desk: Desk, memory_svc: Any) -> None:
    policy = admin_api.post(
        "/v1/sla-policies", json={"name": "Std", "targets": [{"metric": "first_response", "minutes": 60}]}
    ).json
    ticket = desk.ticket()
    memory_svc.sla_tracker().on_event({"type": "ticket.created", "id": "e1", "ticket": {"id": ticket["id"]}})
    sla = admin_api.get(f"/v1/tickets/{ticket['id']}/sla").json
    assert (sla["policy_id"], sla["policy_version"], sla["metrics"]["first_response"]["target_minutes"]) == (
        policy["id"],
        1,
        60,
    )
    assert sla["next_due_at"] is not None


def test_a_teams_queue_lists_its_waiting_tickets_only(admin_api: Api, desk: Desk) -> None:
    billing, support = desk.team("Billing"), desk.team("Support")
    waiting = desk.ticket(team_id=billing["id"])
    desk.ticket(team_id=support["id"])
    taken = desk.ticket(team_id=billing["id"])
    desk.patch_ticket(taken, assignee_id=admin_api.get("/v1/me").json["id"])
    page = admin_api.get("/v1/tickets", query={"view": "team_queue", "team_id": billing["id"]})
    assert (page.status, [t["id"] for t in page.json["items"]]) == (200, [waiting["id"]])
    missing = admin_api.get("/v1/tickets", query={"view": "team_queue"})
    assert (missing.status, missing.error_fields) == (400, ["query.team_id"])


def test_an_agent_lists_and_reads_macros_but_only_admins_write_them(admin_api: Api, agent_api: Api, desk: Desk) -> None:
    macro = admin_api.post("/v1/macros", json={"name": "Thanks", "body": "Thanks, {{requester.first_name}}!"})
    assert macro.status == 201, macro.json
    listed = agent_api.get("/v1/macros")
    assert (listed.status, [m["id"] for m in listed.json["items"]]) == (200, [macro.json["id"]])
    read = agent_api.get(f"/v1/macros/{macro.json['id']}")
    assert (read.status, read.json["document"]["name"], read.header("ETag")) == (200, "Thanks", '"1"')
    body = {"name": "Mine", "body": "Hi"}
    assert agent_api.post("/v1/macros", json=body).status == 403
    assert put(agent_api, f"/v1/macros/{macro.json['id']}", {**body, "version": 1}).status == 403
    assert agent_api.delete(f"/v1/macros/{macro.json['id']}", query={"version": 1}).status == 403
    assert agent_api.get("/v1/triggers").status == 403  # other configuration stays admin-only
