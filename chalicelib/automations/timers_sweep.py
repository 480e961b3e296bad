"""The per-minute automation sweep: due timers (auto-close, reminders, auto-solve), read from the sparse
``due`` index only, then the team queues (an agent who came online or started their working hours picks up
waiting tickets). Work per run: one Query for due timers, a fixed number of requests per due ticket, and
one Query per team with automatic assignment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.resources import DUE_TIMER

if TYPE_CHECKING:
    from chalicelib.wiring import Services

BATCH = 200


def sweep_once(svc: Services) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import observability
    from chalicelib.automations.keeper import TimerKeeper
    from chalicelib.errors import DomainError
    from chalicelib.routing.service import Router

    keeper = TimerKeeper(svc)
    due = svc.work_repo.due(DUE_TIMER, keeper.clock(), BATCH)
    outcomes: dict[str, int] = {}
    for item in due:
        try:
            outcome = keeper.run_due(item.ticket_id)
        except (DomainError, BotoCoreError, ClientError):
            outcome = "failed"
            observability.logger().exception("automation failed", extra={"ticket_id": item.ticket_id})
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assigned = Router(svc, svc.desk).drain_all()
    return {"due": len(due), "outcomes": outcomes, "assigned_from_queues": assigned}


def sweep() -> dict[str, Any]:
    from chalicelib.wiring import services

    return sweep_once(services())
