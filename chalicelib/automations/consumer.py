"""Event triggers (docs/decisions/031-sla-and-automations.md), run by the ``automations`` queue.

For every event, the enabled triggers whose conditions hold run their actions, one write per trigger: field
changes, a canned reply (a macro rendered for the ticket), and a ``trigger.notified`` event that mails the
agents to notify. Each write carries the claim ``TRIGGER#<trigger>#<ticket>#<root cause>``, so a trigger
fires at most once per ticket per original event however the chain continues: triggers cannot loop.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import Duplicate, NotFound
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import Actor, EntryKind, TimelineEntry

if TYPE_CHECKING:
    from chalicelib.automations.config import AutomationConfig
    from chalicelib.automations.triggers import Trigger
    from chalicelib.storage.ports import CustomerRepository, TicketRepository
    from chalicelib.tickets.service import TicketService


class TriggerRunner:
    def __init__(
        self,
        tickets: TicketRepository,
        writer: TicketService,
        customers: CustomerRepository,
        config: AutomationConfig,
    ) -> None:
        self.tickets = tickets
        self.writer = writer
        self.customers = customers
        self.config = config

    def on_event(self, event: dict[str, Any]) -> list[str]:
        """Run the triggers that match ``event``; return the ids of those that fired."""
        from chalicelib.automations.triggers import candidates, matching

        triggers = candidates(self.config.triggers(), event)
        if not triggers:
            return []  # no trigger's event conditions hold: the ticket is not read
        try:
            ticket = self.tickets.get(event["ticket"]["id"])
        except NotFound:
            return []
        fired = []
        for trigger in matching(triggers, event, ticket):
            written = self.fire(trigger, event, ticket)
            if written is not None:
                ticket = written  # the next trigger starts from this version instead of reading it again
                fired.append(trigger.id)
        return fired

    def fire(self, trigger: Trigger, event: dict[str, Any], known: Ticket) -> Ticket | None:
        """Run one trigger's actions once; the ticket after them, or None when they ran for this cause before."""
        from chalicelib.automations.triggers import action_data, cause_of, claim_key, field_changes
        from chalicelib.domain.timeline import trigger_actor
        from chalicelib.storage.ports import Key

        actor = trigger_actor(trigger.id)
        data = {**action_data(event), "trigger_id": trigger.id, "trigger_name": trigger.name}

        def build(current: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            after, entries = current.change(actor, now, **field_changes(trigger, current))
            entries = [replace(e, data={**e.data, **data}) for e in entries]
            reply = self._canned_reply(trigger, actor, after, now, data)
            if reply is not None:
                after = replace(after, updated_at=now)
                entries.append(reply)
            if trigger.actions.notify_agent_ids:
                notice = {**data, "notify_agent_ids": list(trigger.actions.notify_agent_ids)}
                entries.append(TimelineEntry.system(after, "trigger.notified", actor, now, data=notice))
            return after, entries

        key = Key(claim_key(trigger.id, known.id, cause_of(event)), known.id)
        try:
            return self.writer.automatic(known.id, build, claims=[key], known=known)
        except Duplicate:
            return None

    def _canned_reply(
        self, trigger: Trigger, actor: Actor, ticket: Ticket, now: datetime, data: dict[str, Any]
    ) -> TimelineEntry | None:
        """The trigger's macro as a public reply (or a note, for an internal macro). It is automatic mail and
        does not count as the agents' first response."""
        from chalicelib.automations.macros import macro_context, render

        macro = self.config.macros().get(trigger.actions.reply_macro_id or "")
        if macro is None:
            return None
        requester = self.customers.get_customer(ticket.requester_id)
        text = render(macro, macro_context(ticket, requester.name, requester.email, None))
        kind = EntryKind.MESSAGE if macro.public else EntryKind.NOTE
        entry = TimelineEntry.post(ticket, kind, actor, now, text, None, "automation")
        return replace(entry, data={**data, "macro_id": macro.id})


def report(event: dict[str, Any], fired: object) -> None:
    from chalicelib.core import observability

    if isinstance(fired, list) and fired:
        observability.logger().info("triggers fired", extra={"event": event.get("type"), "triggers": fired})
        observability.count("TriggersFired", len(fired))
