"""Every event stays small whatever the input (issue: one 1.2 MB reply stalled every consumer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.timeline import Actor, ActorKind, Change, EntryKind, TimelineEntry
from chalicelib.events.envelope import MAX_EVENT_BYTES, PREVIEW_CHARS, envelope, size_of

EVENT_TYPES = ("message.added", "note.added", "ticket.created", "ticket.updated", "mail.bounced", "sla.breached")
EMOJI = "\U0001f525"

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=50))
json_values = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=30) | st.dictionaries(st.text(max_size=20), inner, max_size=30),
    max_leaves=200,
)


def entry(event: str, body: str, data: dict[str, Any], changes: tuple[Change, ...] = ()) -> TimelineEntry:
    kinds = {"message.added": EntryKind.MESSAGE, "note.added": EntryKind.NOTE}
    kind = kinds.get(event, EntryKind.EVENT)
    return TimelineEntry(
        ticket_id="t1",
        id="e1",
        at=datetime(2026, 12, 2, tzinfo=UTC),
        kind=kind,
        event=event,
        author=Actor(ActorKind.CUSTOMER, "c1"),
        ticket_number=7,
        ticket_version=3,
        body_text=body,
        channel="email",
        changes=changes,
        data=data,
    )


def test_a_reply_of_100000_emoji_makes_an_event_under_budget_with_a_preview() -> None:
    event = envelope(entry("message.added", EMOJI * 100_000, {}))
    assert size_of(event) < MAX_EVENT_BYTES
    assert (event["body_preview"], event["body_chars"]) == (EMOJI * PREVIEW_CHARS, 100_000)
    assert "body" not in event and "truncated" not in event


def test_a_mail_with_1500_attachments_and_huge_headers_is_cut_and_says_so() -> None:
    data = {
        "message_id": "x" * 3000,
        "subject": "漢" * 150_000,
        "to": [f"person{i}@example.com" for i in range(5000)],
        "attachments": [{"filename": f"f{i}.txt", "size": i, "key": "attachments/" + "k" * 200} for i in range(1500)],
        "acknowledge": True,
    }
    event = envelope(entry("ticket.created", "hi", data))
    assert size_of(event) < MAX_EVENT_BYTES and event["truncated"] is True
    assert event["data"]["acknowledge"] is True  # the small facts consumers decide on survive


def test_small_data_travels_whole() -> None:
    data = {"notify_agent_ids": ["a1", "a2"], "cause": "e0", "metric": "first_response"}
    changes = (Change("status", "new", "open"), Change("tags", [], ["vip"]))
    event = envelope(entry("ticket.updated", "", data, changes))
    assert event["data"] == data and event["changes"][1] == {"field": "tags", "old": [], "new": ["vip"]}
    assert "truncated" not in event


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    event_type=st.sampled_from(EVENT_TYPES),
    body=st.text(max_size=2000).map(lambda t: t * 200),
    data=st.dictionaries(st.text(max_size=30), json_values, max_size=40),
    repeat=st.integers(min_value=1, max_value=400),
    tags=st.lists(st.text(max_size=80), max_size=100),
)
def test_every_event_type_stays_under_budget_whatever_the_input(
    event_type: str, body: str, data: dict[str, Any], repeat: int, tags: list[str]
) -> None:
    big = {**data, "blob": [data] * repeat}
    event = envelope(entry(event_type, body, big, (Change("tags", [], tags * repeat),)))
    assert size_of(event) < MAX_EVENT_BYTES
    assert event["type"] == event_type and event["ticket"] == {"id": "t1", "number": 7, "version": 3}
