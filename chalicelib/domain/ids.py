"""Identifiers: time-ordered, URL-safe, 26 characters (the ULID layout)."""

from __future__ import annotations

import os
import time
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32

ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"


def new_id(now_ms: int | None = None) -> str:
    """48 bits of milliseconds then 80 random bits: ids sort by creation time."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))
