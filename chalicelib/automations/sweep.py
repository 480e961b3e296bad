"""The per-minute automation sweep: due timers (auto-close, reminders, auto-solve), read from the sparse
``due`` index only, then the team queues (an agent who came online or started their working hours picks up
waiting tickets). Work per run: one Query for due timers, a fixed number of requests per due ticket, and
one Query per team with automatic assignment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.core.resources import DUE_TIMER

if TYPE_CHECKING:
    from chalicelib.bootstrap import Services


def sweep_once(svc: Services) -> dict[str, Any]:
    from collections import Counter

    from chalicelib.automations.keeper import TimerKeeper
    from chalicelib.events.due import each_due
    from chalicelib.routing.service import Router

    results = each_due(svc, DUE_TIMER, TimerKeeper(svc).run_due, "automation failed")
    outcomes = Counter(outcome or "failed" for outcome in results)
    assigned = Router(svc, svc.desk).drain_all()
    return {"due": len(results), "outcomes": dict(outcomes), "assigned_from_queues": assigned}


def sweep() -> dict[str, Any]:
    from chalicelib.bootstrap import services

    return sweep_once(services())
