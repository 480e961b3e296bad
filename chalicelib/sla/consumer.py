"""The ``sla`` queue's consumer: every ticket event refreshes the ticket's SLA state and automation timer
(one read of the ticket's partition, a write only when something changed), and SLA alerts are forwarded to
the ops topic (once per event: deliveries are remembered like webhook deliveries)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib.core.resources import DUE_SLA, DUE_TIMER

if TYPE_CHECKING:
    from chalicelib.bootstrap import Services

ALERTS = ("sla.warning", "sla.breached")
OPS_DELIVERY = "ops-topic"
DELIVERY_TTL_SECONDS = 7 * 24 * 3600


def track(svc: Services, event: dict[str, Any]) -> None:
    from chalicelib.automations.keeper import TimerKeeper
    from chalicelib.core.errors import NotFound
    from chalicelib.sla.tracker import SlaTracker

    try:
        ticket, timeline, dues = svc.work_repo.ticket_state(event["ticket"]["id"])
    except NotFound:
        return  # a ticket that no longer exists has nothing to track
    SlaTracker(svc, svc.desk).refresh(ticket, timeline, dues.get(DUE_SLA))
    TimerKeeper(svc).refresh(ticket, timeline, dues.get(DUE_TIMER))
    if event.get("type") in ALERTS:
        forward_to_ops(svc, event)


def forward_to_ops(svc: Services, event: dict[str, Any]) -> bool:
    """Publish an SLA alert to the ops topic once (a redelivered event is not published again)."""
    from chalicelib.core.clients import client

    topic = svc.settings.ops_topic_arn
    if not topic or svc.directory_repo.was_delivered(OPS_DELIVERY, event["id"]):
        return False
    data = event.get("data") or {}
    subject = f"SLA {'breached' if event['type'] == 'sla.breached' else 'warning'}: ticket #{event['ticket']['number']}"
    client("sns").publish(
        TopicArn=topic,
        Subject=subject[:100],
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
    svc.directory_repo.mark_delivered(OPS_DELIVERY, event["id"], DELIVERY_TTL_SECONDS)
    return True


def track_batch(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.bootstrap import services
    from chalicelib.core import observability
    from chalicelib.events.batch import sqs_batch

    svc = services()

    def record_handler(record: Any) -> None:
        event = json.loads(record.body)
        observability.logger().set_correlation_id(event.get("id"))
        track(svc, event)

    return sqs_batch(raw_event, record_handler, context)
