"""The local stack's moto answers a Query from the queried partition, and answers what moto alone answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto.dynamodb.models.table import Table

from bench import motofast
from devtools import moto_queries
from tests.unit.test_moto_journal import backend_with


@pytest.fixture
def examined(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many items each Query looked at (what ``Table.all_items`` gave moto's query loop)."""
    moto_queries.install()
    seen: list[int] = []
    narrowed = Table.all_items

    def spy(self: Any) -> list[Any]:
        items: list[Any] = narrowed(self)
        seen.append(len(items))
        return items

    monkeypatch.setattr(Table, "all_items", spy)
    yield seen
    moto_queries.enabled(True)


def query(backend: Any, partition: str) -> list[str]:
    items, _, _ = backend.query("t", {"S": partition}, None, [], None, None, True, None)
    return [i.attrs["sk"].value for i in items]


def test_a_query_looks_at_its_partition_only_and_finds_what_moto_finds(examined: list[int]) -> None:
    backend = backend_with("t", range_key=True, items=70)  # 10 items in each of 7 partitions

    narrowed = query(backend, "T#3")
    moto_queries.enabled(False)
    whole = query(backend, "T#3")

    assert narrowed == whole == sorted(whole) and len(whole) == 10
    assert examined == [10, 70]


def test_indexes_and_pages_give_what_moto_gives() -> None:
    moto_queries.install()
    assert motofast.verify() == []
