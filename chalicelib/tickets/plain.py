"""The JSON of ``TicketDetailOut`` (a ticket with its timeline) built without pydantic.

What ``GET /v1/tickets/{id}`` answers, the first request many cold processes serve: the same keys in the same
order and the same values as ``schemas.TicketDetailOut(...).model_dump(mode="json")`` (``chalicelib.http.plain``
says why, and raises ``NotPlain`` for anything the model should render itself). Keep it in step with the models
in ``chalicelib.tickets.schemas``: ``tests/unit/test_plain_json.py`` compares the two on varied tickets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry
from chalicelib.http.plain import (
    NotPlain,
    any_value,
    boolean,
    integer,
    member,
    optional_member,
    optional_text,
    optional_timestamp,
    text,
    texts,
    timestamp,
)


def ticket(t: Ticket) -> dict[str, Any]:
    """``TicketOut.of(t)``."""
    return {
        "id": text(t.id),
        "number": integer(t.number),
        "subject": text(t.subject),
        "status": member(t.status, Status),
        "priority": member(t.priority, Priority),
        "type": optional_member(t.type, TicketType),
        "channel": member(t.channel, Channel),
        "tags": texts(t.tags),
        "requester_id": text(t.requester_id),
        "ccs": texts(t.ccs),
        "followers": texts(t.followers),
        "organization_id": optional_text(t.organization_id),
        "team_id": optional_text(t.team_id),
        "assignee_id": optional_text(t.assignee_id),
        "created_at": timestamp(t.created_at),
        "updated_at": timestamp(t.updated_at),
        "first_response_at": optional_timestamp(t.first_response_at),
        "last_customer_message_at": optional_timestamp(t.last_customer_message_at),
        "last_agent_message_at": optional_timestamp(t.last_agent_message_at),
        "solved_at": optional_timestamp(t.solved_at),
        "closed_at": optional_timestamp(t.closed_at),
        "related_ids": texts(t.related_ids),
        "merged_into_id": optional_text(t.merged_into_id),
        "vip": boolean(t.vip),
        "skills": texts(t.skills),
        "version": integer(t.version),
    }


def _attachment(a: dict[str, Any], presign: Callable[[str], str] | None) -> dict[str, Any]:
    return {
        "filename": text(a.get("filename") or "attachment"),
        "content_type": text(a.get("content_type") or "application/octet-stream"),
        "size": int(a.get("size") or 0),
        "inline": bool(a.get("inline")),
        "content_id": optional_text(a.get("content_id")),
        "url": optional_text(presign(a["key"]) if presign and a.get("key") else None),
        "skipped": optional_text(a.get("skipped")),
    }


def entry(e: TimelineEntry, presign: Callable[[str], str] | None = None) -> dict[str, Any]:
    """``EntryOut.of(e, presign)``."""
    if not isinstance(e.kind, EntryKind) or not isinstance(e.author.kind, ActorKind) or type(e.data) is not dict:
        raise NotPlain(e)
    return {
        "id": text(e.id),
        "at": timestamp(e.at),
        "kind": e.kind.value,
        "event": text(e.event),
        "public": e.public,
        "author": {"kind": e.author.kind.value, "id": optional_text(e.author.id)},
        "ticket_version": integer(e.ticket_version),
        "body": optional_text(e.body_text),
        "body_html": optional_text(e.body_html),
        "channel": optional_text(e.channel),
        "changes": [{"field": text(c.field), "old": any_value(c.old), "new": any_value(c.new)} for c in e.changes],
        "data": {text(k): any_value(v) for k, v in e.data.items() if k != "attachments"},
        "attachments": [_attachment(a, presign) for a in e.data.get("attachments") or []],
        "merged_from": optional_text(e.merged_from),
    }


def satisfaction(timeline: list[TimelineEntry]) -> dict[str, Any] | None:
    """``SatisfactionOut.latest(timeline)``."""
    from chalicelib.domain.survey_events import CSAT_ANSWERED

    answered = [e for e in timeline if e.event == CSAT_ANSWERED and isinstance(e.data.get("rating"), int)]
    if not answered:
        return None
    last = max(answered, key=lambda e: (e.at, e.id))
    return {"rating": integer(last.data["rating"]), "comment": optional_text(last.body_text), "at": timestamp(last.at)}


def detail(t: Ticket, timeline: list[TimelineEntry], presign: Callable[[str], str] | None) -> dict[str, Any]:
    """``TicketDetailOut(ticket=..., timeline=..., satisfaction=...)``."""
    return {
        "ticket": ticket(t),
        "timeline": [entry(e, presign) for e in timeline],
        "satisfaction": satisfaction(timeline),
    }
