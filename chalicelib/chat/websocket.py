"""API Gateway's WebSocket events -> ``Sockets``: what ``app.py``'s ``on_ws_*`` handlers call.

The connect token travels in the query string (browsers cannot set headers on a WebSocket) and is used once;
the page's ``Origin`` header must be an allowed origin. Anything else answers 401/403 and API Gateway fails
the handshake. The local bridge (``devtools/ws_bridge.py``) builds the same events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import Forbidden, Unauthenticated
from chalicelib.core.providers import Provider

if TYPE_CHECKING:
    from chalicelib.chat.sockets import Sockets

deps: Provider[Sockets] = Provider("chat.websocket")
OK = {"statusCode": 200}


def _connection_id(event: dict[str, Any]) -> str:
    return str(event["requestContext"]["connectionId"])


def _header(event: dict[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    return next((str(v) for k, v in headers.items() if k.lower() == name), None)


def connect(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.chat.sockets import refusal
    from chalicelib.core import observability

    token = (event.get("queryStringParameters") or {}).get("token")
    try:
        connection = deps().open(_connection_id(event), token, _header(event, "origin"))
    except (Forbidden, Unauthenticated) as exc:
        observability.logger().info("socket refused", extra={"reason": exc.message})
        return refusal(exc)
    observability.logger().info("socket opened", extra={"side": str(connection.side)})
    return OK


def message(event: dict[str, Any]) -> dict[str, Any]:
    deps().frame(_connection_id(event), event.get("body"))
    return OK


def disconnect(event: dict[str, Any]) -> dict[str, Any]:
    deps().close(_connection_id(event))
    return OK
