"""A chat desk on the in-memory fakes, with a movable clock and a recorder in place of the Management API."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.chat.push import Gone

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ORIGIN = "https://help.example.com"


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Sockets:
    """What the Management API was asked to send, by connection; ``closed`` ones answer Gone."""

    sent: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    closed: set[str] = field(default_factory=set)

    def send(self, connection_id: str, data: str) -> None:
        if connection_id in self.closed:
            raise Gone(connection_id)
        self.sent[connection_id].append(json.loads(data))

    def frames(self, connection_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [f for f in self.sent[connection_id] if kind is None or f["type"] == kind]


@dataclass
class Desk:
    c: Any
    clock: Clock
    sockets: Sockets

    @property
    def chat(self) -> Any:
        return self.c.chat.service

    @property
    def router(self) -> Any:
        return self.c.chat.router

    @property
    def ws(self) -> Any:
        return self.c.chat.sockets()

    def agent(self, email: str, capacity: int = 20) -> Any:
        from chalicelib.domain.people import Role

        return self.c.directory.create_agent(email, email.split("@")[0].title(), Role.AGENT, capacity=capacity)

    def agent_socket(self, agent: Any) -> str:
        connection_id = f"agent-{uuid.uuid4().hex[:8]}"
        self.ws.open(connection_id, self.chat.agent_token(agent.id), ORIGIN)
        return connection_id

    def start(self, message: str = "Hello", email: str | None = "cat@example.com") -> Any:
        from chalicelib.chat.service import StartChat

        return self.chat.start(StartChat("Cat", email, message))

    def customer_socket(self, started: Any) -> str:
        connection_id = f"cust-{uuid.uuid4().hex[:8]}"
        self.ws.open(connection_id, started.connect_token, ORIGIN)
        return connection_id

    def frame(self, connection_id: str, **frame: Any) -> None:
        self.ws.frame(connection_id, json.dumps(frame))


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LAMBDESK_CHAT_ALLOWED_ORIGINS", ORIGIN)
    monkeypatch.setenv("LAMBDESK_CHAT_WS_URL", "wss://chat.example.com/live")
    from tests.conftest import reset_caches

    reset_caches()
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from tests import fakes

    clock = Clock()
    sockets = Sockets()
    c = fakes.memory_services(get_settings(), clock)
    c.chat_send = sockets.send
    bootstrap.use(c)
    yield Desk(c, clock, sockets)
    bootstrap.use(None)
    reset_caches()
