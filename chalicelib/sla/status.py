"""A ticket's SLA as the tracker last stored it: the pinned policy and each target's clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.core.resources import DUE_SLA
from chalicelib.storage.ports import TicketRepository, WorkRepository


@dataclass(frozen=True)
class TicketSla:
    policy_id: str | None = None
    policy_version: int | None = None
    policy_name: str | None = None
    next_due_at: datetime | None = None
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)


class SlaStatus:
    def __init__(self, tickets: TicketRepository, work: WorkRepository) -> None:
        self.tickets = tickets
        self.work = work

    def of(self, ticket_id: str) -> TicketSla:
        """Raises NotFound for an unknown ticket; a ticket no policy applies to has an empty status."""
        self.tickets.get(ticket_id)
        item = self.work.get_due(DUE_SLA, ticket_id)
        if item is None:
            return TicketSla()
        state = item.state
        return TicketSla(
            policy_id=state.get("policy_id"),
            policy_version=state.get("policy_version"),
            policy_name=state.get("policy_name"),
            next_due_at=item.due_at,
            metrics=dict(state.get("metrics") or {}),
        )
