"""The per-minute SLA sweep: alerts for what fell due, read from the sparse ``due`` index only.

Its DynamoDB work is one Query for the due items plus a fixed number of requests per due ticket, whatever
the size of the table. A ticket whose alert fails stays due and is retried by the next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.resources import DUE_SLA

if TYPE_CHECKING:
    from chalicelib.wiring import Services

# Per run; the rest waits a minute (an alert storm cannot run a function past its timeout).
BATCH = 200


def sweep_once(svc: Services) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import observability
    from chalicelib.errors import DomainError
    from chalicelib.sla.tracker import SlaTracker

    tracker = SlaTracker(svc, svc.desk)
    due = svc.work_repo.due(DUE_SLA, svc.desk.clock(), BATCH)
    fired, failed = 0, 0
    for item in due:
        try:
            fired += len(tracker.fire_due(item.ticket_id))
        except (DomainError, BotoCoreError, ClientError):
            failed += 1
            observability.logger().exception("SLA alert failed", extra={"ticket_id": item.ticket_id})
    observability.count("SlaSweepDue", len(due))
    return {"due": len(due), "fired": fired, "failed": failed}


def sweep() -> dict[str, Any]:
    from chalicelib.wiring import services

    return sweep_once(services())
