"""Creates the AWS resources of one stage on an endpoint (moto), from ``chalicelib.resources``:
the same definitions infra/ deploys, so local and AWS cannot drift."""

from __future__ import annotations

import json
from typing import Any

import boto3

from chalicelib.resources import EVENT_CONSUMER_QUEUES, MAX_RECEIVE_COUNT, TABLE, Names


def _client(service: str, endpoint: str, region: str) -> Any:
    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id="local", aws_secret_access_key="local"
    )


def create_table(ddb: Any, table_name: str) -> str:
    """Create the table with every index; return its stream ARN."""
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


def provision(names: Names, endpoint: str, region: str = "us-east-1", visibility_timeout: int = 30) -> dict[str, Any]:
    """Create everything; return what the worker needs (stream ARN, queue URLs)."""
    ddb = _client("dynamodb", endpoint, region)
    sns = _client("sns", endpoint, region)
    sqs = _client("sqs", endpoint, region)
    stream_arn = create_table(ddb, names.table)
    topic_arn = sns.create_topic(Name=names.events_topic)["TopicArn"]
    relay_dlq = sqs.create_queue(QueueName=names.relay_dlq)["QueueUrl"]
    queues: dict[str, dict[str, str]] = {}
    for purpose in EVENT_CONSUMER_QUEUES:
        url, dlq_url = create_queue(sqs, names.queue(purpose), names.dlq(purpose), visibility_timeout)
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        queues[purpose] = {"url": url, "dlq_url": dlq_url}
    return {"stream_arn": stream_arn, "topic_arn": topic_arn, "relay_dlq_url": relay_dlq, "queues": queues}
