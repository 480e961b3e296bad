"""Limits every entry point enforces on what it accepts, in bytes where storage counts bytes.

A DynamoDB item stops at 400 KB and an SNS message at 256 KB; a character limit lets 150,000 CJK characters
(450 KB) or 100,000 emoji through. So text is measured in UTF-8 bytes at the edge, JSON is refused before it
is parsed deeply, and time zones and locales are checked against what the desk can use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# A reply, note or new request's text (Zendesk and Freshdesk stop comments near 64 KB too).
MAX_BODY_BYTES = 64 * 1024
# A JSON request body as a whole, and how deep its objects and arrays may nest.
MAX_REQUEST_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32

LOCALE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"
_LOCALE = re.compile(LOCALE_PATTERN)


def utf8_at_most(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        size = len(value.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise ValueError(f"is {size} bytes of UTF-8; at most {limit} are accepted")
        return value

    return check


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone the runtime knows, sorted: what the API accepts and its document lists."""
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))


def _known_zone(name: str) -> bool:
    return name in _zone_set()


@lru_cache(maxsize=1)
def _zone_set() -> frozenset[str]:
    return frozenset(time_zone_names())


def check_time_zone(value: str) -> str:
    """An IANA time zone the runtime knows (``Europe/Riga``, ``UTC``); ``Mars/Olympus`` is refused."""
    if not _known_zone(value):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Riga, America/New_York, UTC)")
    return value


def check_locale(value: str) -> str:
    """A BCP 47 language tag's shape (``lv``, ``pt-BR``), normalised to ``lv`` / ``pt-BR``."""
    if not _LOCALE.fullmatch(value):
        raise ValueError(f"{value!r} is not a language tag such as en, lv or pt-BR")
    language, *rest = re.split(r"[-_]", value)
    return "-".join([language.lower(), *(part.upper() if len(part) == 2 else part for part in rest)])


def json_depth_within(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests objects and arrays at most ``limit`` deep (one pass, strings skipped), so a
    body nested 100,000 deep is refused before the parser recurses into it."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True
