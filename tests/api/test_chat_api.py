"""Chat API through the Chalice test client: start, offline, reconnect, polling fallback, agents' tokens."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.contract import Api

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def sent(memory_svc: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The frames sent to sockets (in place of the Management API)."""
    frames: list[tuple[str, dict[str, Any]]] = []
    memory_svc.chat_send = lambda connection_id, data: frames.append((connection_id, json.loads(data)))
    return frames


@pytest.fixture
def present(memory_svc: Any, agent: Any, sent: Any) -> str:
    """The agent has the console open: their socket is connected (and heartbeating)."""
    from chalicelib.bootstrap.chat import ChatParts  # noqa: F401 - the parts under test

    parts = memory_svc.chat
    sockets = parts.sockets()
    sockets.allowed_origins = frozenset({ORIGIN})
    sockets.open("agent-socket", parts.service.agent_token(agent.id), ORIGIN)
    return "agent-socket"


def test_availability_is_offline_without_agents(api: Api) -> None:
    assert api.get("/v1/chat/availability").json == {"status": "offline"}


def test_starting_offline_without_an_address_asks_for_the_message_form(api: Api) -> None:
    reply = api.post("/v1/chat/conversations", json={"name": "Cat", "message": "Hi"})
    assert (reply.status, reply.json["offline"], reply.json.get("ticket_id")) == (201, True, None)


def test_the_offline_message_form_creates_a_ticket(api: Api, agent_api: Api) -> None:
    reply = api.post("/v1/chat/conversations", json={"name": "Cat", "email": "cat@example.com", "message": "Call me"})
    assert reply.status == 201 and reply.json["offline"] is True
    ticket = agent_api.get(f"/v1/tickets/{reply.json['ticket_id']}").json
    assert ticket["ticket"]["channel"] == "portal" and "chat-offline" in ticket["ticket"]["tags"]


def test_a_bad_email_is_a_400_naming_the_field(api: Api) -> None:
    reply = api.post("/v1/chat/conversations", json={"email": "not an address"})
    assert reply.status == 400 and reply.error_fields == ["body.email"]


def test_a_started_chat_gives_a_ws_url_with_a_single_use_token(api: Api, present: str) -> None:
    reply = api.post("/v1/chat/conversations", json={"name": "Cat", "message": "Hello"})
    assert reply.status == 201 and reply.json["offline"] is False
    token = parse_qs(urlsplit(reply.json["ws_url"]).query)["token"]
    assert token == [reply.json["connect_token"]] and reply.json["state"] == "ringing"


def test_the_polling_fallback_sends_and_reads_with_the_resume_token(api: Api, present: str) -> None:
    started = api.post("/v1/chat/conversations", json={"name": "Cat", "message": "Hello"}).json
    path = f"/v1/chat/conversations/{started['conversation_id']}"
    headers = {"X-Chat-Token": started["resume_token"]}
    assert api.get(path + "/events", headers=headers).json["events"][0]["body"] == "Hello"
    body = {"client_id": "client-0001", "body": "Still there?"}
    first = api.post(path + "/messages", json=body, headers=headers).json
    again = api.post(path + "/messages", json=body, headers=headers).json
    assert first == again == {"client_id": "client-0001", "seq": 2}
    events = api.get(path + "/events", query={"since": 1}, headers=headers).json["events"]
    assert [(e["seq"], e["body"]) for e in events] == [(2, "Still there?")]


def test_a_conversation_refuses_a_wrong_resume_token(api: Api, present: str) -> None:
    started = api.post("/v1/chat/conversations", json={"message": "Hello"}).json
    path = f"/v1/chat/conversations/{started['conversation_id']}/events"
    assert api.get(path, headers={"X-Chat-Token": "guess"}).status == 404
    assert api.get(path).status == 404


def test_a_new_connect_token_after_a_disconnect(api: Api, present: str) -> None:
    started = api.post("/v1/chat/conversations", json={"message": "Hello"}).json
    path = f"/v1/chat/conversations/{started['conversation_id']}/connect"
    reply = api.post(path, headers={"X-Chat-Token": started["resume_token"]})
    assert reply.status == 200 and reply.json["connect_token"] != started["connect_token"]


def test_agents_get_connect_tokens_and_see_the_line(api: Api, agent_api: Api, present: str) -> None:
    assert api.post("/v1/chat/agent-connect").status == 401
    assert agent_api.post("/v1/chat/agent-connect").status == 200
    started = api.post("/v1/chat/conversations", json={"message": "Hello"}).json
    line = agent_api.get("/v1/chat/queue").json["conversations"]
    assert [(c["conversation_id"], c["offered_to_me"]) for c in line] == [(started["conversation_id"], True)]


def test_the_customer_ends_the_chat(api: Api, present: str) -> None:
    started = api.post("/v1/chat/conversations", json={"message": "Hello"}).json
    path = f"/v1/chat/conversations/{started['conversation_id']}/end"
    reply = api.post(path, headers={"X-Chat-Token": started["resume_token"]})
    assert reply.json["state"] == "ended"
