"""SQS consumers, run through the powertools batch utility: each failed record is reported on its own
(partial batch response) and retried by SQS; the others are not redelivered."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from chalicelib.webhooks.dispatcher import WebhookDispatcher


@cache
def dispatcher() -> WebhookDispatcher:
    from chalicelib.bootstrap import services
    from chalicelib.core.signing import signing_key

    svc = services()
    return WebhookDispatcher(
        svc.directory_repo,
        signing_key(),
        svc.settings.webhook_timeout_seconds,
        svc.settings.webhooks_allow_private,
    )


def sqs_batch(raw_event: dict[str, Any], record_handler: Any, context: Any = None) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    result = process_partial_response(
        event=raw_event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(result)


def deliver_webhook_record(record: Any) -> None:
    from chalicelib.core import observability

    event = json.loads(record.body)
    observability.logger().set_correlation_id(event.get("id"))
    deliveries = dispatcher().deliver(event)
    for delivery in deliveries:
        observability.logger().info(
            "webhook", extra={"webhook_id": delivery.webhook_id, "outcome": delivery.outcome, "status": delivery.status}
        )
    observability.count("WebhooksDelivered", sum(1 for d in deliveries if d.outcome == "delivered"))


def deliver_webhooks(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return sqs_batch(raw_event, deliver_webhook_record, context)
