"""The ticket aggregate's rules: status transitions, change events, versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.domain.tickets import TRANSITIONS, Channel, Priority, Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AGENT = Actor(ActorKind.AGENT, "A1")


def ticket(**overrides: object) -> Ticket:
    fields: dict[str, object] = {
        "id": "T1",
        "number": 7,
        "subject": "Help",
        "requester_id": "C1",
        "channel": Channel.EMAIL,
        "created_at": T0,
        "updated_at": T0,
    }
    fields.update(overrides)
    return Ticket(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("source", "target"), [(s, t) for s, t in product(Status, Status) if s != t])
def test_status_changes_follow_the_transition_table(source: Status, target: Status) -> None:
    start = ticket(status=source)
    if target in TRANSITIONS[source]:
        changed, entries = start.change(AGENT, T0, status=target)
        assert changed.status is target
        assert entries[0].changes[0].as_dict() == {"field": "status", "old": source.value, "new": target.value}
    else:
        with pytest.raises(InvalidInput) as refused:
            start.change(AGENT, T0, status=target)
        assert refused.value.problems[0].field == "status"


def test_closed_is_final() -> None:
    assert TRANSITIONS[Status.CLOSED] == frozenset()


def test_solving_stamps_solved_at_and_reopening_clears_it() -> None:
    solved, _ = ticket(status=Status.OPEN).change(AGENT, T0, status=Status.SOLVED)
    assert solved.solved_at == T0
    reopened, _ = solved.change(AGENT, T0 + timedelta(hours=1), status=Status.OPEN)
    assert reopened.solved_at is None
    closed, _ = solved.change(AGENT, T0 + timedelta(days=4), status=Status.CLOSED)
    assert closed.closed_at == T0 + timedelta(days=4)
    assert closed.solved_at == T0


def test_a_change_is_one_version_and_records_old_and_new_values() -> None:
    start = ticket(priority=Priority.LOW, tags=("a",))
    changed, entries = start.change(AGENT, T0, priority="urgent", tags=["B", " b ", "c"])
    assert changed.version == start.version + 1
    assert changed.tags == ("b", "c")
    assert [e.event for e in entries] == ["ticket.updated"]
    assert {c.field: (c.old, c.new) for c in entries[0].changes} == {
        "priority": ("low", "urgent"),
        "tags": (["a"], ["b", "c"]),
    }
    assert entries[0].ticket_version == changed.version


def test_assignment_is_its_own_event() -> None:
    changed, entries = ticket().change(AGENT, T0, assignee_id="A2", priority="high")
    assert [e.event for e in entries] == ["ticket.updated", "ticket.assigned"]
    assert entries[1].changes[0].as_dict() == {"field": "assignee_id", "old": None, "new": "A2"}
    assert changed.version == 2


def test_a_change_to_the_same_values_writes_nothing() -> None:
    start = ticket(priority=Priority.HIGH)
    changed, entries = start.change(AGENT, T0, priority="high")
    assert changed is start
    assert entries == []


def test_unknown_fields_and_bad_values_name_the_field() -> None:
    with pytest.raises(InvalidInput) as unknown:
        ticket().change(AGENT, T0, number=9)
    assert unknown.value.problems[0].field == "number"
    with pytest.raises(InvalidInput) as bad:
        ticket().change(AGENT, T0, priority="critical")
    assert bad.value.problems[0].field == "priority"


def test_a_merged_ticket_cannot_change_status() -> None:
    with pytest.raises(InvalidInput):
        ticket(status=Status.SOLVED, merged_into_id="T9").change(AGENT, T0, status=Status.OPEN)
