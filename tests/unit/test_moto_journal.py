"""The local stack's moto rolls a failed transaction back from a journal, not from a copy of the table."""

from __future__ import annotations

from typing import Any

import pytest
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from devtools import moto_journal


def backend_with(table: str, *, range_key: bool, items: int) -> DynamoDBBackend:
    backend = DynamoDBBackend("us-east-1", "000000000000")
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "S"})
    backend.tables[table] = Table(
        table,
        account_id="000000000000",
        region="us-east-1",
        schema=schema,
        attr=attrs,
        streams={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for n in range(items):
        item = {"pk": {"S": f"T#{n % 7}" if range_key else f"T#{n}"}, "n": {"N": str(n)}}
        if range_key:
            item["sk"] = {"S": f"E#{n:03d}"}
        backend.put_item(table, item)
    return backend


def failing(table: str, *, range_key: bool) -> list[dict[str, Any]]:
    def key(pk: str, sk: str) -> dict[str, Any]:
        return {"pk": {"S": pk}} | ({"sk": {"S": sk}} if range_key else {})

    return [
        {"Put": {"TableName": table, "Item": key("T#1", "E#001") | {"n": {"N": "-1"}}}},  # overwrites
        {"Put": {"TableName": table, "Item": key("NEW", "X")}},  # a new partition
        {"Delete": {"TableName": table, "Key": key("T#2", "E#002")}},
        {
            "Update": {
                "TableName": table,
                "Key": key("T#3", "E#003"),
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "99"}},
            }
        },
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": key("T#4", "E#004"),
                "ConditionExpression": "attribute_not_exists(pk)",  # it exists: the transaction is cancelled
            }
        },
    ]


def items_and_stream(backend: DynamoDBBackend, table: str) -> tuple[list[str], int]:
    t = backend.tables[table]
    partitions = t.items.values()
    flat = [i for p in partitions for i in (p.values() if t.range_key_attr else [p])]
    return sorted(repr(sorted(i.to_json()["Attributes"].items())) for i in flat), len(t.stream_shard.items)


@pytest.mark.parametrize("range_key", [True, False], ids=["pk+sk", "pk only"])
def test_a_cancelled_transaction_leaves_the_table_and_its_stream_as_they_were(range_key: bool) -> None:
    moto_journal.install()
    backend = backend_with("t", range_key=range_key, items=40)
    before = items_and_stream(backend, "t")
    table = backend.tables["t"]

    with pytest.raises(TransactionCanceledException):
        backend.transact_write_items(failing("t", range_key=range_key))

    assert items_and_stream(backend, "t") == before
    assert backend.tables["t"] is table  # restored in place: open stream iterators keep reading the same shard


def test_a_transaction_that_succeeds_writes_every_item_and_its_stream_records() -> None:
    moto_journal.install()
    backend = backend_with("t", range_key=True, items=10)
    _, records = items_and_stream(backend, "t")

    backend.transact_write_items(failing("t", range_key=True)[:4])  # without the failing condition

    table = backend.tables["t"]
    assert table.get_item(*keys("T#1", "E#001")).attrs["n"].value == "-1"
    assert table.get_item(*keys("NEW", "X")) is not None
    assert table.get_item(*keys("T#2", "E#002")) is None
    assert table.get_item(*keys("T#3", "E#003")).attrs["n"].value == "99"
    assert len(table.stream_shard.items) == records + 4


def keys(pk: str, sk: str) -> tuple[Any, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType({"S": pk}), DynamoType({"S": sk})


def test_the_rollback_check_finds_a_transaction_that_does_not_fail() -> None:
    moto_journal.install()
    backend = backend_with("t", range_key=True, items=10)
    assert moto_journal.rollback_problems(backend, "t", failing("t", range_key=True)) == []
    assert moto_journal.rollback_problems(backend, "t", failing("t", range_key=True)[:1]) == [
        "the failing transaction did not fail",
        "a rolled-back transaction left changes behind",
    ]
