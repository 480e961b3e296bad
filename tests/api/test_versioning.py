"""One rule for every versioned resource: a write names its version as If-Match or in the body (If-Match wins),
neither is 428, a stale one 409; every read and write of a versioned resource answers with its ETag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.contract import Api
from tests.api.support import Desk

RULE = {"name": "Invoices", "conditions": {"keywords": ["invoice"]}, "actions": {"priority": "high"}}


def customer(api: Api, desk: Desk, agent: Any) -> tuple[str, str, dict[str, Any]]:
    return f"/v1/customers/{desk.customer(emails=['dana@home.example'])['id']}", "PATCH", {"name": "Dana"}


def organization(api: Api, desk: Desk, agent: Any) -> tuple[str, str, dict[str, Any]]:
    return f"/v1/organizations/{desk.organization('Acme', 'acme.example')['id']}", "PATCH", {"name": "Acme Inc"}


def agent_record(api: Api, desk: Desk, agent: Any) -> tuple[str, str, dict[str, Any]]:
    return f"/v1/agents/{agent.id}", "PATCH", {"name": "Ben"}


def team(api: Api, desk: Desk, agent: Any) -> tuple[str, str, dict[str, Any]]:
    return f"/v1/teams/{desk.team()['id']}", "PATCH", {"description": "Money"}


def routing_rule(api: Api, desk: Desk, agent: Any) -> tuple[str, str, dict[str, Any]]:
    created = api.post("/v1/routing-rules", json=RULE)
    assert created.status == 201, created.json
    return f"/v1/routing-rules/{created.json['id']}", "PUT", {**RULE, "name": "Invoices v2"}


def ticket(api: Api, desk: Desk, agent: Any) -> tuple[str, str, dict[str, Any]]:
    return f"/v1/tickets/{desk.ticket()['id']}", "PATCH", {"subject": "Printer"}


RESOURCES = [customer, organization, agent_record, team, routing_rule, ticket]
Make = Callable[[Api, Desk, Any], tuple[str, str, dict[str, Any]]]


@pytest.mark.parametrize("make", RESOURCES, ids=lambda f: f.__name__)
def test_a_read_answers_with_the_version_as_etag(admin_api: Api, desk: Desk, agent: Any, make: Make) -> None:
    path, _, _ = make(admin_api, desk, agent)
    read = admin_api.get(path)
    assert read.status == 200
    assert read.header("ETag") == '"1"'


@pytest.mark.parametrize("make", RESOURCES, ids=lambda f: f.__name__)
def test_a_write_names_its_version_by_if_match_alone(admin_api: Api, desk: Desk, agent: Any, make: Make) -> None:
    path, method, body = make(admin_api, desk, agent)
    written = admin_api.request(method, path, json_body=body, headers={"If-Match": '"1"'})
    assert (written.status, written.header("ETag")) == (200, '"2"'), written.json
    stale = admin_api.request(method, path, json_body=body, headers={"If-Match": 'W/"1"'})
    assert (stale.status, stale.error_code) == (409, "conflict")


@pytest.mark.parametrize("make", RESOURCES, ids=lambda f: f.__name__)
def test_a_write_names_its_version_in_the_body_and_if_match_wins(
    admin_api: Api, desk: Desk, agent: Any, make: Make
) -> None:
    path, method, body = make(admin_api, desk, agent)
    written = admin_api.request(method, path, json_body={**body, "version": 1})
    assert (written.status, written.header("ETag")) == (200, '"2"'), written.json
    # The header names the current version, the body a stale one: the header counts.
    again = {k: f"{v} again" if k in ("name", "subject", "description") else v for k, v in body.items()}
    both = admin_api.request(method, path, json_body={**again, "version": 1}, headers={"If-Match": '"2"'})
    assert (both.status, both.header("ETag")) == (200, '"3"'), both.json


@pytest.mark.parametrize("make", RESOURCES, ids=lambda f: f.__name__)
def test_a_write_without_any_version_is_428(admin_api: Api, desk: Desk, agent: Any, make: Make) -> None:
    path, method, body = make(admin_api, desk, agent)
    refused = admin_api.request(method, path, json_body=body)
    assert (refused.status, refused.error_code) == (428, "precondition_required")
    assert admin_api.get(path).header("ETag") == '"1"'


def test_an_empty_if_match_is_refused_naming_it_not_ignored(admin_api: Api, desk: Desk, agent: Any) -> None:
    path, method, body = team(admin_api, desk, agent)
    refused = admin_api.request(method, path, json_body={**body, "version": 1}, headers={"If-Match": ""})
    assert (refused.status, refused.error_fields) == (400, ["If-Match"])
    assert admin_api.get(path).header("ETag") == '"1"'


def test_a_configuration_document_is_deleted_by_if_match_or_version(admin_api: Api) -> None:
    first = admin_api.post("/v1/routing-rules", json=RULE).json["id"]
    second = admin_api.post("/v1/routing-rules", json=RULE).json["id"]
    assert admin_api.delete(f"/v1/routing-rules/{first}").status == 428
    assert admin_api.delete(f"/v1/routing-rules/{first}", headers={"If-Match": '"1"'}).status == 204
    assert admin_api.delete(f"/v1/routing-rules/{second}", query={"version": 1}).status == 204
    assert admin_api.get(f"/v1/routing-rules/{first}").status == 404


def test_the_caller_reads_themselves_with_an_etag(agent_api: Api) -> None:
    me = agent_api.get("/v1/me")
    assert (me.status, me.header("ETag")) == (200, f'"{me.json["version"]}"')


def test_an_admin_cannot_deactivate_or_demote_themselves(admin_api: Api, admin: Any) -> None:
    for change in ({"active": False}, {"role": "agent"}):
        reply = admin_api.patch(f"/v1/agents/{admin.id}", json={**change, "version": 1})
        assert (reply.status, reply.error_code) == (403, "forbidden"), change
    assert admin_api.get("/v1/me").json["active"] is True


def test_a_method_a_path_does_not_serve_is_405_naming_the_ones_it_does(admin_api: Api) -> None:
    reply = admin_api.http.request("PUT", "/v1/teams", headers=admin_api.auth, body=b"")
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET, POST"
