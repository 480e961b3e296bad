"""Opaque cursors for list endpoints, signed with the deployment key and bound to the list that issued them."""

from __future__ import annotations

from typing import Any

from chalicelib.core import signing


def start_key(cursor: str | None, scope: str) -> dict[str, Any] | None:
    return signing.decode_cursor(cursor, signing.signing_key(), scope)


def next_cursor(position: dict[str, Any] | None, scope: str) -> str | None:
    return signing.encode_cursor(position, signing.signing_key(), scope)
