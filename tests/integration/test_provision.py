"""The local stack's resources on moto: what ``devtools.provision`` creates beyond the app's own queues."""

from __future__ import annotations

import importlib
from typing import Any

import boto3
import pytest

from chalicelib.core.resources import Names
from devtools.localenv import ACCOUNT, REGION, LocalEnv

STAGE = "provision"


@pytest.fixture(scope="module")
def provisioned(moto_url: str) -> dict[str, Any]:
    from devtools.provision import provision

    return provision(Names(STAGE), moto_url)


def _clients(moto_url: str) -> tuple[Any, Any]:
    kwargs = {"endpoint_url": moto_url, "region_name": REGION}
    return boto3.client("sns", **kwargs), boto3.client("sqs", **kwargs)


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
        messages += batch
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    return messages


def test_the_ops_topic_is_where_the_local_app_publishes(provisioned: dict[str, Any]) -> None:
    env = LocalEnv(stage=STAGE)
    assert provisioned["ops_topic_arn"] == env.ops_topic_arn == env.environ()["LAMBDESK_OPS_TOPIC_ARN"]
    assert provisioned["ops_topic_arn"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:lambdesk-{STAGE}-ops"


def test_what_ops_would_get_arrives_raw_in_the_ops_inbox(provisioned: dict[str, Any], moto_url: str) -> None:
    sns, sqs = _clients(moto_url)
    inbox = provisioned["ops_inbox_url"]
    assert inbox == sqs.get_queue_url(QueueName=f"lambdesk-{STAGE}-ops-inbox")["QueueUrl"]
    assert inbox.endswith("/" + LocalEnv(stage=STAGE).ops_inbox_queue)
    _drain(sqs, inbox)
    sns.publish(TopicArn=provisioned["ops_topic_arn"], Message='{"type": "sla.breached"}', Subject="SLA")
    assert [m["Body"] for m in _drain(sqs, inbox)] == ['{"type": "sla.breached"}']


def test_provisioning_again_keeps_one_subscription_per_queue(provisioned: dict[str, Any], moto_url: str) -> None:
    from devtools.provision import provision

    again = provision(Names(STAGE), moto_url)
    assert again["ops_topic_arn"] == provisioned["ops_topic_arn"]
    assert again["ops_inbox_url"] == provisioned["ops_inbox_url"]
    sns, sqs = _clients(moto_url)
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=provisioned["ops_topic_arn"])["Subscriptions"]
    assert [s["Endpoint"].rsplit(":", 1)[-1] for s in subscriptions] == [f"lambdesk-{STAGE}-ops-inbox"]
    _drain(sqs, provisioned["ops_inbox_url"])
    sns.publish(TopicArn=provisioned["ops_topic_arn"], Message="once")
    assert [m["Body"] for m in _drain(sqs, provisioned["ops_inbox_url"])] == ["once"]


def test_no_function_consumes_the_ops_inbox() -> None:
    from devtools.worker import sqs_handlers

    handled = sqs_handlers(importlib.import_module("app"))
    assert handled, "the app has SQS consumers"
    assert not [name for name in handled if name.endswith("-ops-inbox")]
