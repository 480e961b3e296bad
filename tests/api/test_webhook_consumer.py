"""The webhooks consumer, invoked as Lambda would invoke it, delivering to a real HTTP receiver on 127.0.0.1.

Events are the timeline entries that API calls produced (what the stream relay would publish), wrapped in
SQS records that each carry their own messageId, as SQS sends them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.timeline import TimelineEntry
from chalicelib.events.envelope import envelope
from tests.api.contract import Api
from tests.api.support import Desk
from tests.conftest import free_port
from tests.webhook_receiver import Receiver, webhook_receiver

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:lambdesk-test-webhooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def sqs_event(entries: list[TimelineEntry]) -> tuple[dict[str, Any], list[str]]:
    """An SQS batch of event envelopes (raw SNS delivery), one distinct messageId per record."""
    records, message_ids = [], []
    for entry in entries:
        body = json.dumps(envelope(entry), separators=(",", ":"))
        message_id = str(uuid.uuid4())
        message_ids.append(message_id)
        records.append(
            {
                "messageId": message_id,
                "receiptHandle": f"receipt-{message_id}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(int(time.time() * 1000)),
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": QUEUE_ARN,
                "awsRegion": "us-east-1",
            }
        )
    return {"Records": records}, message_ids


def deliver(client: Any, event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = client.lambda_.invoke("deliver_webhooks", event).payload
    return response


def failures(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def subscribe(api: Api, url: str, *events: str) -> dict[str, Any]:
    reply = api.post("/v1/webhooks", json={"url": url, "events": list(events)})
    assert reply.status == 201, reply.json
    hook: dict[str, Any] = reply.json
    return hook


def verifies(secret: str, signature_header: str, body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in signature_header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.{body.decode()}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@pytest.fixture
def activity(desk: Desk, admin_api: Api, memory_svc: Any) -> list[TimelineEntry]:
    """ticket.created, message.added (the request); message.added, ticket.updated (a reply that opens it)."""
    ticket = desk.ticket()
    assert admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "On it", "version": 1}).status == 201
    entries: list[TimelineEntry] = list(memory_svc.ticket_repo.published)
    assert sorted(e.event for e in entries) == ["message.added", "message.added", "ticket.created", "ticket.updated"]
    return entries


def test_each_event_is_posted_signed_with_the_secret_returned_at_creation(
    client: Any, admin_api: Api, receiver: Receiver, activity: list[TimelineEntry]
) -> None:
    hook = subscribe(admin_api, f"{receiver.url}/hook", "*")
    event, _ = sqs_event(activity)
    started = int(time.time())

    assert failures(deliver(client, event)) == []

    assert [(r.path, r.event_type, r.event_id) for r in receiver.requests] == [
        ("/hook", e.event, e.id) for e in activity
    ]
    for request, entry in zip(receiver.requests, activity, strict=True):
        assert request.headers["Content-Type"] == "application/json"
        signature = request.headers["X-Lambdesk-Signature"]
        timestamp = int(signature.split(",")[0].removeprefix("t="))
        assert started - 5 <= timestamp <= time.time() + 5
        assert verifies(hook["secret"], signature, request.body)
        # the event as every consumer gets it, but the reports' chain (internal: domain/report_chain.py)
        public = {k: v for k, v in envelope(entry).items() if k != "report"}
        assert json.loads(request.body) == json.loads(json.dumps(public))
    assert any("report" in envelope(entry) for entry in activity)
    # The check can fail: another secret or an altered body does not verify.
    first = receiver.requests[0]
    assert not verifies("whsec_" + "0" * 64, first.headers["X-Lambdesk-Signature"], first.body)
    assert not verifies(hook["secret"], first.headers["X-Lambdesk-Signature"], first.body.replace(b"}", b" }", 1))


def test_a_redelivered_record_is_posted_only_once(
    client: Any, admin_api: Api, receiver: Receiver, activity: list[TimelineEntry]
) -> None:
    subscribe(admin_api, f"{receiver.url}/hook", "*")
    event, _ = sqs_event(activity[:1])

    assert failures(deliver(client, event)) == []
    assert failures(deliver(client, event)) == []

    assert [r.event_id for r in receiver.requests] == [activity[0].id]


def test_a_refused_event_fails_only_its_own_record_and_a_retry_posts_only_that_event(
    client: Any, admin_api: Api, receiver: Receiver, activity: list[TimelineEntry]
) -> None:
    subscribe(admin_api, f"{receiver.url}/hook", "*")
    event, message_ids = sqs_event(activity)
    refused = activity[2]
    receiver.refuse.add(refused.id)

    response = deliver(client, event)

    assert failures(response) == [message_ids[2]]
    assert [r.event_id for r in receiver.requests] == [e.id for e in activity]

    receiver.refuse.clear()
    receiver.requests.clear()
    assert failures(deliver(client, event)) == []  # the whole batch again: only the failed one is posted
    assert [r.event_id for r in receiver.requests] == [refused.id]


def test_an_unreachable_receiver_fails_every_record(client: Any, admin_api: Api, activity: list[TimelineEntry]) -> None:
    subscribe(admin_api, f"http://127.0.0.1:{free_port()}/nobody-listens", "*")
    event, message_ids = sqs_event(activity)
    assert failures(deliver(client, event)) == message_ids


def test_subscriptions_receive_only_the_event_types_they_name(
    client: Any, admin_api: Api, receiver: Receiver, activity: list[TimelineEntry]
) -> None:
    subscribe(admin_api, f"{receiver.url}/tickets", "ticket.*")
    subscribe(admin_api, f"{receiver.url}/messages", "message.added")
    subscribe(admin_api, f"{receiver.url}/updates", "ticket.updated")
    event, _ = sqs_event(activity)

    assert failures(deliver(client, event)) == []

    assert [(r.event_type, r.event_id) for r in receiver.of("/tickets")] == [
        (e.event, e.id) for e in activity if e.event.startswith("ticket.")
    ]
    assert [r.event_id for r in receiver.of("/messages")] == [e.id for e in activity if e.event == "message.added"]
    assert [r.event_id for r in receiver.of("/updates")] == [e.id for e in activity if e.event == "ticket.updated"]
    assert "message.added" not in {r.event_type for r in receiver.of("/tickets")}


def test_a_deleted_webhook_receives_nothing(
    client: Any, admin_api: Api, receiver: Receiver, activity: list[TimelineEntry]
) -> None:
    subscribe(admin_api, f"{receiver.url}/kept", "*")
    gone = subscribe(admin_api, f"{receiver.url}/gone", "*")
    assert admin_api.delete(f"/v1/webhooks/{gone['id']}").status == 204
    event, _ = sqs_event(activity)

    assert failures(deliver(client, event)) == []
    assert {r.path for r in receiver.requests} == {"/kept"}
    assert len(receiver.requests) == len(activity)


def test_a_record_that_is_not_an_event_fails_alone(
    client: Any, admin_api: Api, receiver: Receiver, activity: list[TimelineEntry]
) -> None:
    subscribe(admin_api, f"{receiver.url}/hook", "*")
    event, message_ids = sqs_event(activity[:2])
    event["Records"][0]["body"] = "not json"

    assert failures(deliver(client, event)) == [message_ids[0]]
    assert [r.event_id for r in receiver.requests] == [activity[1].id]
