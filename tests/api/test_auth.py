"""Who may call what: bearer JWTs, personal API tokens, deactivation and the admin role."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.people.auth import DEV_AUDIENCE, DEV_ISSUER, mint_dev_token
from tests.api.contract import Api
from tests.conftest import DEV_KEY


def dev_jwt(subject: str, key: str = DEV_KEY, **overrides: Any) -> str:
    import jwt

    now = int(time.time())
    claims = {"sub": subject, "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "iat": now, "exp": now + 600, **overrides}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="HS256")


def assert_unauthenticated(reply: Any) -> None:
    assert reply.status == 401, reply.json
    assert reply.error_code == "unauthenticated"


def test_a_well_formed_token_identifies_the_agent(api: Api, agent: Any) -> None:
    reply = api.as_(dev_jwt(agent.subject)).get("/v1/me")
    assert (reply.status, reply.json["id"]) == (200, agent.id)


def test_a_request_without_authorization_is_refused(api: Api, agent: Any) -> None:
    reply = api.get("/v1/me")
    assert_unauthenticated(reply)
    assert "Authorization" in reply.json["error"]["message"]


@pytest.mark.parametrize(
    "header",
    ["Basic YWRhOnNlY3JldA==", "Bearer", "Bearer    ", "{jwt}", "Token {jwt}", "Bearer not.a.jwt"],
    ids=["basic", "bearer-without-token", "bearer-blank", "no-scheme", "other-scheme", "garbage-token"],
)
def test_a_malformed_authorization_header_is_refused(api: Api, agent: Any, header: str) -> None:
    reply = api.get("/v1/me", headers={"Authorization": header.format(jwt=dev_jwt(agent.subject))})
    assert_unauthenticated(reply)


def test_a_token_signed_with_another_key_is_refused(api: Api, agent: Any) -> None:
    forged = dev_jwt(agent.subject, key="an-attackers-key-0123456789abcdefghij")
    assert_unauthenticated(api.as_(forged).get("/v1/me"))


def test_an_unsigned_token_is_refused(api: Api, agent: Any) -> None:
    import jwt

    now = int(time.time())
    claims = {"sub": agent.subject, "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "iat": now, "exp": now + 600}
    assert_unauthenticated(api.as_(jwt.encode(claims, "", algorithm="none")).get("/v1/me"))


def test_an_expired_token_is_refused(api: Api, agent: Any) -> None:
    expired = mint_dev_token(DEV_KEY, agent.subject, ttl_seconds=-120)
    assert_unauthenticated(api.as_(expired).get("/v1/me"))


@pytest.mark.parametrize(
    "overrides",
    [{"aud": "someone-else"}, {"iss": "https://evil.example"}, {"exp": None}],
    ids=["wrong-audience", "wrong-issuer", "no-expiry"],
)
def test_a_token_with_wrong_or_missing_claims_is_refused(api: Api, agent: Any, overrides: dict[str, Any]) -> None:
    assert_unauthenticated(api.as_(dev_jwt(agent.subject, **overrides)).get("/v1/me"))


def test_a_token_for_a_subject_that_is_not_an_agent_is_refused(api: Api, agent: Any) -> None:
    assert_unauthenticated(api.as_(mint_dev_token(DEV_KEY, "cognito-sub-of-nobody")).get("/v1/me"))


def test_a_deactivated_agent_is_refused_from_the_next_request_on(admin_api: Api, api: Api, agent: Any) -> None:
    as_agent = api.as_(agent)
    assert as_agent.get("/v1/me").status == 200

    deactivated = admin_api.patch(f"/v1/agents/{agent.id}", json={"version": agent.version, "active": False})
    assert (deactivated.status, deactivated.json["active"]) == (200, False)

    assert_unauthenticated(as_agent.get("/v1/me"))


# -- the admin role ---------------------------------------------------------------------------------


def test_agents_cannot_create_agents_teams_or_webhooks_and_nothing_is_created(agent_api: Api, admin_api: Api) -> None:
    attempts = [
        agent_api.post("/v1/agents", json={"email": "eve@example.com", "name": "Eve", "role": "admin"}),
        agent_api.post("/v1/teams", json={"name": "Shadow team"}),
        agent_api.post("/v1/webhooks", json={"url": "https://hooks.example/x", "events": ["*"]}),
        agent_api.get("/v1/webhooks"),
    ]
    assert [(r.status, r.error_code) for r in attempts] == [(403, "forbidden")] * len(attempts)

    assert [a["email"] for a in admin_api.get("/v1/agents").json["items"]] == ["ada@example.com", "ben@example.com"]
    assert admin_api.get("/v1/teams").json["items"] == []
    assert admin_api.get("/v1/webhooks").json["items"] == []


def test_agents_cannot_delete_a_webhook(agent_api: Api, admin_api: Api) -> None:
    hook = admin_api.post("/v1/webhooks", json={"url": "https://hooks.example/x", "events": ["*"]}).json
    refused = agent_api.delete(f"/v1/webhooks/{hook['id']}")
    assert (refused.status, refused.error_code) == (403, "forbidden")
    assert [w["id"] for w in admin_api.get("/v1/webhooks").json["items"]] == [hook["id"]]


# -- personal API tokens ----------------------------------------------------------------------------


def test_a_personal_api_token_works_as_bearer_is_listed_without_secret_and_stops_working_when_revoked(
    agent_api: Api, api: Api, agent: Any
) -> None:
    issued = agent_api.post(f"/v1/agents/{agent.id}/tokens", json={"name": "CI pipeline"})
    assert issued.status == 201
    token = issued.json
    secret = token["secret"]
    assert secret.startswith("ldk_") and token["last4"] == secret[-4:] and token["agent_id"] == agent.id

    as_token = api.as_(secret)
    me = as_token.get("/v1/me")
    assert (me.status, me.json["id"]) == (200, agent.id)

    listed = agent_api.get(f"/v1/agents/{agent.id}/tokens")
    assert [(t["id"], t["name"], t["revoked_at"]) for t in listed.json["items"]] == [(token["id"], "CI pipeline", None)]
    assert "secret" not in listed.json["items"][0]
    assert secret.encode() not in listed.body and secret[4:-4].encode() not in listed.body

    revoked = agent_api.delete(f"/v1/agents/{agent.id}/tokens/{token['id']}")
    assert revoked.status == 200 and revoked.json["revoked_at"] is not None

    assert_unauthenticated(as_token.get("/v1/me"))
    assert agent_api.get(f"/v1/agents/{agent.id}/tokens").json["items"][0]["revoked_at"] is not None


def test_a_made_up_api_token_is_refused(api: Api, agent: Any) -> None:
    assert_unauthenticated(api.as_("ldk_" + "x" * 43).get("/v1/me"))


def test_an_agent_cannot_issue_list_or_revoke_another_agents_tokens(agent_api: Api, admin_api: Api, admin: Any) -> None:
    admins_token = admin_api.post(f"/v1/agents/{admin.id}/tokens", json={"name": "mine"}).json

    attempts = [
        agent_api.post(f"/v1/agents/{admin.id}/tokens", json={"name": "stolen"}),
        agent_api.get(f"/v1/agents/{admin.id}/tokens"),
        agent_api.delete(f"/v1/agents/{admin.id}/tokens/{admins_token['id']}"),
    ]
    assert [(r.status, r.error_code) for r in attempts] == [(403, "forbidden")] * 3
    listed = admin_api.get(f"/v1/agents/{admin.id}/tokens").json["items"]
    assert [(t["name"], t["revoked_at"]) for t in listed] == [("mine", None)]


def test_an_admin_can_issue_a_token_for_another_agent_that_authenticates_as_that_agent(
    admin_api: Api, api: Api, agent: Any
) -> None:
    issued = admin_api.post(f"/v1/agents/{agent.id}/tokens", json={"name": "provisioned"})
    assert (issued.status, issued.json["agent_id"]) == (201, agent.id)
    assert api.as_(issued.json["secret"]).get("/v1/me").json["id"] == agent.id


def test_an_admin_issuing_a_token_for_an_unknown_agent_gets_404(admin_api: Api) -> None:
    reply = admin_api.post("/v1/agents/01ARZ3NDEKTSV4RRFFQ69G5FAV/tokens", json={"name": "x"})
    assert (reply.status, reply.error_code) == (404, "not_found")


def test_an_api_token_of_a_deactivated_agent_is_refused(admin_api: Api, agent_api: Api, api: Api, agent: Any) -> None:
    secret = agent_api.post(f"/v1/agents/{agent.id}/tokens", json={"name": "CI"}).json["secret"]
    assert admin_api.patch(f"/v1/agents/{agent.id}", json={"version": agent.version, "active": False}).status == 200
    assert_unauthenticated(api.as_(secret).get("/v1/me"))
