"""Event triggers: each condition, ordering, loop prevention through the root cause, documents and validation."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.automations.triggers import (
    Trigger,
    TriggerActions,
    TriggerConditions,
    action_data,
    cause_of,
    claim_key,
    field_changes,
    matching,
    trigger_from_doc,
    trigger_to_doc,
    validate_trigger,
)
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, fired_by_trigger, trigger_actor
from chalicelib.events.envelope import envelope

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AGENT = Actor(ActorKind.AGENT, "A1")
TAG = TriggerActions(add_tags=("seen",))


def ticket(**overrides: Any) -> Ticket:
    fields: dict[str, Any] = {
        "id": "T1",
        "number": 7,
        "subject": "Help",
        "requester_id": "C1",
        "channel": Channel.EMAIL,
        "created_at": T0,
        "updated_at": T0,
        "status": Status.OPEN,
    }
    fields.update(overrides)
    return Ticket(**fields)


def event(
    type_: str = "ticket.updated",
    actor: tuple[str, str | None] = ("agent", "A1"),
    changes: list[dict[str, Any]] | None = None,
    data: dict[str, Any] | None = None,
    event_id: str = "E1",
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": type_,
        "ticket": {"id": "T1", "number": 7, "version": 2},
        "actor": {"kind": actor[0], "id": actor[1]},
        "changes": changes or [],
        "data": data or {},
    }


def trigger(trigger_id: str = "tr1", position: int = 0, actions: TriggerActions = TAG, **conditions: Any) -> Trigger:
    conditions.setdefault("events", frozenset({"ticket.updated"}))
    return Trigger(trigger_id, f"Trigger {trigger_id}", position, TriggerConditions(**conditions), actions)


def ids(triggers: list[Trigger]) -> list[str]:
    return [t.id for t in triggers]


@pytest.mark.parametrize(
    ("events", "event_type", "expected"),
    [
        ({"ticket.created", "message.added"}, "message.added", True),
        ({"ticket.created"}, "ticket.updated", False),
        ({"ticket.*"}, "ticket.assigned", True),
        ({"ticket.*"}, "message.added", False),
        ({"*"}, "note.added", True),
    ],
)
def test_a_trigger_matches_the_event_types_and_patterns_it_names(
    events: set[str], event_type: str, expected: bool
) -> None:
    found = matching([trigger(events=frozenset(events))], event(event_type), ticket())
    assert ids(found) == (["tr1"] if expected else [])


STATUS_TO_PENDING = [{"field": "status", "old": "open", "new": "pending"}]
PRIORITY_CHANGE = [{"field": "priority", "old": "normal", "new": "high"}]


@pytest.mark.parametrize(
    ("conditions", "ticket_fields", "event_fields", "expected"),
    [
        ({"actor_kinds": frozenset({ActorKind.CUSTOMER})}, {}, {"actor": ("customer", "C1")}, True),
        ({"actor_kinds": frozenset({ActorKind.CUSTOMER})}, {}, {"actor": ("agent", "A1")}, False),
        ({"statuses": frozenset({Status.OPEN})}, {"status": Status.OPEN}, {}, True),
        ({"statuses": frozenset({Status.OPEN})}, {"status": Status.PENDING}, {}, False),
        ({"priorities": frozenset({Priority.URGENT})}, {"priority": Priority.URGENT}, {}, True),
        ({"priorities": frozenset({Priority.URGENT})}, {"priority": Priority.LOW}, {}, False),
        ({"channels": frozenset({Channel.CHAT})}, {"channel": Channel.CHAT}, {}, True),
        ({"channels": frozenset({Channel.CHAT})}, {"channel": Channel.EMAIL}, {}, False),
        ({"team_ids": frozenset({"TEAM1"})}, {"team_id": "TEAM1"}, {}, True),
        ({"team_ids": frozenset({"TEAM1"})}, {"team_id": None}, {}, False),
        ({"tags_any": frozenset({"billing", "refund"})}, {"tags": ("refund", "x")}, {}, True),
        ({"tags_any": frozenset({"billing", "refund"})}, {"tags": ("x",)}, {}, False),
        ({"tags_none": frozenset({"spam"})}, {"tags": ("x",)}, {}, True),
        ({"tags_none": frozenset({"spam"})}, {"tags": ("spam", "x")}, {}, False),
        ({"changed_field": "status"}, {}, {"changes": STATUS_TO_PENDING}, True),
        ({"changed_field": "status"}, {}, {"changes": PRIORITY_CHANGE}, False),
        ({"changed_field": "status", "changed_to": "pending"}, {}, {"changes": STATUS_TO_PENDING}, True),
        ({"changed_field": "status", "changed_to": "solved"}, {}, {"changes": STATUS_TO_PENDING}, False),
        ({"assigned": True}, {"assignee_id": "A1"}, {}, True),
        ({"assigned": True}, {"assignee_id": None}, {}, False),
        ({"assigned": False}, {"assignee_id": None}, {}, True),
        ({"vip": True}, {"vip": True}, {}, True),
        ({"vip": True}, {"vip": False}, {}, False),
    ],
)
def test_each_condition_reads_the_ticket_now_or_the_event(
    conditions: dict[str, Any], ticket_fields: dict[str, Any], event_fields: dict[str, Any], expected: bool
) -> None:
    found = matching([trigger(**conditions)], event(**event_fields), ticket(**ticket_fields))
    assert ids(found) == (["tr1"] if expected else [])


def test_every_given_condition_must_hold() -> None:
    rule = trigger(
        events=frozenset({"message.added"}),
        actor_kinds=frozenset({ActorKind.CUSTOMER}),
        statuses=frozenset({Status.PENDING}),
        vip=True,
    )
    customer_reply = event("message.added", actor=("customer", "C1"))
    assert ids(matching([rule], customer_reply, ticket(status=Status.PENDING, vip=True))) == ["tr1"]
    assert matching([rule], customer_reply, ticket(status=Status.PENDING, vip=False)) == []
    assert matching([rule], customer_reply, ticket(status=Status.OPEN, vip=True)) == []


def test_matching_triggers_run_by_position_then_id_and_disabled_ones_never() -> None:
    triggers = [trigger("b", 2), trigger("c", 1), trigger("a", 2), replace(trigger("d", 0), enabled=False)]
    assert ids(matching(triggers, event(), ticket())) == ["c", "a", "b"]


def test_a_trigger_does_not_match_an_event_its_own_action_wrote() -> None:
    own_action = event(actor=("system", "trigger:tr1"), data={"cause": "E0"})
    assert ids(matching([trigger("tr1"), trigger("tr2")], own_action, ticket())) == ["tr2"]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (("system", "trigger:tr9"), "tr9"),
        (("system", "lambdesk"), None),
        (("agent", "trigger:tr9"), None),
        (("system", None), None),
        (("system", "trigger:"), None),
    ],
)
def test_fired_by_trigger_names_the_trigger_only_for_its_system_actor(
    actor: tuple[str, str | None], expected: str | None
) -> None:
    assert fired_by_trigger(event(actor=actor)) == expected


def test_matching_refuses_an_event_about_another_ticket() -> None:
    with pytest.raises(ValueError, match="about ticket T1, not T2"):
        matching([trigger()], event(), ticket(id="T2"))


def test_the_root_cause_is_the_original_event_and_travels_down_the_chain() -> None:
    original = event(event_id="E1")
    assert cause_of(original) == "E1"
    first_action = event(actor=("system", "trigger:tr1"), data=action_data(original), event_id="E2")
    assert cause_of(first_action) == "E1"
    second_action = event(actor=("system", "trigger:tr2"), data=action_data(first_action), event_id="E3")
    assert action_data(second_action) == {"cause": "E1"}


def test_claim_key_is_one_per_trigger_ticket_and_root_cause() -> None:
    assert claim_key("tr1", "T1", "E1") == "TRIGGER#tr1#T1#E1"
    assert trigger_actor("tr1") == Actor(ActorKind.SYSTEM, "trigger:tr1")


def test_triggers_that_undo_each_other_fire_once_each_per_original_event() -> None:
    """A adds "a" and removes "b"; B does the opposite. Without the claim they would flip the tags forever."""
    any_update = frozenset({"ticket.updated"})
    a = trigger("A", 1, TriggerActions(add_tags=("a",), remove_tags=("b",)), events=any_update)
    b = trigger("B", 2, TriggerActions(add_tags=("b",), remove_tags=("a",)), events=any_update)
    current, entries = ticket().change(AGENT, T0, priority="high")
    queue = deque(envelope(e) for e in entries)
    claims: set[str] = set()
    fired: list[str] = []
    while queue:
        incoming = queue.popleft()
        for rule in matching([a, b], incoming, current):
            key = claim_key(rule.id, current.id, cause_of(incoming))
            if key in claims:
                continue
            claims.add(key)
            fired.append(rule.id)
            at = T0 + timedelta(seconds=len(fired))
            current, written = current.change(trigger_actor(rule.id), at, **field_changes(rule, current))
            queue.extend(envelope(replace(e, data=action_data(incoming))) for e in written)
    assert fired == ["A", "B"]
    assert current.tags == ("b",)
    assert claims == {f"TRIGGER#A#T1#{entries[0].id}", f"TRIGGER#B#T1#{entries[0].id}"}


def test_field_changes_are_only_what_differs_with_tags_added_and_removed() -> None:
    actions = TriggerActions(
        set_fields={"priority": "urgent", "status": "open", "assignee_id": None},
        add_tags=(" VIP ", "refund"),
        remove_tags=("spam",),
    )
    current = ticket(status=Status.OPEN, priority=Priority.LOW, tags=("refund", "spam"))
    assert field_changes(trigger(actions=actions), current) == {"priority": "urgent", "tags": ("refund", "vip")}


def test_field_changes_are_empty_when_the_ticket_already_agrees() -> None:
    actions = TriggerActions(set_fields={"priority": "high"}, add_tags=("a",), remove_tags=("b",))
    assert field_changes(trigger(actions=actions), ticket(priority=Priority.HIGH, tags=("a",))) == {}


def test_field_changes_leave_out_a_status_the_ticket_cannot_move_to() -> None:
    actions = TriggerActions(set_fields={"status": "open", "priority": "high"})
    closed = ticket(status=Status.CLOSED)
    assert field_changes(trigger(actions=actions), closed) == {"priority": "high"}
    merged = ticket(status=Status.PENDING, merged_into_id="T9")
    assert field_changes(trigger(actions=actions), merged) == {"priority": "high"}


def full_trigger() -> Trigger:
    return Trigger(
        id="tr1",
        name="Escalate VIP replies",
        position=3,
        enabled=False,
        conditions=TriggerConditions(
            events=frozenset({"message.added", "ticket.*"}),
            actor_kinds=frozenset({ActorKind.CUSTOMER}),
            statuses=frozenset({Status.PENDING, Status.SOLVED}),
            priorities=frozenset({Priority.HIGH}),
            channels=frozenset({Channel.EMAIL}),
            team_ids=frozenset({"TEAM1"}),
            tags_any=frozenset({"refund"}),
            tags_none=frozenset({"spam"}),
            changed_field="status",
            changed_to="open",
            assigned=False,
            vip=True,
        ),
        actions=TriggerActions(
            set_fields={"status": Status.OPEN, "priority": "urgent", "type": None, "vip": True, "team_id": "T2"},
            add_tags=("escalated",),
            remove_tags=("waiting",),
            notify_agent_ids=("A1", "A2"),
            reply_macro_id="M1",
        ),
    )


def test_a_trigger_survives_a_round_trip_through_its_json_document() -> None:
    original = full_trigger()
    doc = json.loads(json.dumps(trigger_to_doc(original)))
    assert doc["conditions"]["statuses"] == ["pending", "solved"]
    assert doc["actions"]["set_fields"]["status"] == "open"
    assert trigger_from_doc(doc) == original


def test_a_minimal_document_gets_the_defaults() -> None:
    parsed = trigger_from_doc(
        {
            "id": "t",
            "name": "n",
            "position": 0,
            "conditions": {"events": ["custom.event"]},
            "actions": {"add_tags": ["x"]},
        }
    )
    assert parsed.enabled is True
    assert parsed.conditions == TriggerConditions(events=frozenset({"custom.event"}))
    assert parsed.actions == TriggerActions(add_tags=("x",))


def edit(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    target = doc
    for name in parents:
        target = target[name]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return doc


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("conditions.events", [], "conditions.events: needs at least one event type"),
        ("conditions.events", [""], "conditions.events: invalid value ''"),
        ("conditions.statuses", ["gone"], "conditions.statuses: invalid value 'gone'"),
        ("conditions.statuses", [], "conditions.statuses: an empty list matches nothing"),
        ("conditions.actor_kinds", "customer", "conditions.actor_kinds: must be a list"),
        ("conditions.changed_field", DELETE, "conditions.changed_to: needs changed_field"),
        ("conditions.changed_field", "colour", "conditions.changed_field: unknown field 'colour'"),
        ("conditions.vip", "yes", "conditions.vip: must be true, false or left out"),
        ("conditions.colour", "red", "conditions.colour: unknown field"),
        ("actions", {}, "actions: needs at least one action"),
        ("actions.set_fields", {"subject": "x"}, "actions.set_fields.subject: not a field automations can set"),
        ("actions.set_fields", {"status": "gone"}, "actions.set_fields.status: invalid value 'gone'"),
        ("actions.set_fields", {"vip": "yes"}, "actions.set_fields.vip: invalid value 'yes'"),
        ("actions.set_fields", ["status"], "actions.set_fields: must be an object"),
        ("actions.remove_tags", ["Escalated"], "actions.remove_tags: escalated also in add_tags"),
        ("actions.reply_macro_id", " ", "actions.reply_macro_id: invalid value ' '"),
        ("id", "a#b", "id: must be a non-empty id without '#'"),
        ("name", " ", "name: must not be empty"),
        ("position", "3", "position: must be a whole number"),
        ("position", True, "position: must be a whole number"),
        ("enabled", "no", "enabled: must be true or false"),
        ("conditions", ["ticket.created"], "conditions: must be an object"),
    ],
)
def test_an_invalid_document_is_refused_with_the_field_and_the_problem(path: str, value: Any, message: str) -> None:
    doc = edit(trigger_to_doc(full_trigger()), path, value)
    with pytest.raises(ValueError) as refused:
        trigger_from_doc(doc)
    assert str(refused.value).startswith(message)


def test_validate_refuses_a_trigger_built_in_code_the_same_way() -> None:
    with pytest.raises(ValueError, match=r"^actions: needs at least one action$"):
        validate_trigger(trigger(actions=TriggerActions()))
    with pytest.raises(ValueError, match=r"^conditions\.events: needs at least one event type$"):
        validate_trigger(trigger(events=frozenset()))
    validate_trigger(full_trigger())


def test_a_created_trigger_runs_on_the_routed_event_and_sees_the_creator_as_actor() -> None:
    on_created = trigger(events=frozenset({"ticket.created"}), actor_kinds=frozenset({ActorKind.CUSTOMER}))
    created = event("ticket.created", actor=("customer", "C1"))
    routed = event("ticket.routed", actor=("system", "router"), data={"created_by": {"kind": "customer", "id": "C1"}})
    by_agent = event("ticket.routed", actor=("system", "router"), data={"created_by": {"kind": "agent", "id": "A1"}})
    assert matching([on_created], created, ticket()) == []  # rules first: nothing runs before routing
    assert ids(matching([on_created], routed, ticket())) == ["tr1"]
    assert matching([on_created], by_agent, ticket()) == []


def test_a_wildcard_trigger_matches_the_created_moment_once() -> None:
    everything = trigger(events=frozenset({"*"}))
    assert matching([everything], event("ticket.created"), ticket()) == []
    assert ids(matching([everything], event("ticket.routed"), ticket())) == ["tr1"]


class NoReads:
    """A ticket repository the runner must not touch."""

    def get(self, ticket_id: str, consistent: bool = False) -> Ticket:
        raise AssertionError(f"read ticket {ticket_id}")


class Config:
    def __init__(self, *triggers: Trigger) -> None:
        self._triggers = triggers

    def triggers(self) -> tuple[Trigger, ...]:
        return self._triggers


@pytest.mark.parametrize(
    ("conditions", "event_fields"),
    [
        ({"events": frozenset({"ticket.updated"})}, {"type_": "message.added"}),
        ({"actor_kinds": frozenset({ActorKind.CUSTOMER})}, {"actor": ("agent", "A1")}),
        ({"changed_field": "status"}, {"changes": PRIORITY_CHANGE}),
        ({"changed_field": "status", "changed_to": "solved"}, {"changes": STATUS_TO_PENDING}),
        ({"events": frozenset({"*"})}, {"actor": ("system", "trigger:tr1")}),  # its own action's event
    ],
)
def test_the_ticket_is_not_read_when_no_trigger_can_match_the_event(
    conditions: dict[str, Any], event_fields: dict[str, Any]
) -> None:
    from chalicelib.automations.consumer import TriggerRunner
    from chalicelib.automations.triggers import candidates

    rule = trigger(**conditions)
    assert candidates([rule], event(**event_fields)) == []
    runner = TriggerRunner(NoReads(), None, None, Config(rule))  # type: ignore[arg-type]
    assert runner.on_event(event(**event_fields)) == []


def test_the_event_conditions_alone_pass_a_trigger_on_to_its_ticket_conditions() -> None:
    from chalicelib.automations.triggers import candidates

    rule = trigger(changed_field="status", changed_to="pending", statuses=frozenset({Status.SOLVED}))
    assert ids(candidates([rule], event(changes=STATUS_TO_PENDING))) == ["tr1"]  # may hold: the ticket decides
    assert matching([rule], event(changes=STATUS_TO_PENDING), ticket(status=Status.PENDING)) == []
