"""Make moto's DynamoDB operations take turns, as DynamoDB's writes are isolated.

moto backs out a failed TransactWriteItems by restoring a deep copy of the tables it touched, taken when the
transaction started. With concurrent clients (the local stack's API, worker pollers and ticker; concurrent
tests) that copy can race other writes: the copy fails with a 500 ("dictionary changed size during
iteration"), or the restore undoes writes other clients made meanwhile. DynamoDB never does either
(transactions are serializable). One lock around moto's operations gives the same guarantee. And after a
rollback, stream readers must follow the restored table's shard, or the table's stream goes silent.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.RLock()
_applied = False


def serialize_writes() -> None:
    """Patch moto's DynamoDB and DynamoDB Streams backends in this process (idempotent). Reads take turns too:
    the rollback copy walks every item, and reads of a stream advance its shard."""
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    from devtools import moto_journal, moto_queries

    moto_journal.install()  # before the lock wraps it: the journal's rollback happens inside the turn
    moto_queries.install()
    for backend in (DynamoDBBackend, DynamoDBStreamsBackend):
        for name, member in list(vars(backend).items()):
            if callable(member) and not name.startswith("_"):
                setattr(backend, name, _serialized(member))
    _follow_rolled_back_shards()
    _applied = True


def _follow_rolled_back_shards() -> None:
    """A rolled-back transaction replaces the table with its copy, stream shard included, but open shard
    iterators keep reading the old shard object and never see another record. Make every read resolve the
    table's current shard (same id and sequence numbers: the copy is the shard as it was)."""
    from moto.dynamodbstreams.models import ShardIterator

    original = ShardIterator.get

    def get(self: Any, limit: int = 1000) -> dict[str, Any]:
        with _LOCK:
            table = self.streams_backend.dynamodb.tables.get(self.stream_shard.table.name)
            if table is not None and table.stream_shard is not None:
                self.stream_shard = table.stream_shard
            result: dict[str, Any] = original(self, limit)
            return result

    ShardIterator.get = get  # type: ignore[method-assign]


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return call
