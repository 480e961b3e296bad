"""The caller, agents, teams and webhooks: administration and agent self-service."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.people.auth import mint_dev_token
from tests.api.contract import Api
from tests.api.support import Desk
from tests.conftest import DEV_KEY

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def test_me_is_the_calling_agent(admin_api: Api, agent_api: Api, admin: Any, agent: Any) -> None:
    assert [(r.json["id"], r.json["role"]) for r in (admin_api.get("/v1/me"), agent_api.get("/v1/me"))] == [
        (admin.id, "admin"),
        (agent.id, "agent"),
    ]


# -- agents ----------------------------------------------------------------------------------------


def test_an_admin_creates_an_agent_who_can_then_sign_in(admin_api: Api, api: Api, desk: Desk) -> None:
    team = desk.team("Tier 2")
    reply = admin_api.post(
        "/v1/agents",
        json={
            "email": "Cleo@Example.com",
            "name": "Cleo",
            "teams": [team["id"]],
            "skills": ["French", "billing"],
            "capacity": 5,
            "time_zone": "Europe/Paris",
        },
    )
    assert reply.status == 201
    cleo = reply.json
    assert (cleo["email"], cleo["role"], cleo["teams"], cleo["skills"], cleo["availability"], cleo["active"]) == (
        "cleo@example.com",
        "agent",
        [team["id"]],
        ["billing", "french"],
        "offline",
        True,
    )
    # Without an explicit subject, development tokens name the agent id.
    me = api.as_(mint_dev_token(DEV_KEY, cleo["id"])).get("/v1/me")
    assert (me.status, me.json["email"]) == (200, "cleo@example.com")


def test_an_agent_created_with_a_cognito_subject_signs_in_with_it(admin_api: Api, api: Api) -> None:
    cleo = admin_api.post("/v1/agents", json={"email": "cleo@example.com", "name": "Cleo", "subject": "sub-123"}).json
    assert api.as_(mint_dev_token(DEV_KEY, "sub-123")).get("/v1/me").json["id"] == cleo["id"]
    assert api.as_(mint_dev_token(DEV_KEY, cleo["id"])).get("/v1/me").status == 401


def test_an_agent_email_or_subject_that_is_taken_is_409(admin_api: Api, agent: Any) -> None:
    same_email = admin_api.post("/v1/agents", json={"email": "BEN@example.com", "name": "Ben Two"})
    assert (same_email.status, same_email.error_code, same_email.error_fields) == (409, "already_exists", ["email"])
    same_subject = admin_api.post(
        "/v1/agents", json={"email": "ben2@example.com", "name": "B", "subject": agent.subject}
    )
    assert (same_subject.status, same_subject.error_fields) == (409, ["subject"])
    assert [a["email"] for a in admin_api.get("/v1/agents").json["items"]] == ["ada@example.com", "ben@example.com"]


def test_an_agent_in_an_unknown_team_is_404(admin_api: Api) -> None:
    reply = admin_api.post("/v1/agents", json={"email": "x@example.com", "name": "X", "teams": [UNKNOWN_ID]})
    assert (reply.status, reply.error_code) == (404, "not_found")


def test_agents_are_listed_by_name_across_pages_and_read_one_by_one(
    admin_api: Api, agent_api: Api, desk: Desk, agent: Any
) -> None:
    for name in ("zoe", "Carl", "dave"):
        admin_api.post("/v1/agents", json={"email": f"{name.lower()}@example.com", "name": name})
    walked, pages = Desk(agent_api).walk("/v1/agents", limit=2)
    assert ([a["name"] for a in walked], pages) == (["Ada Admin", "Ben Agent", "Carl", "dave", "zoe"], 3)
    one = agent_api.get(f"/v1/agents/{agent.id}")
    assert (one.status, one.json["email"]) == (200, "ben@example.com")
    assert agent_api.get(f"/v1/agents/{UNKNOWN_ID}").status == 404


def test_an_agent_may_change_their_own_availability_name_and_time_zone(agent_api: Api, agent: Any) -> None:
    reply = agent_api.patch(
        f"/v1/agents/{agent.id}",
        json={"version": 1, "availability": "online", "name": "Benjamin", "time_zone": "Asia/Tokyo"},
    )
    assert reply.status == 200
    assert (reply.json["availability"], reply.json["name"], reply.json["time_zone"], reply.json["version"]) == (
        "online",
        "Benjamin",
        "Asia/Tokyo",
        2,
    )
    assert agent_api.get("/v1/me").json["availability"] == "online"


def test_an_agent_may_not_change_their_own_role_or_anyone_elses_record(
    agent_api: Api, admin_api: Api, agent: Any, admin: Any
) -> None:
    attempts = [
        agent_api.patch(f"/v1/agents/{agent.id}", json={"version": 1, "role": "admin"}),
        agent_api.patch(f"/v1/agents/{agent.id}", json={"version": 1, "availability": "online", "capacity": 99}),
        agent_api.patch(f"/v1/agents/{admin.id}", json={"version": 1, "availability": "away"}),
    ]
    assert [(r.status, r.error_code) for r in attempts] == [(403, "forbidden")] * 3
    me = agent_api.get("/v1/me").json
    assert (me["role"], me["availability"], me["capacity"], me["version"]) == ("agent", "offline", 20, 1)
    assert admin_api.get("/v1/me").json["availability"] == "offline"


def test_an_admin_can_promote_an_agent_who_then_may_administer(admin_api: Api, agent_api: Api, agent: Any) -> None:
    assert agent_api.post("/v1/teams", json={"name": "Before"}).status == 403
    promoted = admin_api.patch(f"/v1/agents/{agent.id}", json={"version": 1, "role": "admin", "capacity": 40})
    assert (promoted.status, promoted.json["role"], promoted.json["capacity"]) == (200, "admin", 40)
    assert agent_api.post("/v1/teams", json={"name": "After"}).status == 201


def test_a_stale_agent_update_is_409(admin_api: Api, agent_api: Api, agent: Any) -> None:
    assert agent_api.patch(f"/v1/agents/{agent.id}", json={"version": 1, "availability": "online"}).status == 200
    stale = admin_api.patch(f"/v1/agents/{agent.id}", json={"version": 1, "capacity": 1})
    assert (stale.status, stale.error_code) == (409, "conflict")
    assert agent_api.get("/v1/me").json["capacity"] == 20


# -- teams -----------------------------------------------------------------------------------------


def test_teams_are_created_listed_and_read(admin_api: Api, agent_api: Api) -> None:
    support = admin_api.post("/v1/teams", json={"name": "Support", "description": "Front line"})
    assert support.status == 201
    tier2 = admin_api.post("/v1/teams", json={"name": "Tier 2", "parent_team_id": support.json["id"]})
    assert (tier2.status, tier2.json["parent_team_id"], tier2.json["assignment_strategy"]) == (
        201,
        support.json["id"],
        "manual",
    )
    listed = agent_api.get("/v1/teams").json
    assert ([t["name"] for t in listed["items"]], listed["next_cursor"]) == (["Support", "Tier 2"], None)
    one = agent_api.get(f"/v1/teams/{support.json['id']}")
    assert one.json == support.json


def test_an_unknown_team_or_parent_team_is_404(admin_api: Api) -> None:
    assert admin_api.get(f"/v1/teams/{UNKNOWN_ID}").status == 404
    orphan = admin_api.post("/v1/teams", json={"name": "Orphan", "parent_team_id": UNKNOWN_ID})
    assert (orphan.status, orphan.error_code) == (404, "not_found")
    assert admin_api.get("/v1/teams").json["items"] == []


# -- webhooks --------------------------------------------------------------------------------------


def test_a_webhook_secret_is_returned_once_and_never_listed(admin_api: Api, admin: Any) -> None:
    created = admin_api.post("/v1/webhooks", json={"url": "https://hooks.example/in", "events": ["ticket.*", "*"]})
    assert created.status == 201
    hook = created.json
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
    assert (hook["url"], hook["events"], hook["active"], hook["created_by"]) == (
        "https://hooks.example/in",
        ["*", "ticket.*"],
        True,
        admin.id,
    )
    other = admin_api.post("/v1/webhooks", json={"url": "https://hooks.example/two", "events": ["message.added"]}).json
    assert other["secret"] != hook["secret"]

    listed = admin_api.get("/v1/webhooks")
    assert [w["id"] for w in listed.json["items"]] == [hook["id"], other["id"]]
    assert all("secret" not in w for w in listed.json["items"])
    assert hook["secret"].encode() not in listed.body and other["secret"].encode() not in listed.body


def test_a_deleted_webhook_is_gone(admin_api: Api) -> None:
    hook = admin_api.post("/v1/webhooks", json={"url": "https://hooks.example/in", "events": ["*"]}).json
    deleted = admin_api.delete(f"/v1/webhooks/{hook['id']}")
    assert (deleted.status, deleted.body) == (204, b"")
    assert admin_api.get("/v1/webhooks").json["items"] == []
    again = admin_api.delete(f"/v1/webhooks/{hook['id']}")
    assert (again.status, again.error_code) == (404, "not_found")


def test_a_webhook_needs_an_http_url_and_at_least_one_valid_event_pattern(admin_api: Api) -> None:
    bad = {
        "ftp-url": ({"url": "ftp://hooks.example/in", "events": ["*"]}, ["body.url"]),
        "no-events": ({"url": "https://hooks.example/in", "events": []}, ["body.events"]),
        "bad-pattern": ({"url": "https://hooks.example/in", "events": ["Ticket Created"]}, ["body.events.0"]),
    }
    found = {name: admin_api.post("/v1/webhooks", json=body).error_fields for name, (body, _) in bad.items()}
    assert found == {name: fields for name, (_, fields) in bad.items()}
    assert admin_api.get("/v1/webhooks").json["items"] == []


# -- explicit nulls --------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "availability", "time_zone"])
def test_an_agent_sending_null_for_their_own_field_cannot_corrupt_their_record(
    agent_api: Api, admin_api: Api, agent: Any, field: str
) -> None:
    before = agent_api.get("/v1/me").json
    reply = agent_api.patch(f"/v1/agents/{agent.id}", json={"version": 1, field: None})
    assert reply.status in (200, 400), reply.body  # a 500 breaks the contract before this line
    me = agent_api.get("/v1/me")
    assert (me.status, me.json[field]) == (200, before[field])
    # One agent's request must not break the agent list for everybody else.
    assert admin_api.get("/v1/agents").status == 200


@pytest.mark.parametrize("field", ["role", "active", "capacity", "teams", "skills"])
def test_an_admin_sending_null_for_a_required_agent_field_is_refused_or_ignored(
    admin_api: Api, agent_api: Api, agent: Any, field: str
) -> None:
    before = agent_api.get("/v1/me").json
    reply = admin_api.patch(f"/v1/agents/{agent.id}", json={"version": 1, field: None})
    assert reply.status in (200, 400), reply.body
    after = admin_api.get(f"/v1/agents/{agent.id}")
    assert (after.status, after.json[field]) == (200, before[field])
    assert agent_api.get("/v1/me").status == 200
