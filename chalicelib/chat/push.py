"""Sending frames to sockets through the API Gateway Management API (``POST /@connections/{id}``).

Chalice's ``app.websocket_api.send`` builds its own ``https://<api id>.execute-api...`` client from the event
(it ignores ``AWS_ENDPOINT_URL``, and an SQS consumer has no websocket event to build it from): the
``Management`` client here takes its endpoint from the settings (``LAMBDESK_CHAT_MANAGEMENT_URL``), so the
same boto3 client talks to API Gateway in AWS and to the local bridge (``devtools/ws_bridge.py``), which
serves the same paths. ``GoneException`` means the socket is closed: its items are deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from chalicelib.chat.protocol import encode
from chalicelib.storage.chat_ports import ChatRepository


class Gone(Exception):
    """The socket is closed (API Gateway's GoneException, HTTP 410)."""


class Management:
    """``post_to_connection`` / ``delete_connection`` on an endpoint from the settings."""

    def __init__(self, endpoint: str | None, region: str) -> None:
        self.endpoint = endpoint
        self.region = region
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            import boto3

            if not self.endpoint:
                raise RuntimeError("LAMBDESK_CHAT_MANAGEMENT_URL is not set: sockets cannot be sent to")
            self._client = boto3.session.Session().client(
                "apigatewaymanagementapi", endpoint_url=self.endpoint, region_name=self.region
            )
        return self._client

    def send(self, connection_id: str, data: str) -> None:
        client = self.client()
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=data.encode())
        except client.exceptions.GoneException as exc:
            raise Gone(connection_id) from exc

    def close(self, connection_id: str) -> None:
        client = self.client()
        try:
            client.delete_connection(ConnectionId=connection_id)
        except client.exceptions.GoneException as exc:
            raise Gone(connection_id) from exc


class Pusher:
    """Frames to the sockets of a conversation or an agent; a gone socket's items are removed."""

    def __init__(self, repo: ChatRepository, send: Callable[[str, str], None], clock: Callable[[], datetime]) -> None:
        self.repo = repo
        self._send = send
        self.clock = clock

    def to_conversation(self, conversation_id: str, frame: dict[str, Any], skip: str | None = None) -> int:
        return self.to(self.repo.conversation_connections(conversation_id, self.clock()), frame, skip)

    def to_agent(self, agent_id: str, frame: dict[str, Any], skip: str | None = None) -> int:
        return self.to(self.repo.agent_connections(agent_id, self.clock()), frame, skip)

    def to(self, connection_ids: Iterable[str], frame: dict[str, Any], skip: str | None = None) -> int:
        data = encode(frame)
        sent = 0
        for connection_id in connection_ids:
            if connection_id == skip:
                continue
            if self.one(connection_id, data):
                sent += 1
        return sent

    def one(self, connection_id: str, data: str) -> bool:
        try:
            self._send(connection_id, data)
        except Gone:
            connection = self.repo.get_connection(connection_id, self.clock())
            if connection is not None:
                self.repo.delete_connection(connection)
            return False
        return True
