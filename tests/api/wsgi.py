"""The app as a WSGI application over ``chalice.test.Client``, and a loopback HTTP server for it.

Chalice apps are not WSGI apps; ``chalice.test.Client.http`` runs a request through the same local gateway
(API Gateway's event shape, Chalice's routing and middleware) that the API tier uses. This adapter turns a
WSGI request into such a call, so any HTTP tool (schemathesis, curl) can drive the app on in-memory services.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

StartResponse = Callable[..., Any]


class ChaliceWsgi:
    def __init__(self, http: Any) -> None:
        self.http = http  # chalice.test.Client(app).http
        self.lock = threading.Lock()  # the test client patches os.environ per request: one at a time

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "OPTIONS":
            # Neither API Gateway nor Chalice's local gateway hands OPTIONS to the app (they answer a preflight
            # themselves, with no body, which the test client cannot read): answered here the same way.
            start_response("200 OK", [("Content-Length", "0")])
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if body and environ.get("CONTENT_TYPE"):  # wsgiref invents text/plain for requests without a body
            headers["content-type"] = environ["CONTENT_TYPE"]
        # PATH_INFO is decoded (as latin-1 bytes); API Gateway sees the path as sent.
        path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        with self.lock:
            response = self.http.request(environ["REQUEST_METHOD"], path, headers=headers, body=body)
        status = HTTPStatus(response.status_code)
        start_response(f"{status.value} {status.phrase}", [(k, str(v)) for k, v in response.headers.items()])
        return [response.body or b""]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(app: ChaliceWsgi, port: int) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1:``port`` in a thread; yield the base URL; stop on exit."""
    server: WSGIServer = make_server("127.0.0.1", port, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="wsgi", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
