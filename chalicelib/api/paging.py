"""Opaque cursors for list endpoints, signed with the deployment key and bound to the list that issued them."""

from __future__ import annotations

from chalicelib.services import signing


def start_key(cursor: str | None, scope: str) -> dict[str, str] | None:
    return signing.decode_cursor(cursor, signing.signing_key(), scope)


def next_cursor(position: dict[str, str] | None, scope: str) -> str | None:
    return signing.encode_cursor(position, signing.signing_key(), scope)
