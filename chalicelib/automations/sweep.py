"""The per-minute automation sweep: due timers (auto-close, reminders, auto-solve), read from the sparse
``due`` index only. Work per run: one Query for due timers and a fixed number of requests per due ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.core.resources import DUE_TIMER

if TYPE_CHECKING:
    from chalicelib.automations.keeper import TimerKeeper


def sweep(keeper: TimerKeeper) -> dict[str, Any]:
    from collections import Counter

    from chalicelib.events.due import each_due

    results = each_due(keeper.work, keeper.clock, DUE_TIMER, keeper.run_due, "automation failed")
    outcomes = Counter(outcome or "failed" for outcome in results)
    return {"due": len(results), "outcomes": dict(outcomes)}
