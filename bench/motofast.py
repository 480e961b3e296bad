"""Shortcuts for moto's DynamoDB at 100,000+ items, for the bench's own moto process only (``--fast``).

moto evaluates every Query by sorting the whole table (``Table.all_items``) and comparing every item, copies
the whole table for every TransactWriteItems (to roll back on failure), and checks an item's size once per
attribute while it builds it. At 200,000 items that is about 5 s per Query and 20 s per transaction. Here:

* **Query** reads only the candidates: the queried partition, or, through an index, the items whose index
  partition key equals the queried value (and, with a sort-key condition, that satisfy it). moto's own query
  code then runs unchanged on those candidates, in the same order, so it returns what it returned before:
  every item it would have kept is a candidate (``devtools.moto_queries``, which the local stack and the test
  session use as well).
* **TransactWriteItems** remembers the items the transaction names and the stream's length instead of
  copying the table, and puts them back when moto rolls the transaction back (``devtools.moto_journal``,
  which the local stack and the test session use as well).
* **building an item** checks its size once, on the whole item (sizes only grow, so the outcome is the same).

``verify()`` runs a set of queries and a failing transaction on a scratch table with and without the
shortcuts and compares the results; the server reports the outcome, and the bench records it as a self-check.
"""

from __future__ import annotations

from typing import Any

from devtools import moto_queries


def install() -> None:
    from devtools import moto_journal

    moto_queries.install()
    moto_journal.install()
    _size_checked_once()


# -- Query ---------------------------------------------------------------------------------------


# -- TransactWriteItems: devtools.moto_journal (the local stack and the test session use it too) ----------


# -- item size -------------------------------------------------------------------------------------


def _size_checked_once() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    def init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        built = dynamo_type.LimitedSizeDict()
        dict.update(built, {key: dynamo_type.DynamoType(value) for key, value in attrs.items()})
        if sum(bytesize(k) + v.size() for k, v in built.items()) > 405000:  # moto's limit, as in LimitedSizeDict
            raise ItemSizeTooLarge
        self.attrs = built

    dynamo_type.Item.__init__ = init  # type: ignore[method-assign]


# -- self-check ------------------------------------------------------------------------------------


def verify() -> list[str]:
    """Queries and a failing transaction on a scratch table, with and without the shortcuts; the differences."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    from chalicelib.core.resources import TABLE

    backend = DynamoDBBackend("us-east-1", "000000000000")
    attributes = sorted({"pk", "sk", "due_key", "due_at", "dir_pk", "dir_sk"})
    backend.tables["verify"] = Table(
        "verify",
        account_id="000000000000",
        region="us-east-1",
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        attr=[{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        global_indexes=[
            {
                "IndexName": i.name,
                "KeySchema": [
                    {"AttributeName": i.partition_key, "KeyType": "HASH"},
                    {"AttributeName": i.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for i in TABLE.indexes
            if i.name in ("due", "directory")
        ],
        streams={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    for n in range(300):
        item = {"pk": {"S": f"T#{n % 40:03d}"}, "sk": {"S": f"E#{n:04d}"}, "n": {"N": str(n)}}
        if n % 3:
            item |= {"due_key": {"S": "SLA" if n % 2 else "TIMER"}, "due_at": {"S": f"2026-01-01T00:{n % 60:02d}"}}
        if n % 5 == 0:
            item |= {"dir_pk": {"S": "AGENTS"}, "dir_sk": {"S": f"{n:04d}"}}
        backend.put_item("verify", item)
    queries: list[dict[str, Any]] = [
        {"hash_key_dict": {"S": "T#007"}, "range_comparison": None, "range_value_dicts": []},
        {"hash_key_dict": {"S": "T#007"}, "range_comparison": "BEGINS_WITH", "range_value_dicts": [{"S": "E#01"}]},
        {"hash_key_dict": {"S": "T#999"}, "range_comparison": None, "range_value_dicts": []},
        {
            "hash_key_dict": None,
            "range_comparison": "<=",
            "range_value_dicts": [{"S": "2026-01-01T00:30"}],
            "index_name": "due",
            "hash_key_conditions": [("due_key", {"S": "SLA"})],
            "range_key_conditions": [("due_at", "<=", [{"S": "2026-01-01T00:30"}])],
        },
        {
            "hash_key_dict": None,
            "range_comparison": None,
            "range_value_dicts": [],
            "index_name": "directory",
            "hash_key_conditions": [("dir_pk", {"S": "AGENTS"})],
        },
    ]
    problems = _query_problems(backend, queries) + _transaction_problems(backend)
    moto_queries.enabled(True)
    return problems


def _query_problems(backend: Any, queries: list[dict[str, Any]]) -> list[str]:
    """Each query's pages with the shortcuts off and on: where they differ."""
    problems = []
    for number, query in enumerate(queries):
        for limit, forward in ((None, True), (7, False)):
            pages = {}
            for enabled in (False, True):
                moto_queries.enabled(enabled)
                pages[enabled] = _pages(backend, query, limit, forward)
            if pages[False] != pages[True]:
                problems.append(f"query {number} (limit {limit}) differs")
    return problems


def _transaction_problems(backend: Any) -> list[str]:
    """A transaction that must fail, with the journal on: it fails and leaves nothing behind."""
    from devtools import moto_journal

    problems = moto_journal.rollback_problems(
        backend,
        "verify",
        [
            {"Put": {"TableName": "verify", "Item": {"pk": {"S": "T#001"}, "sk": {"S": "E#0001"}}}},
            {"Put": {"TableName": "verify", "Item": {"pk": {"S": "NEW"}, "sk": {"S": "X"}}}},
            {"Delete": {"TableName": "verify", "Key": {"pk": {"S": "T#002"}, "sk": {"S": "E#0002"}}}},
            {
                "ConditionCheck": {
                    "TableName": "verify",
                    "Key": {"pk": {"S": "T#003"}, "sk": {"S": "E#0003"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ],
    )
    moto_journal.enabled(True)
    return problems


def _pages(backend: Any, query: dict[str, Any], limit: int | None, forward: bool) -> list[Any]:
    found: list[Any] = []
    start = None
    while True:
        items, scanned, last = backend.query(
            "verify",
            query["hash_key_dict"],
            query["range_comparison"],
            query["range_value_dicts"],
            limit,
            start,
            forward,
            None,
            index_name=query.get("index_name"),
            hash_key_conditions=query.get("hash_key_conditions"),
            range_key_conditions=query.get("range_key_conditions"),
        )
        found.append(([i.to_json() for i in items], scanned, last))
        if not last or limit is None:
            return found
        start = last
