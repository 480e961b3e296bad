"""The per-minute SLA sweep: alerts for what fell due, read from the sparse ``due`` index only.

Its DynamoDB work is one Query for the due items plus a fixed number of requests per due ticket, whatever
the size of the table. A ticket whose alert fails stays due and is retried by the next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.core.resources import DUE_SLA

if TYPE_CHECKING:
    from chalicelib.sla.tracker import SlaTracker


def sweep(tracker: SlaTracker) -> dict[str, Any]:
    from chalicelib.core import observability
    from chalicelib.events.due import each_due

    results = each_due(tracker.work, tracker.clock, DUE_SLA, tracker.fire_due, "SLA alert failed")
    observability.count("SlaSweepDue", len(results))
    fired = sum(len(alerts) for alerts in results if alerts is not None)
    return {"due": len(results), "fired": fired, "failed": results.count(None)}
