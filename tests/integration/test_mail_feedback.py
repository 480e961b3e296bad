"""SES bounce and complaint notifications through ``feedback_batch`` into the suppression list on DynamoDB (moto).

The notifications are shaped as SES publishes them: identity notifications (``notificationType``) and
configuration-set events (``eventType``), delivered raw or inside an SNS envelope.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.bootstrap.handlers import mail_feedback as feedback_batch
from chalicelib.storage.ports import Suppression
from devtools.worker import sqs_lambda_event

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:lambdesk-test-feedback"


@pytest.fixture(scope="module")
def shared_table(moto_url: str) -> str:
    from devtools.provision import create_table

    name = f"lambdesk-test-{uuid.uuid4().hex[:10]}"
    create_table(boto3.client("dynamodb", endpoint_url=moto_url, region_name="us-east-1"), name)
    return name


@pytest.fixture
def repo(aws: str, shared_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The mail repository on the module's table, installed in the app's services."""
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from chalicelib.storage.dynamodb.models import Item, bind
    from tests.conftest import reset_caches

    monkeypatch.setenv("LAMBDESK_TABLE_NAME", shared_table)
    reset_caches()
    if Item.Meta.table_name != shared_table or getattr(Item.Meta, "host", None) != aws:
        bind(shared_table, "us-east-1", aws)
    svc = bootstrap.dynamodb_container(get_settings(), bind_models=False)
    bootstrap.use(svc)
    yield svc.mail_repo
    bootstrap.use(None)


def stamp(seconds: int = 0) -> str:
    """An SES timestamp, a few seconds ago (suppressions run from it)."""
    at = datetime.now(UTC) - timedelta(seconds=60 - seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def address() -> str:
    return f"r-{uuid.uuid4().hex[:10]}@customer.example"


def sent_mail(to: list[str]) -> dict[str, Any]:
    return {
        "timestamp": stamp(),
        "messageId": "0100018e0b5c7a11-6f1f3c1e-8d0b-4a6b-9c4e-1d2e3f4a5b6c-000000",
        "source": "Lambdesk Support <help@support.example.com>",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/support.example.com",
        "sendingAccountId": "123456789012",
        "destination": to,
        "headersTruncated": False,
        "commonHeaders": {"from": ["Lambdesk Support <help@support.example.com>"], "to": to, "subject": "Re: [#1] x"},
    }


def bounce(recipients: list[str], bounce_type: str = "Permanent", sub_type: str = "General") -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "feedbackId": "0100018e0b5c7b22-feedback-000000",
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [
                {
                    "emailAddress": r,
                    "action": "failed",
                    "status": "5.1.1" if bounce_type == "Permanent" else "4.2.2",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
                for r in recipients
            ],
            "timestamp": stamp(1),
            "remoteMtaIp": "192.0.2.10",
            "reportingMTA": "dsn; a8-30.smtp-out.amazonses.com",
        },
        "mail": sent_mail(recipients),
    }


def complaint(recipient: str, feedback_type: str = "abuse") -> dict[str, Any]:
    return {
        "notificationType": "Complaint",
        "complaint": {
            "userAgent": "ExampleMail Feedback Loop (V0.01)",
            "complainedRecipients": [{"emailAddress": recipient}],
            "complaintFeedbackType": feedback_type,
            "arrivalDate": stamp(2),
            "timestamp": stamp(3),
            "feedbackId": "0100018e0b5c7c33-feedback-000000",
        },
        "mail": sent_mail([recipient]),
    }


def sns_envelope(message: dict[str, Any]) -> dict[str, Any]:
    """What the queue receives when the subscription does not use raw message delivery."""
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:lambdesk-test-feedback",
        "Message": json.dumps(message),
        "Timestamp": stamp(4),
        "SignatureVersion": "1",
    }


def deliver(*bodies: object) -> list[str]:
    messages = [
        {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "r", "Body": b if isinstance(b, str) else json.dumps(b)}
        for b in bodies
    ]
    result = feedback_batch(sqs_lambda_event(messages, QUEUE_ARN))
    return [f["itemIdentifier"] for f in result["batchItemFailures"]]


def days_left(suppression: Suppression | None) -> float:
    assert suppression is not None
    return (suppression.until - datetime.now(UTC)).total_seconds() / 86400


def test_a_permanent_bounce_suppresses_every_bounced_recipient_for_about_a_month(repo: Any) -> None:
    first, second = address(), address()
    assert deliver(bounce([first, second.upper()])) == []
    for recipient in (first, second):
        assert 29.9 < days_left(repo.suppression(recipient)) < 30
    assert repo.suppression(first).reason == "bounce:Permanent/General:5.1.1"


def test_a_transient_or_undetermined_bounce_suppresses_nobody(repo: Any) -> None:
    full, unknown = address(), address()
    assert deliver(bounce([full], "Transient", "MailboxFull"), bounce([unknown], "Undetermined", "Undetermined")) == []
    assert repo.suppression(full) is None and repo.suppression(unknown) is None


def test_a_complaint_in_an_sns_envelope_suppresses_for_a_year_unless_it_says_not_spam(repo: Any) -> None:
    angry, happy = address(), address()
    assert deliver(sns_envelope(complaint(angry)), sns_envelope(complaint(happy, "not-spam"))) == []
    assert 364.9 < days_left(repo.suppression(angry)) < 365
    assert repo.suppression(happy) is None


def test_configuration_set_events_are_read_like_identity_notifications(repo: Any) -> None:
    recipient = address()
    event = bounce([recipient])
    event["eventType"] = event.pop("notificationType")
    event["mail"]["tags"] = {"ses:configuration-set": ["lambdesk-test"], "kind": ["reply"]}
    assert deliver(event) == []
    assert repo.suppression(recipient) is not None


def test_a_bounce_never_shortens_a_complaints_year_and_a_redelivery_changes_nothing(repo: Any) -> None:
    recipient = address()
    reported = complaint(recipient)
    assert deliver(reported) == []
    before = repo.suppression(recipient)
    assert deliver(bounce([recipient]), reported) == []
    assert repo.suppression(recipient) == before


def test_deliveries_are_ignored_and_garbage_fails_only_its_own_record(repo: Any) -> None:
    recipient = address()
    delivery = {"notificationType": "Delivery", "delivery": {"recipients": [recipient]}, "mail": sent_mail([recipient])}
    body = "this is not json"
    messages = [
        {"MessageId": "good", "ReceiptHandle": "r", "Body": json.dumps(delivery)},
        {"MessageId": "bad", "ReceiptHandle": "r", "Body": body},
        {"MessageId": "typeless", "ReceiptHandle": "r", "Body": json.dumps({"hello": "world"})},
    ]
    result = feedback_batch(sqs_lambda_event(messages, QUEUE_ARN))
    assert sorted(f["itemIdentifier"] for f in result["batchItemFailures"]) == ["bad", "typeless"]
    assert repo.suppression(recipient) is None


def test_an_expired_suppression_is_renewed_by_a_new_bounce(repo: Any) -> None:
    recipient = address()
    repo.suppress(Suppression(recipient, "bounce", datetime.now(UTC) - timedelta(days=1)))
    assert repo.suppression(recipient) is None
    assert deliver(bounce([recipient])) == []
    assert days_left(repo.suppression(recipient)) > 29
