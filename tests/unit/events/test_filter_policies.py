"""Each event queue's SNS filter policy lets through every event type its dispatch table acts on, and a
consumer with a closed list of types (``resources.ONLY``) acts on nothing else: an event a consumer cannot act
on costs no invocation, and none it can act on is filtered away."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from chalicelib.bootstrap import handlers
from chalicelib.core.resources import EVENT_CONSUMER_QUEUES, NARROW_EVENTS, ONLY, event_filter_policy
from chalicelib.events.dispatch import ANY, subscribed

TABLES = {
    "routing": handlers.routing_table,
    "sla": handlers.sla_table,
    "automations": handlers.automations_table,
    "outbound": handlers.outbound_table,
    "webhooks": handlers.webhooks_table,
    "kb": handlers.kb_table,
    "chat": handlers.chat_table,
    "reports": handlers.reports_table,
}


def passes(policy: dict[str, list[object]] | None, event_type: str) -> bool:
    """What SNS does with an event of ``event_type`` under ``policy`` (the two shapes this app writes)."""
    if policy is None:
        return True
    (condition,) = policy.values()
    if condition and isinstance(condition[0], dict):
        return event_type not in condition[0]["anything-but"]  # type: ignore[operator]
    return event_type in condition


def test_every_event_queue_has_a_dispatch_table() -> None:
    assert set(TABLES) == set(EVENT_CONSUMER_QUEUES)


@pytest.mark.parametrize("purpose", EVENT_CONSUMER_QUEUES)
def test_the_filter_policy_lets_through_what_the_table_acts_on(purpose: str) -> None:
    table = TABLES[purpose](MagicMock())
    types = subscribed(table)
    policy = event_filter_policy(purpose)
    if purpose in ONLY:
        assert types is not None and ANY not in table, f"{purpose} acts on every type but is filtered"
        assert types == ONLY[purpose]
    for event_type in types or ():
        assert passes(policy, event_type), f"{purpose} acts on {event_type} but never receives it"
    for event_type, consumers in NARROW_EVENTS.items():
        assert passes(policy, event_type) == (purpose in consumers)


def test_the_sla_never_receives_internal_notes_but_every_other_ticket_event() -> None:
    policy = event_filter_policy("sla")
    assert not passes(policy, "note.added")
    for event_type in ("ticket.created", "message.added", "ticket.updated", "ticket.assigned", "sla.breached"):
        assert passes(policy, event_type)


def test_routing_never_receives_messages_or_notes() -> None:
    policy = event_filter_policy("routing")
    assert not passes(policy, "message.added")
    assert not passes(policy, "note.added")
    assert passes(policy, "ticket.created") and passes(policy, "agent.available")
