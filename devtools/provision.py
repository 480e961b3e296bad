"""Creates the AWS resources of one stage on an endpoint (moto), from ``chalicelib.core.resources``:
the same definitions infra/ deploys, so local and AWS cannot drift."""

from __future__ import annotations

import json
from typing import Any

import boto3

from chalicelib.core.resources import (
    EVENT_CONSUMER_QUEUES,
    FEEDBACK_QUEUE,
    INBOUND_QUEUE,
    MAX_RECEIVE_COUNT,
    TABLE,
    Names,
    event_filter_policy,
)
from devtools.localenv import OPS_INBOX


def _client(service: str, endpoint: str, region: str) -> Any:
    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id="local", aws_secret_access_key="local"
    )


def create_table(ddb: Any, table_name: str) -> str:
    """Create the table with every index (unless it exists); return its stream ARN."""
    try:
        return str(ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"])
    except ddb.exceptions.ResourceNotFoundException:
        pass
    attributes = {TABLE.partition_key, TABLE.sort_key}
    for index in TABLE.indexes:
        attributes |= {index.partition_key, index.sort_key}
    ddb.create_table(
        TableName=table_name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        KeySchema=[
            {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
            {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in TABLE.indexes
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": TABLE.stream_view},
    )
    ddb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TABLE.ttl_attribute}
    )
    return str(ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"])


def create_queue(sqs: Any, name: str, dlq_name: str, visibility_timeout: int = 30) -> tuple[str, str]:
    """A queue with its dead-letter queue; returns (queue url, dlq url)."""
    dlq_url = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}),
        },
    )["QueueUrl"]
    return url, dlq_url


def create_ops_inbox(sns: Any, sqs: Any, names: Names) -> tuple[str, str]:
    """The ops topic, and the local inbox queue that takes its messages raw; returns (topic ARN, queue url)."""
    topic_arn = sns.create_topic(Name=names.ops_topic)["TopicArn"]
    url = sqs.create_queue(QueueName=names.queue(OPS_INBOX))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return str(topic_arn), str(url)


def provision(
    names: Names,
    endpoint: str,
    region: str = "us-east-1",
    visibility_timeout: int = 30,
    bucket: str | None = None,
    support_domain: str | None = None,
) -> dict[str, Any]:
    """Create everything (again: it is idempotent); return the stream ARN and the topic and queue addresses."""
    ddb = _client("dynamodb", endpoint, region)
    sns = _client("sns", endpoint, region)
    sqs = _client("sqs", endpoint, region)
    stream_arn = create_table(ddb, names.table)
    topic_arn = sns.create_topic(Name=names.events_topic)["TopicArn"]
    relay_dlq = sqs.create_queue(QueueName=names.relay_dlq)["QueueUrl"]
    queues: dict[str, dict[str, str]] = {}

    def subscribed_queue(purpose: str, topic: str, filter_policy: dict[str, Any] | None = None) -> None:
        url, dlq_url = create_queue(sqs, names.queue(purpose), names.dlq(purpose), visibility_timeout)
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"RawMessageDelivery": "true"}
        if filter_policy:
            attributes["FilterPolicy"] = json.dumps(filter_policy)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        queues[purpose] = {"url": url, "dlq_url": dlq_url}

    for purpose in EVENT_CONSUMER_QUEUES:
        subscribed_queue(purpose, topic_arn, event_filter_policy(purpose))
    # SES publishes received-mail and bounce/complaint notifications to these topics.
    inbound_topic = sns.create_topic(Name=names.inbound_topic)["TopicArn"]
    feedback_topic = sns.create_topic(Name=names.feedback_topic)["TopicArn"]
    subscribed_queue(INBOUND_QUEUE, inbound_topic)
    subscribed_queue(FEEDBACK_QUEUE, feedback_topic)
    ops_topic, ops_inbox = create_ops_inbox(sns, sqs, names)
    if bucket:
        _client("s3", endpoint, region).create_bucket(Bucket=bucket)
    if support_domain:
        # moto refuses unverified senders; in AWS, deploy.md verifies the domain.
        sesv2 = _client("sesv2", endpoint, region)
        if support_domain not in [i["IdentityName"] for i in sesv2.list_email_identities()["EmailIdentities"]]:
            sesv2.create_email_identity(EmailIdentity=support_domain)
        _client("ses", endpoint, region).verify_domain_identity(Domain=support_domain)
    return {
        "stream_arn": stream_arn,
        "topic_arn": topic_arn,
        "inbound_topic_arn": inbound_topic,
        "feedback_topic_arn": feedback_topic,
        "ops_topic_arn": ops_topic,
        "ops_inbox_url": ops_inbox,
        "relay_dlq_url": relay_dlq,
        "queues": queues,
    }
