"""What the ``routing`` queue's handlers report: a log line per decision, a metric per assignment."""

from __future__ import annotations

from typing import Any

from chalicelib.routing.outcomes import Assigned, Drained, Synced


def report(event: dict[str, Any], outcome: object) -> None:
    from chalicelib.core import observability

    if not isinstance(outcome, Synced):
        observability.logger().info("routing", extra={"event": event.get("type"), "outcome": repr(outcome)})
    if isinstance(outcome, Assigned):
        observability.count("TicketsAssigned")
    elif isinstance(outcome, Drained) and outcome.assigned:
        observability.count("TicketsAssigned", outcome.assigned)
