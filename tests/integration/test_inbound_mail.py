"""Inbound mail on moto: raw mail in S3, the SES notification through SNS and SQS, the worker calling the
same ``ingest_mail`` handler Lambda calls, and the tickets it makes in DynamoDB."""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import boto3
import pytest

from chalicelib.core.resources import INBOUND_QUEUE, Names
from chalicelib.mailflow.notices import notice_body
from devtools.worker import Worker

BUCKET = "lambdesk-test-mail-local"
DOMAIN = "support.example.com"


@pytest.fixture(scope="module")
def stage_resources(moto_url: str) -> dict[str, Any]:
    from devtools.provision import provision

    return provision(Names("test"), moto_url, bucket=BUCKET, support_domain=DOMAIN)


@pytest.fixture
def desk(stage_resources: dict[str, Any], aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from tests.conftest import reset_caches

    monkeypatch.setenv("LAMBDESK_EVENTS_TOPIC_ARN", stage_resources["topic_arn"])
    monkeypatch.setenv("LAMBDESK_MAIL_BUCKET", BUCKET)
    reset_caches()
    svc = bootstrap.dynamodb_container(get_settings())
    bootstrap.use(svc)
    worker = Worker(importlib.import_module("app"), stage_resources["stream_arn"], aws)
    worker.handlers = {k: v for k, v in worker.handlers.items() if k == Names("test").queue(INBOUND_QUEUE)}
    yield {
        "svc": svc,
        "worker": worker,
        "resources": stage_resources,
        "sqs": boto3.client("sqs"),
        "s3": boto3.client("s3"),
        "sns": boto3.client("sns"),
    }
    bootstrap.use(None)


def send(desk: dict[str, Any], message: EmailMessage | bytes, key: str | None = None) -> str:
    """What SES does for a received mail: raw into S3, the notification to the inbound topic."""
    key = key or f"raw/{uuid.uuid4().hex}"
    raw = message if isinstance(message, bytes) else message.as_bytes()
    desk["s3"].put_object(Bucket=BUCKET, Key=key, Body=raw)
    desk["sns"].publish(
        TopicArn=desk["resources"]["inbound_topic_arn"],
        Message=notice_body(BUCKET, key, key.rsplit("/", 1)[-1], [f"help@{DOMAIN}"]),
    )
    return key


def customer_mail(subject: str, body: str = "Hello", sender: str = "olga@customer.example") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, f"help@{DOMAIN}", subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@customer.example>"
    msg.set_content(body)
    return msg


def requester_tickets(desk: dict[str, Any], email: str) -> list[Any]:
    return desk["svc"].tickets.requester_view(email, 50, None, active_only=False).items


def test_a_received_mail_becomes_a_ticket_through_sns_sqs_and_the_handler(desk: dict[str, Any]) -> None:
    message = customer_mail("Parcel lost", "Where is parcel 77?", sender="olga@customer.example")
    send(desk, message)
    desk["worker"].drain()
    [ticket] = requester_tickets(desk, "olga@customer.example")
    _, timeline = desk["svc"].tickets.get(ticket.id)
    assert ticket.subject == "Parcel lost" and ticket.channel == "email"
    assert timeline[1].body_text == "Where is parcel 77?"
    assert desk["svc"].mail_repo.ticket_for_message_id(message["Message-ID"].strip("<>")) == ticket.id


def test_a_redelivered_notification_and_a_repeated_object_make_one_message(desk: dict[str, Any]) -> None:
    message = customer_mail("Twice", sender="twice@customer.example")
    key = send(desk, message)
    send(desk, message, key=key)  # the same S3 object announced again
    desk["worker"].drain()
    tickets = requester_tickets(desk, "twice@customer.example")
    assert len(tickets) == 1
    _, timeline = desk["svc"].tickets.get(tickets[0].id)
    assert [e.event for e in timeline].count("message.added") == 1


def test_a_notification_whose_raw_mail_is_missing_ends_in_the_dead_letter_queue(desk: dict[str, Any]) -> None:
    queue = desk["resources"]["queues"][INBOUND_QUEUE]
    desk["sqs"].set_queue_attributes(QueueUrl=queue["url"], Attributes={"VisibilityTimeout": "0"})
    try:
        desk["sns"].publish(
            TopicArn=desk["resources"]["inbound_topic_arn"],
            Message=notice_body(BUCKET, "raw/never-written", "never-written", [f"help@{DOMAIN}"]),
        )
        desk["worker"].drain(max_cycles=20)
        dead = desk["sqs"].receive_message(QueueUrl=queue["dlq_url"], MaxNumberOfMessages=10)["Messages"]
        assert [json.loads(m["Body"])["receipt"]["action"]["objectKey"] for m in dead] == ["raw/never-written"]
        for m in dead:
            desk["sqs"].delete_message(QueueUrl=queue["dlq_url"], ReceiptHandle=m["ReceiptHandle"])
    finally:
        desk["sqs"].set_queue_attributes(QueueUrl=queue["url"], Attributes={"VisibilityTimeout": "30"})


def test_unparseable_mail_is_quarantined_with_its_raw_kept(desk: dict[str, Any]) -> None:
    key = send(desk, b"")
    desk["worker"].drain()
    records = [r for r in desk["svc"].mail_repo.list_quarantine(100).items if r.key == key]
    assert [(r.reason, r.bucket) for r in records] == [("unparseable", BUCKET)]
    assert desk["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read() == b""


def test_agents_download_attachments_by_presigned_url(desk: dict[str, Any]) -> None:
    import urllib.request

    from chalice.test import Client

    from app import app
    from tests.conftest import make_token

    message = customer_mail("Invoice attached", sender="pdf@customer.example")
    message.add_attachment(b"%PDF-1.7 invoice 4411", maintype="application", subtype="pdf", filename="invoice.pdf")
    send(desk, message)
    desk["worker"].drain()
    [ticket] = requester_tickets(desk, "pdf@customer.example")
    agent = desk["svc"].directory.create_agent(f"{uuid.uuid4().hex[:8]}@desk.example", "Ada")
    with Client(app) as client:
        response = client.http.get(f"/v1/tickets/{ticket.id}", headers={"Authorization": f"Bearer {make_token(agent)}"})
    assert response.status_code == 200
    [attachment] = json.loads(response.body)["timeline"][1]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("invoice.pdf", 21)
    assert "X-Amz-Signature=" in attachment["url"] and "X-Amz-Expires=900" in attachment["url"]
    with urllib.request.urlopen(attachment["url"], timeout=10) as download:
        assert download.read() == b"%PDF-1.7 invoice 4411"


def test_replay_reprocesses_quarantined_mail_after_a_fix(desk: dict[str, Any]) -> None:
    from devtools.queues import replay_mail

    key = f"raw/{uuid.uuid4().hex}"
    desk["s3"].put_object(
        Bucket=BUCKET, Key=key, Body=customer_mail("False alarm", sender="fp@customer.example").as_bytes()
    )
    desk["sns"].publish(
        TopicArn=desk["resources"]["inbound_topic_arn"],
        Message=notice_body(BUCKET, key, key[4:], [f"help@{DOMAIN}"], verdict="FAIL"),
    )
    desk["worker"].drain()
    assert [r.reason for r in desk["svc"].mail_repo.list_quarantine(100).items if r.key == key] == ["virus"]
    assert requester_tickets(desk, "fp@customer.example") == []
    queue = desk["resources"]["queues"][INBOUND_QUEUE]
    counts = replay_mail(
        desk["sqs"],
        desk["sns"],
        desk["svc"].mail_repo,
        desk["resources"]["inbound_topic_arn"],
        queue["url"],
        queue["dlq_url"],
        BUCKET,
        f"help@{DOMAIN}",
        reason="virus",
    )
    assert counts["quarantine_released"] >= 1
    desk["worker"].drain()
    assert [t.subject for t in requester_tickets(desk, "fp@customer.example")] == ["False alarm"]
    assert key not in [r.key for r in desk["svc"].mail_repo.list_quarantine(100).items]
