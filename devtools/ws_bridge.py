"""The local WebSocket bridge: what API Gateway's WebSocket API does, for ``make run`` and the tests.

``chalice local`` serves no WebSockets. The bridge accepts browser sockets (``ws://host:port/?token=...``),
calls the app's *same* ``websocket_connect/message/disconnect`` handlers with API-Gateway-shaped events, and
serves the Management API (``POST/GET/DELETE /@connections/{id}``; an unknown id is ``410 GoneException``) on
the next port, so the one boto3 ``apigatewaymanagementapi`` client the app uses works here as in AWS.

Handlers run in worker threads (they call moto, and may post back to the Management API, which sends through
this loop); each socket's frames are handled one at a time, in order, as API Gateway delivers them.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devtools.worker import FakeContext

API_ID = "local"
SEND_TIMEOUT_SECONDS = 10


@dataclass
class Bridge:
    app_module: Any
    host: str
    port: int
    stage: str = "local"
    sockets: dict[str, Any] = field(default_factory=dict)
    connected_at: dict[str, float] = field(default_factory=dict)
    loop: asyncio.AbstractEventLoop | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    stopping: asyncio.Event | None = None
    management: ThreadingHTTPServer | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def management_url(self) -> str:
        return f"http://{self.host}:{self.port + 1}"

    # -- API Gateway's events -------------------------------------------------------------------------

    def event(self, connection_id: str, route: str, kind: str, **extra: Any) -> dict[str, Any]:
        return {
            "requestContext": {
                "routeKey": route,
                "eventType": kind,
                "connectionId": connection_id,
                "apiId": API_ID,
                "stage": self.stage,
                "domainName": f"{self.host}:{self.port}",
                "requestTimeEpoch": int(time.time() * 1000),
                "connectedAt": int(self.connected_at.get(connection_id, time.time()) * 1000),
            },
            "isBase64Encoded": False,
            **extra,
        }

    def call(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        result = getattr(self.app_module, function)(event, FakeContext(function))
        return result if isinstance(result, dict) else {"statusCode": 200}

    # -- sockets ----------------------------------------------------------------------------------------

    async def process_request(self, connection: Any, request: Any) -> Any:
        """$connect before the handshake completes: a refusal is the HTTP status the handler answered."""
        connection_id = uuid.uuid4().hex[:16] + "="
        connection.lambdesk_id = connection_id
        self.connected_at[connection_id] = time.time()
        query = {k: v[-1] for k, v in parse_qs(urlsplit(request.path).query).items()}
        headers = {k: v for k, v in request.headers.raw_items()}
        event = self.event(connection_id, "$connect", "CONNECT", headers=headers, queryStringParameters=query or None)
        result = await asyncio.to_thread(self.call, "websocket_connect", event)
        status = int(result.get("statusCode", 200))
        if status != 200:
            self.connected_at.pop(connection_id, None)
            return connection.respond(status, str(result.get("body") or "refused") + "\n")
        return None

    async def handle(self, websocket: Any) -> None:
        connection_id = websocket.lambdesk_id
        self.sockets[connection_id] = websocket
        try:
            async for message in websocket:
                body = message if isinstance(message, str) else message.decode("utf-8", "replace")
                event = self.event(connection_id, "$default", "MESSAGE", body=body)
                await asyncio.to_thread(self.call, "websocket_message", event)
        except Exception:  # noqa: BLE001 - a socket that breaks is closed, like API Gateway's
            pass
        finally:
            self.sockets.pop(connection_id, None)
            event = self.event(connection_id, "$disconnect", "DISCONNECT")
            self.connected_at.pop(connection_id, None)
            await asyncio.to_thread(self.call, "websocket_disconnect", event)

    # -- the Management API (called from the app's threads) ---------------------------------------

    def post(self, connection_id: str, data: bytes) -> bool:
        websocket = self.sockets.get(connection_id)
        if websocket is None or self.loop is None:
            return False
        text = data.decode("utf-8", "replace")
        future = asyncio.run_coroutine_threadsafe(websocket.send(text), self.loop)
        try:
            future.result(SEND_TIMEOUT_SECONDS)
        except Exception:  # noqa: BLE001 - closed while sending: API Gateway answers Gone
            return False
        return True

    def drop(self, connection_id: str) -> bool:
        websocket = self.sockets.get(connection_id)
        if websocket is None or self.loop is None:
            return False
        asyncio.run_coroutine_threadsafe(websocket.close(), self.loop)
        return True

    # -- running ------------------------------------------------------------------------------------------

    async def _serve(self) -> None:
        from websockets.asyncio.server import serve

        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        async with serve(self.handle, self.host, self.port, process_request=self.process_request, max_size=2**20):
            self.ready.set()
            await self.stopping.wait()

    def start(self) -> None:
        """The socket server and the Management API, each in a daemon thread; returns once both listen."""
        self.management = ThreadingHTTPServer((self.host, self.port + 1), _management_handler(self))
        threading.Thread(target=self.management.serve_forever, name="ws-management", daemon=True).start()
        threading.Thread(target=lambda: asyncio.run(self._serve()), name="ws-bridge", daemon=True).start()
        if not self.ready.wait(30):
            raise RuntimeError(f"the WebSocket bridge did not start on {self.ws_url}")

    def stop(self) -> None:
        if self.loop is not None and self.stopping is not None:
            self.loop.call_soon_threadsafe(self.stopping.set)
        if self.management is not None:
            self.management.shutdown()


class _ManagementHandler(BaseHTTPRequestHandler):
    """The Management API's @connections routes over the bridge's sockets (``bridge`` set per server)."""

    bridge: Bridge

    def _connection_id(self) -> str | None:
        path = urlsplit(self.path).path
        prefix = "/@connections/"
        if not path.startswith(prefix):
            return None
        from urllib.parse import unquote

        return unquote(path[len(prefix) :])

    def _answer(self, status: int, body: dict[str, Any] | None = None, error: str | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.end_headers()
        self.wfile.write(data)

    def _gone(self) -> None:
        self._answer(410, {"message": "GoneException"}, "GoneException")

    def do_POST(self) -> None:
        connection_id = self._connection_id()
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        if connection_id is None:
            self._answer(404, {"message": "no such path"})
        elif self.bridge.post(connection_id, data):
            self._answer(200)
        else:
            self._gone()

    def do_GET(self) -> None:
        connection_id = self._connection_id()
        if connection_id is None or connection_id not in self.bridge.sockets:
            self._gone()
            return
        since = datetime.fromtimestamp(self.bridge.connected_at.get(connection_id, time.time()), UTC).isoformat()
        self._answer(200, {"ConnectedAt": since, "Identity": {"SourceIp": "127.0.0.1"}, "LastActiveAt": since})

    def do_DELETE(self) -> None:
        connection_id = self._connection_id()
        if connection_id is not None and self.bridge.drop(connection_id):
            self._answer(204)
        else:
            self._gone()

    def log_message(self, format: str, *args: Any) -> None:
        return


def _management_handler(bridge: Bridge) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_ManagementHandler,), {"bridge": bridge})
