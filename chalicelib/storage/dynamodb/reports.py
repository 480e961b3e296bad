"""Report items on the table: daily items added to with ``ADD``, and a marker per counted event.

    report    REPORT#<dimension>#<yyyy-mm>   <yyyy-mm-dd>#<value>   counters (``chalicelib.reports.rollup``)
    marker    REPORTED#<event id>            REPORTED               expires_at (TTL, 15 days)
    report    REPORT#kb#<yyyy-mm>            <yyyy-mm-dd>#all#probable   ``kb_probable`` (read as part of ``all``)
    kbview    KBVIEW#<viewer hash>           VIEW                   due_key KBVIEW + due_at, day; TTL a day

Counters are top-level number attributes (``ADD`` takes only top-level attributes), so one daily item holds
its histograms as ``<metric>_h:<bucket>`` numbers. Adding an event's facts is one TransactWriteItems: the
marker (absent) and one ``ADD`` update per daily item. A redelivered event fails the marker's condition and
adds nothing. ``bump`` is one ``ADD`` alone (the knowledge base's counters, counted in the request that
saw them, on items no transaction touches). A reader's pending view (``chalicelib.reports.kb_probable``) is
one item on the sparse ``due`` index; counting it deletes it (condition: the same ``due_at``, so a view
replaced by a later one, or counted already, adds nothing) and adds ``kb_probable`` in one transaction, on a
shard of the day's ``kb`` item of its own (``#probable`` after the key; read and merged with the item), so the
signals' plain ``ADD`` never meets a transaction on the same item (it would be refused with a conflict).
Written with the low-level client: the attribute names are data, not a pynamodb model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.core.resources import DUE_KB_VIEW
from chalicelib.domain.reports import ALL, KB, DayCounts, PendingView, Tally
from chalicelib.storage import keys

MARKER_SK = "REPORTED"
VIEW_SK = "VIEW"
DUE_INDEX = "due"
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # the due index's sort key (as chalicelib.storage.dynamodb.work writes it)
PROBABLE = "kb_probable"
PROBABLE_SHARD = "#probable"  # the sort key's suffix of the item only the sweep's transactions write
MAX_ITEMS = 100  # TransactWriteItems
CONFLICT_ATTEMPTS = 4  # another writer held a daily item: try again after a short pause


class DynamoReportRepository:
    def __init__(self, table: str, client: Any = None) -> None:
        self.table = table
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from chalicelib.core.clients import client

            self._client = client("dynamodb")
        return self._client

    def add(self, event_id: str, tallies: Sequence[Tally], expires_at: datetime) -> bool:
        if not tallies:
            return True
        items = [self._marker(event_id, expires_at), *(self._update(t) for t in tallies)]
        if len(items) > MAX_ITEMS:
            raise ValueError(f"an event adds to {len(items) - 1} daily items; at most {MAX_ITEMS - 1} fit")
        for attempt in range(CONFLICT_ATTEMPTS):
            outcome = self._write(items)
            if outcome is not None:
                return outcome
            time.sleep(0.05 * (attempt + 1))
        raise RuntimeError(f"report items stayed contended for event {event_id}; SQS will redeliver it")

    def bump(self, tally: Tally) -> None:
        if tally.counts:
            self.client.update_item(**self._update(tally)["Update"])

    def hold_view(self, view: PendingView, expires_at: datetime) -> None:
        item = {
            **self._view_key(view.viewer),
            "due_key": {"S": DUE_KB_VIEW},
            "due_at": {"S": _stamp(view.due_at)},
            "day": {"S": view.day.isoformat()},
            "expires_at": {"N": str(int(expires_at.timestamp()))},
        }
        self.client.put_item(TableName=self.table, Item=item)

    def drop_view(self, viewer: str) -> None:
        self.client.delete_item(TableName=self.table, Key=self._view_key(viewer))

    def due_views(self, now: datetime, limit: int) -> list[PendingView]:
        found = self.client.query(
            TableName=self.table,
            IndexName=DUE_INDEX,
            KeyConditionExpression="due_key = :k AND due_at <= :now",
            ExpressionAttributeValues={":k": {"S": DUE_KB_VIEW}, ":now": {"S": _stamp(now)}},
            Limit=limit,
        )
        return [_pending(item) for item in found.get("Items", [])]

    def count_view(self, view: PendingView) -> bool:
        delete = {
            "Delete": {
                "TableName": self.table,
                "Key": self._view_key(view.viewer),
                "ConditionExpression": "due_at = :due",
                "ExpressionAttributeValues": {":due": {"S": _stamp(view.due_at)}},
            }
        }
        items = [delete, self._update(Tally(KB, ALL, view.day, {PROBABLE: 1}), PROBABLE_SHARD)]
        for attempt in range(CONFLICT_ATTEMPTS):
            outcome = self._write(items)
            if outcome is not None:
                return outcome
            time.sleep(0.05 * (attempt + 1))
        raise RuntimeError(f"the kb report item stayed contended for {view.day}; the next sweep tries again")

    def _view_key(self, viewer: str) -> dict[str, Any]:
        return {"pk": {"S": keys.kb_view(viewer)}, "sk": {"S": VIEW_SK}}

    def _write(self, items: list[dict[str, Any]]) -> bool | None:
        """True: added; False: counted before; None: a conflict with another transaction (try again)."""
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if codes and codes[0] == "ConditionalCheckFailed":
                return False
            if "TransactionConflict" in codes:
                return None
            raise
        return True

    def _marker(self, event_id: str, expires_at: datetime) -> dict[str, Any]:
        item = {
            "pk": {"S": keys.report_counted(event_id)},
            "sk": {"S": MARKER_SK},
            "expires_at": {"N": str(int(expires_at.timestamp()))},
        }
        return {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}

    def _update(self, tally: Tally, shard: str = "") -> dict[str, Any]:
        names = {f"#a{n}": name for n, name in enumerate(tally.counts)}
        values = {f":v{n}": {"N": str(value)} for n, value in enumerate(tally.counts.values())}
        expression = "ADD " + ", ".join(f"#a{n} :v{n}" for n in range(len(names)))
        key = {
            "pk": {"S": keys.report_month(tally.dimension, tally.day.strftime("%Y-%m"))},
            "sk": {"S": _sk(tally) + shard},
        }
        return {
            "Update": {
                "TableName": self.table,
                "Key": key,
                "UpdateExpression": expression,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def days(self, dimension: str, first: date, last: date) -> list[DayCounts]:
        found: list[DayCounts] = []
        paginator = self.client.get_paginator("query")
        for month in _months(first, last):
            pages = paginator.paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues={
                    ":pk": {"S": keys.report_month(dimension, month)},
                    ":lo": {"S": f"{first.isoformat()}#"},
                    ":hi": {"S": f"{last.isoformat()}#~"},
                },
            )
            for page in pages:
                found += [_day_counts(dimension, item) for item in page.get("Items", [])]
        return found


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime(STAMP)


def _pending(item: dict[str, Any]) -> PendingView:
    viewer = item["pk"]["S"].removeprefix(keys.kb_view(""))
    due_at = datetime.strptime(item["due_at"]["S"], STAMP).replace(tzinfo=UTC)
    return PendingView(viewer, date.fromisoformat(item["day"]["S"]), due_at)


def _sk(tally: Tally) -> str:
    return f"{tally.day.isoformat()}#{tally.key}"


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _day_counts(dimension: str, item: dict[str, Any]) -> DayCounts:
    day, _, key = item["sk"]["S"].partition("#")
    key = key.partition("#")[0]  # a shard of the key's item (``all#probable``) counts as the item
    counts = {name: int(value["N"]) for name, value in item.items() if name not in ("pk", "sk") and "N" in value}
    return DayCounts(dimension, key, date.fromisoformat(day), counts)
