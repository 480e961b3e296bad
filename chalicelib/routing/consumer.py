"""The ``routing`` queue's consumer: ticket events -> routing rules, assignment, agents' loads; agents coming
online -> their teams' waiting tickets."""

from __future__ import annotations

import json
from typing import Any


def route_batch(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.bootstrap import services
    from chalicelib.core import observability
    from chalicelib.events.batch import sqs_batch
    from chalicelib.routing.service import Router

    svc = services()
    router = Router(svc, svc.desk)  # one per batch: the agent listing it reads is fresh for each batch

    def record_handler(record: Any) -> None:
        event = json.loads(record.body)
        observability.logger().set_correlation_id(event.get("id"))
        outcome = router.handle(event)
        if outcome != "ignored":
            observability.logger().info("routing", extra={"event": event.get("type"), "outcome": outcome})
        if outcome.startswith("assigned"):
            observability.count("TicketsAssigned")
        elif outcome.startswith("drained:") and (assigned := int(outcome.removeprefix("drained:"))):
            observability.count("TicketsAssigned", assigned)

    return sqs_batch(raw_event, record_handler, context)
