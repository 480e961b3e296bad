"""The message every consumer receives for a timeline entry (a domain event)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.resources import AGENT_AVAILABLE
from chalicelib.domain.timeline import TimelineEntry

SCHEMA_VERSION = 1


def envelope(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "id": entry.id,
        "type": entry.event,
        "occurred_at": entry.at.isoformat(),
        "ticket": {"id": entry.ticket_id, "number": entry.ticket_number, "version": entry.ticket_version},
        "actor": {"kind": str(entry.author.kind), "id": entry.author.id},
        "public": entry.public,
        "kind": str(entry.kind),
        "body": entry.body_text,
        "channel": entry.channel,
        "changes": [c.as_dict() for c in entry.changes],
        "data": entry.data,
    }


def agent_available(agent_id: str, teams: list[str], version: int) -> dict[str, Any]:
    """An agent is online and active after a write of version ``version``: their teams' queues can move.
    Its id names the version, so a redelivered stream record is the same event."""
    return {
        "schema": SCHEMA_VERSION,
        "id": f"{AGENT_AVAILABLE}:{agent_id}:{version}",
        "type": AGENT_AVAILABLE,
        "agent": {"id": agent_id, "teams": teams, "version": version},
    }


def matches(event_type: str, patterns: tuple[str, ...]) -> bool:
    """Subscription patterns: ``*``, an exact type, or ``ticket.*``."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False
