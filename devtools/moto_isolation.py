"""Make moto's DynamoDB writes take turns, as DynamoDB's are isolated.

moto backs out a failed TransactWriteItems by restoring a deep copy of the tables it touched, taken when the
transaction started. With concurrent clients (the local stack's API, worker pollers and ticker; concurrent
tests) that copy can race other writes: the copy fails with a 500 ("dictionary changed size during
iteration"), or the restore undoes writes other clients made meanwhile. DynamoDB never does either
(transactions are serializable). One lock around moto's write operations gives the same guarantee.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

WRITES = ("transact_write_items", "put_item", "update_item", "delete_item", "batch_write_item")
_LOCK = threading.RLock()
_applied = False


def serialize_writes() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent)."""
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in WRITES:
        setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
    _applied = True


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return call
