"""SLA alerts to the ops topic: published once per alert event (deliveries are remembered like webhook
deliveries). The ``sla`` queue's table (``chalicelib.bootstrap.handlers``) also sends every ticket event to
``SlaTracker.on_event``."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.storage.ports import DirectoryRepository

ALERTS = ("sla.warning", "sla.breached")
OPS_DELIVERY = "ops-topic"
DELIVERY_TTL_SECONDS = 7 * 24 * 3600


class OpsForwarder:
    def __init__(self, deliveries: DirectoryRepository, topic_arn: str | None, sns: Any = None) -> None:
        self.deliveries = deliveries
        self.topic_arn = topic_arn
        self._sns = sns

    def forward(self, event: dict[str, Any]) -> bool:
        """Publish an SLA alert to the ops topic once (a redelivered event is not published again)."""
        if not self.topic_arn or self.deliveries.was_delivered(OPS_DELIVERY, event["id"]):
            return False
        data = event.get("data") or {}
        kind = "breached" if event["type"] == "sla.breached" else "warning"
        self.sns().publish(
            TopicArn=self.topic_arn,
            Subject=f"SLA {kind}: ticket #{event['ticket']['number']}"[:100],
            Message=json.dumps(
                {
                    "type": event["type"],
                    "ticket": event["ticket"],
                    "metric": data.get("metric"),
                    "due_at": data.get("due_at"),
                    "policy": data.get("policy_name"),
                    "actions": data.get("actions", {}),
                    "occurred_at": event.get("occurred_at"),
                }
            ),
            MessageAttributes={"event_type": {"DataType": "String", "StringValue": event["type"]}},
        )
        self.deliveries.mark_delivered(OPS_DELIVERY, event["id"], DELIVERY_TTL_SECONDS)
        return True

    def sns(self) -> Any:
        if self._sns is None:
            from chalicelib.core.clients import client

            self._sns = client("sns")
        return self._sns
