"""MailRepository on DynamoDB."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.domain.views import Page
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.models import CounterItem, Item, LookupItem
from chalicelib.storage.dynamodb.slice_models import QuarantineItem, SendItem, SuppressionItem
from chalicelib.storage.ports import QuarantineRecord, Suppression

SEND_RECORD_DAYS = 30
# A failed ingest keeps its ticket number this long for its retries (the inbound queue keeps a message 4 days).
RESERVATION_DAYS = 7


def _record(item: QuarantineItem) -> QuarantineRecord:
    return QuarantineRecord(item.key, item.reason, item.detail or "", item.received_at, item.bucket or "")


class DynamoMailRepository:
    def ingested(self, key: str) -> str | None:
        return base.lookup(keys.inbound(key))

    def record_outcome(self, key: str, outcome: str) -> bool:
        try:
            base.lookup_item(keys.inbound(key), outcome).save(condition=Item.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def ticket_for_message_id(self, message_id: str) -> str | None:
        return base.lookup(keys.email_id(message_id))

    def remember_message_id(self, message_id: str, ticket_id: str) -> None:
        base.lookup_item(keys.email_id(message_id), ticket_id).save()

    def quarantine(self, record: QuarantineRecord) -> None:
        QuarantineItem(
            keys.quarantine(record.key),
            "QUARANTINE",
            key=record.key,
            bucket=record.bucket or None,
            reason=record.reason,
            detail=record.detail[:2000] or None,
            received_at=record.received_at,
            dir_pk="QUARANTINE",
            dir_sk=f"{record.received_at.isoformat()}#{record.key}",
        ).save()

    def list_quarantine(self, limit: int, start: dict[str, Any] | None = None) -> Page[QuarantineRecord]:
        return base.directory("QUARANTINE", limit, start, _record)

    def release_quarantine(self, key: str) -> None:
        QuarantineItem(keys.quarantine(key), "QUARANTINE").delete()
        LookupItem(keys.inbound(key), base.LOOKUP_SK).delete()

    def suppress(self, suppression: Suppression) -> None:
        address = suppression.address.lower()
        SuppressionItem(
            keys.suppression(address),
            "SUPPRESS",
            address=address,
            reason=suppression.reason,
            until=suppression.until,
            expires_at=suppression.until,
        ).save()

    def suppression(self, address: str) -> Suppression | None:
        item = base.get_item(SuppressionItem, keys.suppression(address.lower()), "SUPPRESS", None)
        if item is None or item.until <= datetime.now(item.until.tzinfo):
            return None
        return Suppression(item.address, item.reason, item.until)

    def recipient(self, address: str) -> tuple[Suppression | None, bool]:
        address = address.lower()
        suppression_key, agent_key = keys.suppression(address), keys.agent_email(address)
        found = {item.pk: item for item in Item.batch_get([(suppression_key, "SUPPRESS"), (agent_key, base.LOOKUP_SK)])}
        item = found.get(suppression_key)
        if not isinstance(item, SuppressionItem) or item.until <= datetime.now(item.until.tzinfo):
            return None, agent_key in found
        return Suppression(item.address, item.reason, item.until), agent_key in found

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        window = int(now.timestamp()) // window_seconds
        item = CounterItem(keys.rate(counter, window), "COUNTER")
        expires = datetime.fromtimestamp((window + 2) * window_seconds, now.tzinfo)
        item.update(actions=[CounterItem.value.add(1), CounterItem.expires_at.set(expires)])
        return int(item.value)

    def hit_windows(
        self, group: str, windows: Sequence[tuple[str, int]], now: datetime, previous: Sequence[str] = ()
    ) -> dict[str, int]:
        longest = max(w for _, w in windows)
        if any(longest % w for _, w in windows):
            raise ValueError("every window length must divide the longest")
        stamp = int(now.timestamp())
        slot = stamp // longest
        # One attribute per counter and window (``<name>@<window index>``) in the item of the longest window.
        names = {f"#c{i}": f"{name}@{stamp // window}" for i, (name, window) in enumerate(windows)}
        client = CounterItem._get_connection().connection.client
        response = client.update_item(
            TableName=CounterItem.Meta.table_name,
            Key={"pk": {"S": keys.rate(group, slot)}, "sk": {"S": "COUNTER"}},
            UpdateExpression="ADD " + ", ".join(f"{n} :one" for n in names) + " SET #kind = :kind, #exp = :exp",
            ExpressionAttributeNames={**names, "#kind": "kind", "#exp": "expires_at"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":kind": {"S": "counter"},
                ":exp": {"N": str((slot + 2) * longest)},
            },
            ReturnValues="ALL_NEW" if previous else "UPDATED_NEW",
        )
        counts = response.get("Attributes", {})
        found = {name: int(counts[names[f"#c{i}"]]["N"]) for i, (name, _) in enumerate(windows)}
        earlier: dict[int, dict[str, Any]] = {slot: counts}
        for name, window in windows:
            if name not in previous:
                continue
            before = stamp // window - 1
            home = before * window // longest
            if home not in earlier:  # the window before lies in the item before (once per longest window)
                key = {"pk": {"S": keys.rate(group, home)}, "sk": {"S": "COUNTER"}}
                earlier[home] = client.get_item(TableName=CounterItem.Meta.table_name, Key=key).get("Item", {})
            found[f"{name}:previous"] = int(earlier[home].get(f"{name}@{before}", {}).get("N", 0))
        return found

    def window_count(self, counter: str, window_seconds: int, at: datetime) -> int:
        window = int(at.timestamp()) // window_seconds
        item = base.get_item(CounterItem, keys.rate(counter, window), "COUNTER", None)
        return int(item.value) if item else 0

    def reserve_number(self, key: str, number: int) -> None:
        expires = datetime.now(UTC) + timedelta(days=RESERVATION_DAYS)
        LookupItem(keys.reserved_number(key), base.LOOKUP_SK, target_id=str(number), expires_at=expires).save()

    def reserved_number(self, key: str) -> int | None:
        found = base.lookup(keys.reserved_number(key))
        return int(found) if found else None

    def claim_send(self, key: str, now: datetime, stale_after_seconds: int) -> bool:
        stale = now - timedelta(seconds=stale_after_seconds)
        item = SendItem(
            keys.send(key), "SEND", state="sending", at=now, expires_at=now + timedelta(days=SEND_RECORD_DAYS)
        )
        try:
            item.save(condition=Item.pk.does_not_exist() | ((SendItem.state == "sending") & (SendItem.at < stale)))
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_sent(self, key: str, provider_id: str, now: datetime, message_ids: Sequence[tuple[str, str]] = ()) -> None:
        sent = SendItem(
            keys.send(key),
            "SEND",
            state="sent",
            at=now,
            provider_id=provider_id,
            expires_at=now + timedelta(days=SEND_RECORD_DAYS),
        )
        if not message_ids:
            sent.save()
            return
        # One BatchWriteItem (unconditional puts, each applied on its own, retried until none is left over).
        with Item.batch_write() as batch:
            for message_id, ticket_id in message_ids:
                batch.save(base.lookup_item(keys.email_id(message_id), ticket_id))
            batch.save(sent)
