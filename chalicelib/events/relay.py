"""Stream relay: every new timeline entry in the table is published to the events topic.

A DynamoDB stream keeps each committed write for 24 hours and the relay is retried (bisecting a failing
batch, then to its on-failure queue): a crash between the write and the delivery loses nothing.
Entries copied by a merge are not published again. Publishing may repeat; consumers dedupe by event id.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.events.envelope import envelope

ENTRY_KIND = "entry"


def entries_in(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """(sequence number, TimelineEntry) for each newly inserted, not copied, timeline entry."""
    from chalicelib.repositories.dynamodb.mapping import item_to_entry
    from chalicelib.repositories.dynamodb.models import EntryItem

    found = []
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage") or {}
        if record.get("eventName") != "INSERT" or image.get("kind", {}).get("S") != ENTRY_KIND:
            continue
        item = EntryItem.from_raw_data(image)
        if item.merged_from:
            continue
        found.append((record["dynamodb"]["SequenceNumber"], item_to_entry(item)))
    return found


def handle_stream(event: dict[str, Any], topic_arn: str) -> dict[str, Any]:
    """Publish each entry; report the first failure so the stream retries from there (in order)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import observability
    from chalicelib.clients import client

    sns = client("sns")
    published = 0
    for sequence, entry in entries_in(event.get("Records", [])):
        try:
            sns.publish(
                TopicArn=topic_arn,
                Message=json.dumps(envelope(entry), separators=(",", ":")),
                MessageAttributes={"event_type": {"DataType": "String", "StringValue": entry.event}},
            )
        except (BotoCoreError, ClientError):
            # Stop here: the stream redelivers from this record on, keeping the order.
            observability.logger().exception("publish failed", extra={"event_id": entry.id})
            return {"batchItemFailures": [{"itemIdentifier": sequence}]}
        published += 1
    if published:
        observability.count("EventsPublished", published)
    return {"batchItemFailures": []}
