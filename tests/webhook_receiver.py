"""A real HTTP server on loopback that records webhook deliveries and can be told to refuse them."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def event_type(self) -> str:
        return self.headers["X-Lambdesk-Event"]

    @property
    def event_id(self) -> str:
        return self.headers["X-Lambdesk-Event-Id"]

    def signed_with(self, secret: str) -> bool:
        parts = dict(p.split("=", 1) for p in self.headers["X-Lambdesk-Signature"].split(","))
        expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(parts["v1"], expected)


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    status: int = 204
    # event ids answered with 500 whatever ``status`` says
    refuse: set[str] = field(default_factory=set)

    @property
    def requests(self) -> list[Received]:
        return self.received

    def of(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        return [r.event for r in self.received if event_type is None or r.event["type"] == event_type]


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen = Received(self.path, dict(self.headers.items()), body)
            with lock:
                receiver.received.append(seen)
            refused = seen.headers.get("X-Lambdesk-Event-Id") in receiver.refuse
            self.send_response(500 if refused else receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
