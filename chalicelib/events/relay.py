"""Stream relay: every new timeline entry in the table is published to the events topic, and so is
``agent.available`` whenever an agent item is written while the agent is online and active.

A DynamoDB stream keeps each committed write for 24 hours and the relay is retried (bisecting a failing
batch, then to its on-failure queue): a crash between the write and the delivery loses nothing.
Entries copied by a merge are not published again. Publishing may repeat; consumers dedupe by event id.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.timeline import TimelineEntry
from chalicelib.events.envelope import agent_available, envelope

ENTRY_KIND = "entry"
AGENT_KIND = "agent"


def events_in(records: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(sequence number, event) in stream order: entries' envelopes and agents becoming available.

    The stream carries new images only, so an agent who was online already and had, say, their name changed
    is announced again: harmless, routing then finds nothing new to assign.
    """
    found = []
    for record in records:
        if (entry := _entry(record)) is not None:
            found.append((_sequence(record), envelope(entry)))
        elif (event := _available(record)) is not None:
            found.append((_sequence(record), event))
    return found


def _sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def _image(record: dict[str, Any], kind: str, event_names: tuple[str, ...]) -> dict[str, Any] | None:
    """The record's new image when it is an item of ``kind`` written by one of ``event_names``."""
    image: dict[str, Any] = record.get("dynamodb", {}).get("NewImage") or {}
    if record.get("eventName") not in event_names or image.get("kind", {}).get("S") != kind:
        return None
    return image


def _entry(record: dict[str, Any]) -> TimelineEntry | None:
    from chalicelib.storage.dynamodb.mapping import item_to_entry
    from chalicelib.storage.dynamodb.models import EntryItem

    image = _image(record, ENTRY_KIND, ("INSERT",))
    if image is None:
        return None
    item = EntryItem.from_raw_data(image)
    return None if item.merged_from else item_to_entry(item)


def _available(record: dict[str, Any]) -> dict[str, Any] | None:
    from chalicelib.domain.people import Availability
    from chalicelib.storage.dynamodb.mapping import item_to_agent
    from chalicelib.storage.dynamodb.models import AgentItem

    image = _image(record, AGENT_KIND, ("INSERT", "MODIFY"))
    if image is None:
        return None
    agent = item_to_agent(AgentItem.from_raw_data(image))
    if agent.availability is not Availability.ONLINE or not agent.active or not agent.teams:
        return None
    return agent_available(agent.id, list(agent.teams), agent.version)


def handle_stream(event: dict[str, Any], topic_arn: str) -> dict[str, Any]:
    """Publish each entry; report the first failure so the stream retries from there (in order)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.core import observability
    from chalicelib.core.clients import client

    sns = client("sns")
    published = 0
    for sequence, message in events_in(event.get("Records", [])):
        try:
            sns.publish(
                TopicArn=topic_arn,
                Message=json.dumps(message, separators=(",", ":")),
                MessageAttributes={"event_type": {"DataType": "String", "StringValue": message["type"]}},
            )
        except (BotoCoreError, ClientError):
            # Stop here: the stream redelivers from this record on, keeping the order.
            observability.logger().exception("publish failed", extra={"event_id": message["id"]})
            return {"batchItemFailures": [{"itemIdentifier": sequence}]}
        published += 1
    if published:
        observability.count("EventsPublished", published)
    return {"batchItemFailures": []}
