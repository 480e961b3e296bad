"""The local stack's and tests' moto server keeps DynamoDB's guarantees that Lambdesk relies on."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError


def test_the_stream_keeps_flowing_after_a_rolled_back_transaction(table: str, aws: str) -> None:
    ddb = boto3.client("dynamodb", endpoint_url=aws)
    streams = boto3.client("dynamodbstreams", endpoint_url=aws)
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]

    def item(pk: str) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": "X"}}

    ddb.put_item(TableName=table, Item=item("before"))
    with pytest.raises(ClientError):  # the second put's condition fails: the whole transaction rolls back
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": item("phantom")}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": item("before"),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    ddb.put_item(TableName=table, Item=item("after"))
    seen = []
    for _ in range(3):
        page = streams.get_records(ShardIterator=iterator)
        seen += [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
        iterator = page["NextShardIterator"]
    assert seen == ["before", "after"]
