"""moto's TransactWriteItems without a copy of the whole table per item it names.

To back out a failed transaction, moto deep-copies every table the transaction names (once per item that names
it) before it writes, stream shard included. The cost grows with everything the table and its stream ever held:
in the local stack a two-item transaction took 24 ms at 500 items and 500 ms at 3,000 (measured), so
``make run`` and the test session slowed the longer they ran. Here a table's "copy" is a journal of the items the
transaction names, as they were, and of the stream's length; when moto rolls back, the journal puts those items
back and drops the stream records the transaction added. A transaction that succeeds is moto's own code,
unchanged. ``rollback_problems()`` checks on a scratch table that a failing transaction leaves nothing behind.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_local = threading.local()
_lock = threading.Lock()
_installed = False


class Journal:
    """The items a transaction names in one table, as they were before it, and the stream's length."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.before: dict[tuple[Any, Any], tuple[bool, Any]] = {}
        shard = getattr(table, "stream_shard", None)
        self.stream_length = len(shard.items) if shard is not None else None

    def remember(self, op: dict[str, Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        attrs = op.get("Item") or op.get("Key") or {}
        table = self.table
        if table.hash_key_attr not in attrs or (table.range_key_attr and table.range_key_attr not in attrs):
            return  # moto rejects it before writing anything
        range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        key = (DynamoType(attrs[table.hash_key_attr]), range_key)
        if key not in self.before:
            existed = key[0] in table.items
            self.before[key] = (existed, copy.deepcopy(self._item(key)) if existed else None)

    def _item(self, key: tuple[Any, Any]) -> Any:
        partition = self.table.items[key[0]]
        return partition.get(key[1]) if self.table.range_key_attr else partition

    def restore(self) -> Any:
        table = self.table
        for (hash_key, range_key), (existed, item) in self.before.items():
            if not table.range_key_attr:
                if item is not None:
                    table.items[hash_key] = item
                else:
                    table.items.pop(hash_key, None)
                continue
            partition = table.items.get(hash_key)
            if item is not None:
                table.items[hash_key][range_key] = item
            elif partition is not None:
                partition.pop(range_key, None)
                if not partition and not existed:
                    del table.items[hash_key]
        shard = getattr(table, "stream_shard", None)
        if shard is not None and self.stream_length is not None:
            del shard.items[self.stream_length :]
        return table


def install() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    class JournalCopy:
        """Stands in for the ``copy`` module inside moto's transact_write_items: a table 'copy' is a journal."""

        def __init__(self, journals: dict[int, Journal]) -> None:
            self.journals = journals

        def deepcopy(self, obj: Any, memo: Any = None) -> Any:
            if isinstance(obj, Table) and id(obj) in self.journals:
                return self.journals[id(obj)]
            return copy.deepcopy(obj, memo)

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        if not getattr(_local, "enabled", True):
            return original(self, transact_items)
        journals = _journals(self.tables, transact_items)
        with _lock:
            setattr(models, "copy", JournalCopy(journals))  # noqa: B010 - the module moto's code looks "copy" up in
            try:
                return original(self, transact_items)
            finally:
                setattr(models, "copy", copy)  # noqa: B010
                for name, table in list(self.tables.items()):
                    if isinstance(table, Journal):  # rolled back: moto put our journal where the table was
                        self.tables[name] = table.restore()

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _installed = True


def _journals(tables: dict[str, Any], transact_items: list[dict[str, Any]]) -> dict[int, Journal]:
    """A journal per table the transaction names (by the table object's id, as moto's copies are taken)."""
    journals: dict[int, Journal] = {}
    for entry in transact_items:
        op = next(iter(entry.values()), {})
        table = tables.get(op.get("TableName")) if isinstance(op, dict) else None
        if table is not None:
            journals.setdefault(id(table), Journal(table)).remember(op)
    return journals


def enabled(on: bool) -> None:
    """Turn the journal off (moto's own copies) or on again, in this thread: for checks that compare both."""
    _local.enabled = on


def rollback_problems(backend: Any, table_name: str, items: list[dict[str, Any]]) -> list[str]:
    """Run ``items`` (a transaction that must fail) with the journal on; what it left behind, if anything."""
    from moto.dynamodb.exceptions import TransactionCanceledException

    problems = []
    enabled(True)
    before = dump(backend, table_name)
    try:
        backend.transact_write_items(items)
        problems.append("the failing transaction did not fail")
    except TransactionCanceledException:
        pass
    if dump(backend, table_name) != before:
        problems.append("a rolled-back transaction left changes behind")
    return problems


def dump(backend: Any, table_name: str) -> tuple[list[Any], int]:
    """Every item of the table, in key order, and the length of its stream."""
    table = backend.tables[table_name]
    items = sorted(
        (str(h.value), str(r.value), repr(sorted(i.to_json()["Attributes"].items())))
        for h, partition in table.items.items()
        for r, i in partition.items()
    )
    return items, len(table.stream_shard.items)
