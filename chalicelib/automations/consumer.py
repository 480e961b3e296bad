"""The ``automations`` queue's consumer: event triggers (docs/decisions/031-sla-and-automations.md).

For every event, the enabled triggers whose conditions hold run their actions, one write per trigger: field
changes, a canned reply (a macro rendered for the ticket), and a ``trigger.notified`` event that mails the
agents to notify. Each write carries the claim ``TRIGGER#<trigger>#<ticket>#<root cause>``, so a trigger
fires at most once per ticket per original event however the chain continues: triggers cannot loop.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import Duplicate, NotFound
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import Actor, EntryKind, TimelineEntry

if TYPE_CHECKING:
    from chalicelib.automations.triggers import Trigger
    from chalicelib.bootstrap import Services
    from chalicelib.config.store import Snapshot


def run(svc: Services, event: dict[str, Any]) -> list[str]:
    """Run the triggers that match ``event``; return the ids of those that fired."""
    from chalicelib.automations.triggers import matching

    snapshot = svc.desk.snapshot()
    if not snapshot.triggers:
        return []
    try:
        ticket = svc.ticket_repo.get(event["ticket"]["id"])
    except NotFound:
        return []
    fired = []
    for trigger in matching(snapshot.triggers, event, ticket):
        written = fire(svc, trigger, event, snapshot, ticket)
        if written is not None:
            ticket = written  # the next trigger starts from this version instead of reading it again
            fired.append(trigger.id)
    return fired


def fire(svc: Services, trigger: Trigger, event: dict[str, Any], snapshot: Snapshot, known: Ticket) -> Ticket | None:
    """Run one trigger's actions once; the ticket after them, or None when they ran for this cause before."""
    from chalicelib.automations.triggers import action_data, cause_of, claim_key, field_changes, trigger_actor
    from chalicelib.storage.ports import Key

    actor = trigger_actor(trigger.id)
    data = {**action_data(event), "trigger_id": trigger.id, "trigger_name": trigger.name}

    def build(current: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
        after, entries = current.change(actor, now, **field_changes(trigger, current))
        entries = [replace(e, data={**e.data, **data}) for e in entries]
        reply = _canned_reply(svc, trigger, actor, after, now, snapshot, data)
        if reply is not None:
            after = replace(after, updated_at=now)
            entries.append(reply)
        if trigger.actions.notify_agent_ids:
            notice = {**data, "notify_agent_ids": list(trigger.actions.notify_agent_ids)}
            entries.append(TimelineEntry.system(after, "trigger.notified", actor, now, data=notice))
        return after, entries

    key = Key(claim_key(trigger.id, known.id, cause_of(event)), known.id)
    try:
        return svc.tickets.automatic(known.id, build, claims=[key], known=known)
    except Duplicate:
        return None


def _canned_reply(
    svc: Services,
    trigger: Trigger,
    actor: Actor,
    ticket: Ticket,
    now: datetime,
    snapshot: Snapshot,
    data: dict[str, Any],
) -> TimelineEntry | None:
    """The trigger's macro as a public reply (or a note, for an internal macro). It is automatic mail and does
    not count as the agents' first response."""
    from chalicelib.automations.macros import macro_context, render

    macro = snapshot.macros.get(trigger.actions.reply_macro_id or "")
    if macro is None:
        return None
    requester = svc.customer_repo.get_customer(ticket.requester_id)
    text = render(macro, macro_context(ticket, requester.name, requester.email, None))
    kind = EntryKind.MESSAGE if macro.public else EntryKind.NOTE
    entry = TimelineEntry.post(ticket, kind, actor, now, text, None, "automation")
    return replace(entry, data={**data, "macro_id": macro.id})


def trigger_batch(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.bootstrap import services
    from chalicelib.core import observability
    from chalicelib.events.batch import sqs_batch

    svc = services()

    def record_handler(record: Any) -> None:
        event = json.loads(record.body)
        observability.logger().set_correlation_id(event.get("id"))
        fired = run(svc, event)
        if fired:
            observability.logger().info("triggers fired", extra={"event": event.get("type"), "triggers": fired})
            observability.count("TriggersFired", len(fired))

    return sqs_batch(raw_event, record_handler, context)
