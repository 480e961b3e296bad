"""Shared plumbing: transactions, lookups, pages, and the translation of DynamoDB errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import DomainError
from chalicelib.domain.views import Page
from chalicelib.storage.dynamodb.models import Item, LookupItem

T = TypeVar("T")
M = TypeVar("M", bound=Item)

LOOKUP_SK = "LOOKUP"
# The transaction item at a position failed its condition -> the domain error to raise.
ErrorFor = Callable[[int], DomainError]


@contextmanager
def transaction(error_for: ErrorFor) -> Iterator[TransactWrite]:
    """A TransactWriteItems; a failed condition becomes the domain error ``error_for(position)``."""
    try:
        with TransactWrite(connection=Item._get_connection().connection) as txn:
            yield txn
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        for position, reason in enumerate(reasons):
            if reason is not None and reason.code == "ConditionalCheckFailed":
                raise error_for(position) from exc
        raise


def put_new(item: Item, error: DomainError) -> None:
    """PutItem that must not overwrite: a taken key raises ``error``."""
    try:
        item.save(condition=Item.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise error from exc
        raise


def get_item(cls: type[M], pk: str, sk: str, missing: DomainError | None, consistent: bool = False) -> M | None:
    try:
        return cls.get(pk, sk, consistent_read=consistent)
    except DoesNotExist as exc:
        if missing is not None:
            raise missing from exc
        return None


def lookup(key: str) -> str | None:
    """The id a unique key (identity, domain, number, ...) points to."""
    item = get_item(LookupItem, key, LOOKUP_SK, None)
    return item.target_id if item else None


def lookups(keys: Sequence[str]) -> dict[str, str]:
    """The ids unique keys point to (missing keys left out), in one BatchGetItem."""
    return {item.pk: item.target_id for item in LookupItem.batch_get([(k, LOOKUP_SK) for k in dict.fromkeys(keys)])}


def lookup_item(key: str, target_id: str) -> LookupItem:
    return LookupItem(key, LOOKUP_SK, target_id=target_id)


def page(results: ResultIterator[Any], convert: Callable[[Any], T]) -> Page[T]:
    items = [convert(item) for item in results]
    return Page(items, results.last_evaluated_key)


def directory(dir_pk: str, limit: int, start: dict[str, str] | None, convert: Callable[[Any], T]) -> Page[T]:
    results = Item.idx_directory.query(  # type: ignore[attr-defined]
        dir_pk, limit=limit, page_size=limit, last_evaluated_key=start
    )
    return page(results, convert)
