"""The ``webhooks`` queue's handler: every event to every subscribed webhook (``WebhookDispatcher``)."""

from __future__ import annotations

from typing import Any

from chalicelib.webhooks.dispatcher import Delivery, WebhookDispatcher


def deliver(dispatcher: WebhookDispatcher, event: dict[str, Any]) -> list[Delivery]:
    from chalicelib.core import observability

    deliveries = dispatcher.deliver(event)
    for delivery in deliveries:
        observability.logger().info(
            "webhook", extra={"webhook_id": delivery.webhook_id, "outcome": delivery.outcome, "status": delivery.status}
        )
    observability.count("WebhooksDelivered", sum(1 for d in deliveries if d.outcome == "delivered"))
    return deliveries
