"""Static assets (``static/``): served under a content-hashed name with a year of caching.

``url_name("portal.css")`` is ``portal.<hash>.css``; a new file content is a new URL, so browsers can keep
every version forever. Only the files listed in ``CONTENT_TYPES`` exist: any other name (a stale hash, a
path with ``..``) is unknown, so there is nothing to traverse.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
HASH_CHARS = 12
CACHE_FOREVER = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    "portal.css": "text/css; charset=utf-8",
    # htmx 2.0.11, vendored unmodified (0BSD); tests/unit/web/test_static.py pins its SHA-256.
    "htmx.min.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    # The portal's few enhancements (keeps typed text across an upload, sends a chosen file at once).
    "portal.js": "text/javascript; charset=utf-8",
    # the chat widget and the agent console (docs/decisions/043-chat.md)
    "chat-widget.js": "text/javascript; charset=utf-8",
    "chat-console.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    # the agents' reports page: figures, SVG charts, backlog (docs/decisions/060-reports.md)
    "reports.css": "text/css; charset=utf-8",
}


@dataclass(frozen=True)
class Asset:
    name: str
    url_name: str
    content_type: str
    body: str


def _hashed(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}{dot}{suffix}"


@cache
def asset(name: str) -> Asset:
    """The asset ``name`` (a key of ``CONTENT_TYPES``), read once."""
    content_type = CONTENT_TYPES[name]
    body = (STATIC_DIR / name).read_text(encoding="utf-8")
    digest = hashlib.sha256(body.encode()).hexdigest()[:HASH_CHARS]
    return Asset(name, _hashed(name, digest), content_type, body)


def url_name(name: str) -> str:
    return asset(name).url_name


@cache
def _by_url_name() -> dict[str, Asset]:
    return {a.url_name: a for a in map(asset, CONTENT_TYPES)}


def find(url_name: str) -> Asset | None:
    """The asset served at ``/portal/static/<url_name>``, or None for any other name."""
    return _by_url_name().get(url_name)
