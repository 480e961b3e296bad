"""Stream relay: every new timeline entry in the table is published to the events topic, and so is
``agent.available`` whenever an agent item is written while the agent is online and active, and
``kb.article.changed`` for every new version of a knowledge base article.

A DynamoDB stream keeps each committed write for 24 hours and the relay is retried (bisecting a failing
batch, then to its on-failure queue): a crash between the write and the delivery loses nothing.
Entries copied by a merge are not published again. Publishing may repeat; consumers dedupe by event id.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.timeline import TimelineEntry
from chalicelib.events.envelope import agent_available, envelope, kb_article_changed

ENTRY_KIND = "entry"
AGENT_KIND = "agent"
KB_VERSION_KIND = "kbversion"


def events_in(records: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(sequence number, event) in stream order: entries' envelopes and agents becoming available.

    The stream carries new images only, so an agent who was online already and had, say, their name changed
    is announced again: harmless, routing then finds nothing new to assign.
    """
    found = []
    for record in records:
        if (entry := _entry(record)) is not None:
            found.append((_sequence(record), envelope(entry)))
        elif (event := _available(record) or _article_version(record)) is not None:
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


def _article_version(record: dict[str, Any]) -> dict[str, Any] | None:
    from chalicelib.storage.dynamodb.slice_models import KbVersionItem

    image = _image(record, KB_VERSION_KIND, ("INSERT",))
    if image is None:
        return None
    item = KbVersionItem.from_raw_data(image)
    return kb_article_changed(
        item.id,
        int(item.version),
        item.status,
        item.visibility,
        bool(item.reindex),
        item.updated_at.isoformat(),
        item.updated_by,
    )


# SNS refusals that no retry can fix (a message too large or malformed): the record is parked at once.
PERMANENT_ERRORS = frozenset({"InvalidParameter", "InvalidParameterValue", "ValidationError"})


def handle_stream(event: dict[str, Any], topic_arn: str, dead_letters: str | None = None) -> dict[str, Any]:
    """Publish each event in stream order.

    A record SNS refuses for good is parked in the relay's dead-letter queue (``dead_letters``, a queue URL)
    with its table keys and the reason, and the stream moves on; ``lambdesk replay relay`` publishes it again
    after a fix. Any other failure stops here: the first failed record is reported, the stream retries from it
    (in order), and after the source's retry limit Lambda sends the batch's position to the same queue. Each
    failure is logged as an error with its reason.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.core import observability
    from chalicelib.core.clients import client

    sns, log = client("sns"), observability.logger()
    published = 0
    for record, message in _with_records(event.get("Records", [])):
        try:
            _publish(sns, topic_arn, message)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            log.error("publish failed", extra={"event_id": message["id"], "reason": code, "error": str(exc)})
            if code in PERMANENT_ERRORS and dead_letters and _park(record, message, code, dead_letters):
                observability.count("EventsParked")
                continue
            return {"batchItemFailures": [{"itemIdentifier": _sequence(record)}]}
        except BotoCoreError as exc:
            log.error("publish failed", extra={"event_id": message["id"], "reason": type(exc).__name__})
            return {"batchItemFailures": [{"itemIdentifier": _sequence(record)}]}
        published += 1
    if published:
        observability.count("EventsPublished", published)
    return {"batchItemFailures": []}


def _with_records(records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    by_sequence = {_sequence(r): r for r in records}
    return [(by_sequence[sequence], message) for sequence, message in events_in(records)]


def _publish(sns: Any, topic_arn: str, message: dict[str, Any]) -> None:
    sns.publish(
        TopicArn=topic_arn,
        Message=json.dumps(message, separators=(",", ":")),
        MessageAttributes={"event_type": {"DataType": "String", "StringValue": message["type"]}},
    )


def parked_message(record: dict[str, Any], message: dict[str, Any], reason: str) -> dict[str, Any]:
    """What the relay's dead-letter queue keeps of a record it could not publish: enough to publish it again
    from the table (its keys), and to see why."""
    return {
        "parked_by": "stream_relay",
        "reason": reason,
        "event_id": message["id"],
        "type": message["type"],
        "sequence_number": _sequence(record),
        "keys": record.get("dynamodb", {}).get("Keys") or {},
    }


def _park(record: dict[str, Any], message: dict[str, Any], reason: str, queue_url: str) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.core import observability
    from chalicelib.core.clients import client

    try:
        client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(parked_message(record, message, reason)))
    except (BotoCoreError, ClientError):
        observability.logger().exception("parking failed", extra={"event_id": message["id"]})
        return False
    return True


def republish(parked: dict[str, Any], topic_arn: str) -> str:
    """Publish a parked record's event again, read afresh from the table by its keys (after a fix).

    Returns what happened: ``published``, or ``gone`` when the item no longer exists or is no event."""
    from pynamodb.exceptions import DoesNotExist

    from chalicelib.core.clients import client
    from chalicelib.storage.dynamodb.models import Item

    keys = parked.get("keys") or {}
    pk, sk = (keys.get(name, {}).get("S") for name in ("pk", "sk"))
    if not (pk and sk):
        return "gone"
    try:
        item = Item.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return "gone"
    found = events_in([{"eventName": "INSERT", "dynamodb": {"NewImage": item.serialize(), "SequenceNumber": "0"}}])
    if not found:
        return "gone"
    _publish(client("sns"), topic_arn, found[0][1])
    return "published"
