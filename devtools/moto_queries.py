"""moto's DynamoDB Query over the queried partition only, not over the whole table sorted.

moto answers every Query by sorting every item of the table (``Table.all_items``) and comparing each: in the
local stack a Query took 6 ms at 500 items and 75 ms at 4,000 (measured), so ``make run`` and the test session
slowed as tables filled. Here moto's own query code runs unchanged on the candidates, in the same order: the
queried partition, or, through an index, the items whose index partition key equals the queried value (and,
with a sort-key condition, that satisfy it). Every item moto would have kept is a candidate, so it returns what
it returned before; ``bench.motofast.verify()`` compares both on a scratch table (``tests/unit/test_moto_queries.py``).
"""

from __future__ import annotations

import threading
from typing import Any

_local = threading.local()
_installed = False


def install() -> None:
    """Patch moto's DynamoDB tables in this process (idempotent)."""
    global _installed
    if not _installed:
        _narrow_queries()
        _installed = True


def enabled(on: bool) -> None:
    """Turn the narrowing off (moto's own Query) or on again, in this thread: for checks that compare both."""
    _local.enabled = on


def _candidates(
    table: Any,
    hash_key: Any,
    index_name: str | None,
    hash_conds: Any,
    range_comparison: Any,
    range_objs: Any,
    range_conds: Any,
) -> list[Any] | None:
    """A superset of the items moto's query keeps, or None to let moto look at everything."""
    if not table.range_key_attr:
        return None  # partitions of one item: nothing to narrow
    if index_name is None:
        if hash_key is None:
            return None
        return list(table.items.get(hash_key, {}).values())
    if not hash_conds or (range_conds and len(range_conds) > 1):
        return None
    index = {i.name: i for i in table.all_indexes()}.get(index_name)
    ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"] if index else []
    range_attr = (range_conds[-1][0] if range_conds else (ranges[0] if ranges else None)) if range_comparison else None
    found = []
    for partition in table.items.values():
        for item in partition.values():
            attrs = item.attrs
            if not all(_equal(attrs.get(name), value) for name, value in hash_conds):
                continue
            if range_attr is not None:
                value = attrs.get(range_attr)
                if value is None or not value.compare(range_comparison, range_objs):
                    continue
            found.append(item)
    return found


def _equal(value: Any, expected: Any) -> bool:
    if value is None:
        return False
    if expected.type == "S":
        return bool(value.type == "S" and value.value == expected.value)
    return bool(value == expected)


def _narrow_queries() -> None:
    from moto.dynamodb.models.table import Table

    original_query, original_all_items = Table.query, Table.all_items

    def query(self: Any, hash_key: Any, range_comparison: Any, range_objs: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[4] if len(args) > 4 else kwargs.get("index_name")
        found = None
        if getattr(_local, "enabled", True):
            found = _candidates(
                self,
                hash_key,
                index_name,
                kwargs.get("hash_key_conditions"),
                range_comparison,
                range_objs,
                kwargs.get("range_key_conditions"),
            )
        _local.candidates = found
        try:
            return original_query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
        finally:
            _local.candidates = None

    def all_items(self: Any) -> list[Any]:
        found = getattr(_local, "candidates", None)
        if found is None:
            return list(original_all_items(self))
        return sorted(found, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)

    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
