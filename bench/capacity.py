"""DynamoDB capacity units computed from item sizes, by the rules of the DynamoDB Developer Guide.

moto returns ``ConsumedCapacity``, but as fixed placeholders (GetItem and UpdateItem 0.5, PutItem and
Query 1.0 whatever the item size) and not at all for TransactWriteItems, so the benchmark computes what
DynamoDB on-demand would charge:

* item size: attribute names + values (strings and binary by bytes; numbers 1 byte per two significant
  digits + 1; booleans and nulls 1; lists and maps 3 bytes + 1 byte per element + the elements);
* reads: 4 KB units, half a unit when eventually consistent (every GSI read), twice when transactional;
  a Query rounds the sum of the items it read, GetItem and BatchGetItem round each item; a read that
  finds nothing still costs the minimum unit;
* writes: 1 KB units of the larger of the item before and after; twice when transactional;
* global secondary indexes (ALL projection): a table write that puts an item into an index costs one
  index write, one that removes it one, one that changes the index key two (delete + put), one that
  changes only other attributes one; an unchanged item none. Index writes are charged at the standard
  rate even inside a transaction (an assumption: the guide does not say).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

READ_UNIT = 4096
WRITE_UNIT = 1024

AttributeValue = Mapping[str, Any]
ItemImage = Mapping[str, AttributeValue]


@dataclass(frozen=True)
class IndexKey:
    name: str
    partition_key: str
    sort_key: str


def number_size(text: str) -> int:
    mantissa = text.strip().lstrip("+-").lower().partition("e")[0]
    digits = mantissa.replace(".", "").strip("0")
    return (max(len(digits), 1) + 1) // 2 + 1


def _binary_size(value: Any) -> int:
    if isinstance(value, bytes | bytearray):
        return len(value)
    return len(base64.b64decode(value))


def value_size(value: AttributeValue) -> int:
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return number_size(inner)
    if kind == "B":
        return _binary_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(number_size(n) for n in inner)
    if kind == "BS":
        return sum(_binary_size(b) for b in inner)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: ItemImage | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def read_units(size: int, *, consistent: bool = False, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / READ_UNIT))
    if transactional:
        return 2.0 * units
    return float(units) if consistent else units / 2


def write_units(size: int, *, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / WRITE_UNIT))
    return float(units * (2 if transactional else 1))


def _index_entry(item: ItemImage | None, index: IndexKey) -> tuple[Any, Any] | None:
    if not item or index.partition_key not in item or index.sort_key not in item:
        return None
    return (item[index.partition_key], item[index.sort_key])


def index_write_units(before: ItemImage | None, after: ItemImage | None, indexes: Iterable[IndexKey]) -> float:
    if before == after:
        return 0.0
    old_size, new_size = item_size(before), item_size(after)
    total = 0.0
    for index in indexes:
        old, new = _index_entry(before, index), _index_entry(after, index)
        if old is None and new is None:
            continue
        if old is None:
            total += write_units(new_size)
        elif new is None:
            total += write_units(old_size)
        elif old != new:
            total += write_units(old_size) + write_units(new_size)
        else:
            total += write_units(max(old_size, new_size))
    return total


@dataclass(frozen=True)
class Units:
    read: float = 0.0
    write_table: float = 0.0
    write_indexes: float = 0.0
    approximate: bool = False

    @property
    def total(self) -> float:
        return self.read + self.write_table + self.write_indexes

    def __add__(self, other: Units) -> Units:
        return Units(
            self.read + other.read,
            self.write_table + other.write_table,
            self.write_indexes + other.write_indexes,
            self.approximate or other.approximate,
        )


def item_write(
    before: ItemImage | None, after: ItemImage | None, indexes: Iterable[IndexKey], *, transactional: bool = False
) -> Units:
    size = max(item_size(before), item_size(after))
    return Units(
        write_table=write_units(size, transactional=transactional),
        write_indexes=index_write_units(before, after, indexes),
    )


def query_read(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    """Query or Scan: the sum of the items read, rounded once. Items a filter dropped are estimated."""
    items = parsed.get("Items", [])
    total = sum(item_size(i) for i in items)
    scanned, count = parsed.get("ScannedCount", len(items)), parsed.get("Count", len(items))
    approximate = scanned > count
    if approximate:
        average = total / len(items) if items else 0
        total += int(average * (scanned - count))
    consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
    return Units(read=read_units(total, consistent=consistent), approximate=approximate)
