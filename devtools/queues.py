"""Queue operations shared by the ``lambdesk`` command and the tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def redrive(
    sqs: Any, dlq_url: str, queue_url: str, limit: int = 10_000, progress: Callable[[int], object] | None = None
) -> int:
    """Move messages from a dead-letter queue back to its queue; return how many moved.

    Each message is sent before it is deleted: a crash in between repeats a message (consumers are
    idempotent), it never loses one.
    """
    moved = 0
    while moved < limit:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            attributes = message.get("MessageAttributes", {})
            sqs.send_message(
                QueueUrl=queue_url,
                MessageBody=message["Body"],
                **({"MessageAttributes": attributes} if attributes else {}),
            )
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
            if progress is not None:
                progress(1)
    return moved


def replay_mail(
    sqs: Any,
    sns: Any,
    repo: Any,
    inbound_topic_arn: str,
    inbound_url: str,
    inbound_dlq_url: str,
    default_bucket: str,
    recipient: str,
    reason: str | None = None,
) -> dict[str, int]:
    """After a fix: move the inbound DLQ back to its queue and announce quarantined mail again.

    A replayed quarantined mail is announced with PASS verdicts: an operator replaying it overrides
    what quarantined it. Its quarantine record and outcome are released first, so it is processed anew.
    """
    from chalicelib.mailflow.notices import notice_body
    from devtools.progress import bar, iterate

    with bar("Replaying the inbound DLQ", unit="mail") as moving:
        moved = redrive(sqs, inbound_dlq_url, inbound_url, progress=moving.update)
    released = 0
    for record in iterate(repo.list_quarantine(1000).items, "Releasing quarantined mail", "mail"):
        if reason and record.reason != reason:
            continue
        repo.release_quarantine(record.key)
        body = notice_body(record.bucket or default_bucket, record.key, record.key.rsplit("/", 1)[-1], [recipient])
        sns.publish(TopicArn=inbound_topic_arn, Message=body)
        released += 1
    return {"dlq_moved": moved, "quarantine_released": released}


def replay_relay(
    sqs: Any, streams: Any, dlq_url: str, topic_arn: str, relay: Callable[[dict[str, Any]], Any]
) -> dict[str, int]:
    """Publish again what the stream relay could not (after a fix): records it parked itself are read afresh
    from the table by their keys; positions Lambda (or the local worker) gave up on are read from the stream
    (within its 24 hours) and handed to the relay again. Each message is deleted once handled."""
    import json

    from chalicelib.events.relay import republish

    counts = {"published": 0, "gone": 0, "from_stream": 0}
    while True:
        messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return counts
        for message in messages:
            body = json.loads(message["Body"])
            if body.get("parked_by") == "stream_relay":
                counts[republish(body, topic_arn)] += 1
            else:
                counts["from_stream"] += _from_stream(streams, body["DDBStreamBatchInfo"], relay)
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])


def _from_stream(streams: Any, info: dict[str, Any], relay: Callable[[dict[str, Any]], Any]) -> int:
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=int(info.get("batchSize") or 1))["Records"]
    wanted = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) <= int(info["endSequenceNumber"])]
    relay({"Records": wanted})
    return len(wanted)
