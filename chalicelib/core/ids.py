"""Identifiers: time-ordered, URL-safe, 26 characters (the ULID layout).

Ids made in the same millisecond by one process still sort in the order they were made (the random
part is incremented), so a reply and the status change it carries keep their order on the timeline.
"""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_RANDOM_BITS = 80

ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"

_lock = threading.Lock()
_last = (0, 0)


def new_id(now_ms: int | None = None) -> str:
    """48 bits of milliseconds then 80 random bits, monotonic within the process."""
    global _last
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    with _lock:
        last_ms, last_random = _last
        if ms <= last_ms:
            ms, random = last_ms, last_random + 1
        else:
            random = int.from_bytes(os.urandom(10), "big") >> 1  # room to increment
        _last = (ms, random)
    value = (ms << _RANDOM_BITS) | (random & ((1 << _RANDOM_BITS) - 1))
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))
