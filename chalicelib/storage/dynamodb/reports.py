"""Report items on the table: daily items added to with ``ADD``, and a marker per counted event.

    report    REPORT#<dimension>#<yyyy-mm>   <yyyy-mm-dd>#<value>   counters (``chalicelib.reports.rollup``)
    marker    REPORTED#<event id>            REPORTED               expires_at (TTL, 15 days)
    kept      REPORTKEPT#<ticket id>         KEPT                   after (entry id), doc (JSON): ``reports.kept``
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

import json
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.core.resources import DUE_KB_VIEW
from chalicelib.domain.reports import ALL, KB, DayCounts, KeptReplay, PendingView, Tally
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.storage import keys

MARKER_SK = "REPORTED"
VIEW_SK = "VIEW"
DUE_INDEX = "due"
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # the due index's sort key (as chalicelib.storage.dynamodb.work writes it)
PROBABLE = "kb_probable"
PROBABLE_SHARD = "#probable"  # the sort key's suffix of the item only the sweep's transactions write
MAX_ITEMS = 100  # TransactWriteItems
KEPT_SK = "KEPT"
KEPT_BEHIND = "kept"
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

    def add(
        self, event_id: str, tallies: Sequence[Tally], expires_at: datetime, keep: KeptReplay | None = None
    ) -> bool:
        if not tallies:
            return True
        items = [self._marker(event_id, expires_at), *(self._update(t) for t in tallies)]
        if len(items) + 1 > MAX_ITEMS:
            raise ValueError(f"an event adds to {len(items) - 1} daily items; at most {MAX_ITEMS - 2} fit")
        for attempt in range(CONFLICT_ATTEMPTS):
            outcome = self._write([*items, self._kept(keep)] if keep is not None else items)
            if outcome == KEPT_BEHIND:
                keep, outcome = None, None  # the kept replay is at or past this entry: add without it
                continue
            if outcome is not None:
                return bool(outcome)
            time.sleep(0.05 * (attempt + 1))
        raise RuntimeError(f"report items stayed contended for event {event_id}; SQS will redeliver it")

    def keep(self, kept: KeptReplay) -> bool:
        try:
            self.client.put_item(**self._kept(kept)["Put"])
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def kept(self, ticket_id: str, entry_id: str) -> tuple[KeptReplay | None, TimelineEntry | None]:
        from chalicelib.storage.dynamodb.mapping import ENTRY_PREFIX, item_to_entry, ticket_pk
        from chalicelib.storage.dynamodb.models import EntryItem

        state_key = self._kept_key(ticket_id)
        entry_key = {"pk": {"S": ticket_pk(ticket_id)}, "sk": {"S": f"{ENTRY_PREFIX}{entry_id}"}}
        found = self.client.batch_get_item(RequestItems={self.table: {"Keys": [state_key, entry_key]}})
        kept: KeptReplay | None = None
        entry: TimelineEntry | None = None
        for item in found.get("Responses", {}).get(self.table, []):
            if item["pk"]["S"] == state_key["pk"]["S"]:
                kept = KeptReplay(ticket_id, item["after"]["S"], json.loads(item["doc"]["S"]))
            elif item.get("kind", {}).get("S") == "entry":
                entry = item_to_entry(EntryItem.from_raw_data(item))
        # Unprocessed keys (throttling) read as absent: the consumer then replays the timeline.
        return kept, entry

    def _kept_key(self, ticket_id: str) -> dict[str, Any]:
        return {"pk": {"S": keys.report_kept(ticket_id)}, "sk": {"S": KEPT_SK}}

    def _kept(self, keep: KeptReplay) -> dict[str, Any]:
        item = {
            **self._kept_key(keep.ticket_id),
            "after": {"S": keep.after},
            "doc": {"S": json.dumps(keep.doc, separators=(",", ":"))},
        }
        return {
            "Put": {
                "TableName": self.table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk) OR #after < :after",
                "ExpressionAttributeNames": {"#after": "after"},
                "ExpressionAttributeValues": {":after": {"S": keep.after}},
            }
        }

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
                return bool(outcome)
            time.sleep(0.05 * (attempt + 1))
        raise RuntimeError(f"the kb report item stayed contended for {view.day}; the next sweep tries again")

    def _view_key(self, viewer: str) -> dict[str, Any]:
        return {"pk": {"S": keys.kb_view(viewer)}, "sk": {"S": VIEW_SK}}

    def _write(self, items: list[dict[str, Any]]) -> bool | str | None:
        """True: added; False: counted before; None: a conflict with another transaction (try again);
        ``KEPT_BEHIND``: only the kept replay's condition failed (it is at or past this entry)."""
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if codes and codes[0] == "ConditionalCheckFailed":
                return False
            if "TransactionConflict" in codes:
                return None
            kept_last = items[-1].get("Put", {}).get("Item", {}).get("sk") == {"S": KEPT_SK}
            if kept_last and codes and codes[-1] == "ConditionalCheckFailed":
                return KEPT_BEHIND
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
