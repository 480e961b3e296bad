"""A ticket's detail JSON built without pydantic (``chalicelib.tickets.plain``) is the model's, byte for byte.

``GET /v1/tickets/{id}`` answers with ``plain.detail`` so that a cold process need not import pydantic; the
response must stay what ``TicketDetailOut`` renders. Compared on generated tickets and timelines (enums,
optional fields, time zones, microseconds, attachments, changes and free-form data of every JSON-able type),
and, for values it does not render, the route falls back to the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.surveys import CSAT_ANSWERED
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import Actor, ActorKind, Change, EntryKind, TimelineEntry
from chalicelib.http.plain import NotPlain, any_value, timestamp
from chalicelib.tickets import plain, schemas


def _bytes(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _model(ticket: Ticket, timeline: list[TimelineEntry], presign: Callable[[str], str] | None) -> str:
    body = schemas.TicketDetailOut(
        ticket=schemas.TicketOut.of(ticket),
        timeline=[schemas.EntryOut.of(e, presign) for e in timeline],
        satisfaction=schemas.SatisfactionOut.latest(timeline),
    )
    return _bytes(body.model_dump(mode="json"))


ids = st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=26, max_size=26)
words = st.text(max_size=12)
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])
instants = st.builds(
    lambda d, z: d.replace(tzinfo=z),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    zones,
) | st.sampled_from([datetime(2026, 12, 3, 8, 0, tzinfo=UTC), datetime(2026, 12, 3, 8, 0, 0, 500, tzinfo=UTC)])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | words
    | instants
    | st.dates()
    | st.decimals(allow_nan=False, places=3)
    | st.sampled_from([Status.OPEN, Priority.HIGH, ActorKind.AGENT])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.frozensets(words, max_size=3)
        | st.dictionaries(words, inner, max_size=3)
    ),
    max_leaves=8,
)
attachments = st.fixed_dictionaries(
    {},
    optional={
        "filename": words,
        "content_type": st.sampled_from(["text/plain", "image/png", ""]),
        "size": st.integers(0, 10**9) | st.none(),
        "inline": st.booleans(),
        "content_id": words | st.none(),
        "key": st.sampled_from(["attachments/a/b/c.txt", ""]),
        "skipped": st.sampled_from(["too large", None]),
    },
)


@st.composite
def entries(draw: st.DrawFn, ticket_id: str) -> TimelineEntry:
    data = draw(st.dictionaries(words.filter(lambda k: k not in ("attachments", "rating")), values, max_size=4))
    if draw(st.booleans()):
        data["attachments"] = draw(st.lists(attachments, max_size=3))
    event = draw(st.sampled_from(["message.added", "note.added", "ticket.updated", CSAT_ANSWERED]))
    if event == CSAT_ANSWERED:
        data["rating"] = draw(st.integers(1, 5))
    return TimelineEntry(
        ticket_id=ticket_id,
        id=draw(ids),
        at=draw(instants),
        kind=draw(st.sampled_from(EntryKind)),
        event=event,
        author=Actor(draw(st.sampled_from(ActorKind)), draw(ids | st.none())),
        ticket_number=1,
        ticket_version=draw(st.integers(1, 10**6)),
        body_text=draw(words | st.none()),
        body_html=draw(words | st.none()),
        channel=draw(st.sampled_from([None, "email", "portal"])),
        changes=tuple(draw(st.lists(st.builds(Change, words, values, values), max_size=3))),
        data=data,
        merged_from=draw(ids | st.none()),
    )


optional_instants = instants | st.none()
strings = st.lists(words, max_size=3).map(tuple)
tickets = st.builds(
    Ticket,
    id=ids,
    number=st.integers(1, 10**9),
    subject=words,
    requester_id=ids,
    channel=st.sampled_from(Channel),
    created_at=instants,
    updated_at=instants,
    status=st.sampled_from(Status),
    priority=st.sampled_from(Priority),
    type=st.sampled_from(TicketType) | st.none(),
    tags=strings,
    ccs=strings,
    followers=strings,
    organization_id=ids | st.none(),
    team_id=ids | st.none(),
    assignee_id=ids | st.none(),
    first_response_at=optional_instants,
    last_customer_message_at=optional_instants,
    last_agent_message_at=optional_instants,
    solved_at=optional_instants,
    closed_at=optional_instants,
    related_ids=strings,
    merged_into_id=ids | st.none(),
    vip=st.booleans(),
    skills=strings,
    version=st.integers(1, 10**6),
)


@st.composite
def details(draw: st.DrawFn) -> tuple[Ticket, list[TimelineEntry]]:
    ticket = draw(tickets)
    return ticket, draw(st.lists(entries(ticket.id), max_size=5))


def _presign(key: str) -> str:
    return f"https://bucket.example/{key}?signature=x"


@given(details(), st.booleans())
def test_the_plain_detail_is_the_models_json_byte_for_byte(
    detail: tuple[Ticket, list[TimelineEntry]], presigned: bool
) -> None:
    ticket, timeline = detail
    presign = _presign if presigned else None
    assert _bytes(plain.detail(ticket, timeline, presign)) == _model(ticket, timeline, presign)


@given(values)
def test_free_form_values_render_as_pydantic_renders_them(value: Any) -> None:
    class Holder(schemas.Out):
        value: Any

    assert _bytes(any_value(value)) == _bytes(Holder(value=value).model_dump(mode="json")["value"])


def test_datetimes_render_with_z_and_microseconds_only_when_set() -> None:
    assert timestamp(datetime(2026, 12, 3, 8, 0, tzinfo=UTC)) == "2026-12-03T08:00:00Z"
    assert timestamp(datetime(2026, 12, 3, 8, 0, 0, 5, tzinfo=UTC)) == "2026-12-03T08:00:00.000005Z"
    assert timestamp(datetime(2026, 12, 3, 8, 0, tzinfo=timezone(timedelta(hours=2)))) == "2026-12-03T08:00:00+02:00"


@pytest.mark.parametrize(
    "odd",
    [
        UUID(int=1),
        timedelta(seconds=5),
        b"bytes",
        {1: "int key"},
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=30))),
    ],
)
def test_a_value_it_does_not_render_is_left_to_the_model(odd: Any) -> None:
    with pytest.raises(NotPlain):
        any_value(odd)


def test_the_route_answers_with_the_models_bytes_either_way() -> None:
    """Through the route: a timeline whose data holds a UUID (left to the model) and one that does not."""
    from chalicelib.tickets import routes

    ticket = Ticket(
        id="T" * 26,
        number=7,
        subject="Hi",
        requester_id="R" * 26,
        channel=Channel.API,
        created_at=datetime(2026, 12, 3, tzinfo=UTC),
        updated_at=datetime(2026, 12, 3, tzinfo=UTC),
    )
    for data in ({"ref": "x", "at": datetime(2026, 12, 3, 9, tzinfo=UTC)}, {"ref": UUID(int=7)}):
        entry = TimelineEntry(
            ticket_id=ticket.id,
            id="E" * 26,
            at=ticket.created_at,
            kind=EntryKind.EVENT,
            event="ticket.created",
            author=Actor(ActorKind.SYSTEM),
            ticket_number=7,
            ticket_version=1,
            data=data,
        )
        result = routes._detail(ticket, [entry])
        body = result.body if isinstance(result.body, dict) else result.body.model_dump(mode="json")  # type: ignore[union-attr]
        assert _bytes(body) == _model(ticket, [entry], None)
        assert result.headers["ETag"] == '"1"'
        assert isinstance(result.body, dict) == ("at" in data)
