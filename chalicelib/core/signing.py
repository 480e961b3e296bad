"""The deployment's HMAC signing key, and what it signs: opaque cursors, webhook secrets.

In AWS the key lives in an SSM SecureString parameter, read at first use and cached for the life of the
container; the local stack and tests pass it in the environment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache
from typing import Any

from chalicelib.core.errors import NotFound
from chalicelib.core.settings import get_settings

CURSOR_MAC_BYTES = 16


@cache
def signing_key() -> bytes:
    settings = get_settings()
    if settings.signing_key:
        return settings.signing_key.encode()
    from chalicelib.core.clients import client

    response = client("ssm").get_parameter(Name=settings.signing_key_parameter, WithDecryption=True)
    return str(response["Parameter"]["Value"]).encode()


def _mac(key: bytes, purpose: str, payload: bytes) -> bytes:
    return hmac.new(key, purpose.encode() + b"\0" + payload, hashlib.sha256).digest()


def encode_cursor(position: dict[str, Any] | None, key: bytes, scope: str) -> str | None:
    """An opaque, tamper-proof page cursor, valid only for the list (``scope``) that issued it."""
    if position is None:
        return None
    payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode()
    mac = _mac(key, f"cursor:{scope}", payload)[:CURSOR_MAC_BYTES]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def decode_cursor(cursor: str | None, key: bytes, scope: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError:
        raw = b""
    mac, payload = raw[:CURSOR_MAC_BYTES], raw[CURSOR_MAC_BYTES:]
    if len(mac) != CURSOR_MAC_BYTES or not hmac.compare_digest(
        mac, _mac(key, f"cursor:{scope}", payload)[:CURSOR_MAC_BYTES]
    ):
        raise NotFound("page of this listing: cursor", cursor[:32])
    position: dict[str, Any] = json.loads(payload)
    return position


def webhook_secret(key: bytes, webhook_id: str) -> str:
    """Each webhook's signing secret, derived so that no secret is stored in the table."""
    return "whsec_" + hmac.new(key, f"webhook:{webhook_id}".encode(), hashlib.sha256).hexdigest()
