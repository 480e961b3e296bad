"""The message every consumer receives for a timeline entry (a domain event): small by construction.

An event carries ids and the facts consumers decide on, never a whole body: a message's text is summed up by
``body_preview`` (at most ``PREVIEW_CHARS`` characters) and ``body_chars``; a consumer that needs the text
reads the entry (claim check: ``GET /v1/tickets/{id}``, or the ticket's timeline in the table). ``data`` and
``changes`` keep their small values whole and cut the rest (long strings shortened, long lists cut, deep
nesting dropped), with ``truncated: true`` saying so. Whatever a customer sends, an event stays far under
``MAX_EVENT_BYTES`` (SNS takes 256 KB; the relay would otherwise retry it forever and stall every consumer).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.core.resources import AGENT_AVAILABLE, KB_ARTICLE_CHANGED
from chalicelib.domain.timeline import TimelineEntry

SCHEMA_VERSION = 2
MAX_EVENT_BYTES = 64 * 1024
PREVIEW_CHARS = 500
# How much of an entry's data and changes travels with the event: beyond this, values are cut.
DATA_BUDGET_BYTES = 16 * 1024
MAX_TEXT_CHARS = 1000
MAX_KEY_CHARS = 100
MAX_LIST_ITEMS = 50
MAX_DEPTH = 4


def envelope(entry: TimelineEntry) -> dict[str, Any]:
    body = entry.body_text or ""
    data, data_cut = _bounded(entry.data)
    changes, changes_cut = _bounded([c.as_dict() for c in entry.changes])
    event: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "id": entry.id,
        "type": entry.event,
        "occurred_at": entry.at.isoformat(),
        "ticket": _ticket(entry),
        "actor": {"kind": str(entry.author.kind), "id": _short(entry.author.id)},
        "public": entry.public,
        "kind": str(entry.kind),
        "channel": _short(entry.channel),
        "body_preview": body[:PREVIEW_CHARS],
        "body_chars": len(body),
        "changes": changes,
        "data": data,
    }
    if data_cut or changes_cut:
        event["truncated"] = True
    if entry.report is not None:  # on entries the reports count: domain/report_chain.py
        event["report"] = entry.report
    return event


def _ticket(entry: TimelineEntry) -> dict[str, Any]:
    """Ids, and the ticket's channel when the entry knows it (entries written before it was recorded do not:
    consumers then look the ticket up as before)."""
    ticket: dict[str, Any] = {"id": entry.ticket_id, "number": entry.ticket_number, "version": entry.ticket_version}
    if entry.ticket_channel:
        ticket["channel"] = entry.ticket_channel
    return ticket


def _short(value: str | None) -> str | None:
    return None if value is None else value[:MAX_TEXT_CHARS]


def _bounded(value: Any) -> tuple[Any, bool]:
    """``value`` as it is when its JSON fits ``DATA_BUDGET_BYTES``; else a cut copy (and True)."""
    if len(json.dumps(value, default=str)) <= DATA_BUDGET_BYTES:
        return value, False
    cut = _cut(value, MAX_DEPTH)
    while len(json.dumps(cut, default=str)) > DATA_BUDGET_BYTES:
        cut = _halve(cut, top=True)
    return cut, True


def _cut(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return value[:MAX_TEXT_CHARS]
    if isinstance(value, dict):
        if depth == 0:
            return {}
        return {str(k)[:MAX_KEY_CHARS]: _cut(v, depth - 1) for k, v in list(value.items())[:MAX_LIST_ITEMS]}
    if isinstance(value, list | tuple):
        if depth == 0:
            return []
        return [_cut(v, depth - 1) for v in list(value)[:MAX_LIST_ITEMS]]
    return value if value is None or isinstance(value, bool | int | float) else str(value)[:MAX_TEXT_CHARS]


def _halve(value: Any, top: bool = False) -> Any:
    """Every list, string and nested mapping keeps its first half; the top mapping keeps all its keys, so the
    small facts next to a big value (``acknowledge`` next to 1,500 attachments) survive."""
    if isinstance(value, dict):
        items = list(value.items())
        kept = items if top else items[: len(items) // 2]
        return {k: _halve(v) for k, v in kept}
    if isinstance(value, list):
        return [_halve(v) for v in value[: len(value) // 2]]
    if isinstance(value, str):
        return value[: len(value) // 2]
    return value


def agent_available(agent_id: str, teams: list[str], version: int) -> dict[str, Any]:
    """An agent is online and active after a write of version ``version``: their teams' queues can move.
    Its id names the version, so a redelivered stream record is the same event."""
    return {
        "schema": SCHEMA_VERSION,
        "id": f"{AGENT_AVAILABLE}:{agent_id}:{version}",
        "type": AGENT_AVAILABLE,
        "agent": {"id": agent_id, "teams": teams[:MAX_LIST_ITEMS], "version": version},
    }


def kb_article_changed(
    article_id: str, version: int, status: str, visibility: str, reindex: bool, at: str, author: str
) -> dict[str, Any]:
    """A new version of a knowledge base article (``reindex``: it changed what is searchable). Its id names
    the version, so a redelivered stream record is the same event."""
    return {
        "schema": SCHEMA_VERSION,
        "id": f"{KB_ARTICLE_CHANGED}:{article_id}:{version}",
        "type": KB_ARTICLE_CHANGED,
        "occurred_at": at,
        "actor": {"kind": "agent", "id": _short(author)},
        "article": {
            "id": article_id,
            "version": version,
            "status": status,
            "visibility": visibility,
            "reindex": reindex,
        },
    }


def size_of(event: dict[str, Any]) -> int:
    """The bytes of the event as the relay publishes it."""
    return len(json.dumps(event, separators=(",", ":")).encode())


def matches(event_type: str, patterns: tuple[str, ...]) -> bool:
    """Subscription patterns: ``*``, an exact type, or ``ticket.*``."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False
