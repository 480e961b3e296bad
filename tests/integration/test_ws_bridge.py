"""The local WebSocket bridge with the app's own handlers and the real boto3 Management API client.

The services are the in-memory ones; the sockets, the handshake, the Management API (``/@connections``, 410
GoneException) and the client are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

ORIGIN = "http://portal.test"


@pytest.fixture
def bridge(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from devtools.ws_bridge import Bridge
    from tests import fakes
    from tests.conftest import reset_caches
    from tests.e2e.conftest import free_port_pair

    port = free_port_pair()
    monkeypatch.setenv("LAMBDESK_CHAT_MANAGEMENT_URL", f"http://127.0.0.1:{port + 1}")
    monkeypatch.setenv("LAMBDESK_CHAT_WS_URL", f"ws://127.0.0.1:{port}")
    monkeypatch.setenv("LAMBDESK_CHAT_ALLOWED_ORIGINS", ORIGIN)
    reset_caches()
    container = fakes.memory_services(get_settings())
    bootstrap.use(container)
    import app

    running = Bridge(app, "127.0.0.1", port, "test")
    running.start()
    running.container = container
    yield running
    running.stop()
    bootstrap.use(None)
    reset_caches()


def receive(socket: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        frame = json.loads(socket.recv(timeout=timeout))
        if frame["type"] == kind:
            return frame


def test_a_chat_goes_both_ways_through_the_bridge(bridge: Any) -> None:
    from websockets.sync.client import connect

    from chalicelib.chat.service import StartChat

    c = bridge.container
    ann = c.directory.create_agent("ann@desk.example", "Ann")
    with connect(f"{bridge.ws_url}/?token={c.chat.service.agent_token(ann.id)}", origin=ORIGIN) as agent:
        agent.send(json.dumps({"action": "ping"}))
        assert receive(agent, "pong")
        started = c.chat.service.start(StartChat("Cat", "cat@example.com", "Hello"))
        with connect(f"{bridge.ws_url}/?token={started.connect_token}", origin=ORIGIN) as customer:
            talk(agent, customer, started.conversation.id)


def talk(agent: Any, customer: Any, conversation: str) -> None:
    agent.send(json.dumps({"action": "accept", "conversation": conversation}))
    assert receive(customer, "status")["state"] == "active"
    customer.send(json.dumps({"action": "send", "conversation": conversation, "client_id": "c-00000001", "body": "hi"}))
    assert receive(customer, "ack")["seq"] == 3
    assert receive(agent, "message")["body"] == "hi"
    agent.send(json.dumps({"action": "send", "conversation": conversation, "client_id": "a-00000001", "body": "yo"}))
    assert receive(customer, "message")["body"] == "yo"


def test_a_refused_origin_fails_the_handshake_with_403(bridge: Any) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with pytest.raises(InvalidStatus) as refused:
        connect(f"{bridge.ws_url}/?token=whatever", origin="https://evil.example")
    assert refused.value.response.status_code == 403


def test_the_management_api_answers_gone_for_an_unknown_socket(bridge: Any) -> None:
    import boto3

    client = boto3.client("apigatewaymanagementapi", endpoint_url=bridge.management_url, region_name="us-east-1")
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId="nobody", Data=b"{}")
    with pytest.raises(client.exceptions.GoneException):
        client.get_connection(ConnectionId="nobody")
