"""Queue operations shared by the ``lambdesk`` command and the tests."""

from __future__ import annotations

from typing import Any


def redrive(sqs: Any, dlq_url: str, queue_url: str, limit: int = 10_000) -> int:
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
    return moved
