"""The local worker: what Lambda's event source mappings do in AWS, done by polling moto.

It reads the table's stream and hands the records to the *same* ``stream_relay`` function Lambda would
call, and long-polls every consumer queue and calls the same SQS handler, deleting only the records the
handler did not report as failed (partial batch responses). Failed records come back after their
visibility timeout and move to the dead-letter queue after the receive limit, as in AWS.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from chalicelib.core.resources import FUNCTION_STREAM_RELAY, STREAM_RETRY_ATTEMPTS

STREAM_BATCH = 100
SQS_BATCH = 10


@dataclass
class FakeContext:
    """The parts of the Lambda context object that handlers and powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def sqs_lambda_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda builds from received SQS messages (each with its own messageId)."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def sqs_handlers(app_module: Any) -> dict[str, tuple[str, Any]]:
    """queue name -> (function name, handler), from the Chalice app's registered event sources."""
    from chalice.app import SQSEventConfig

    found = {}
    for source in app_module.app.event_sources:
        if isinstance(source, SQSEventConfig) and source.queue:
            handler = getattr(app_module, source.handler_string.rsplit(".", 1)[1])
            found[source.queue] = (source.name, handler)
    return found


class Worker:
    def __init__(
        self, app_module: Any, stream_arn: str, endpoint: str, region: str = "us-east-1", relay_dlq: str | None = None
    ) -> None:
        kwargs = {"endpoint_url": endpoint, "region_name": region}
        self.app_module = app_module
        self.sqs = boto3.client("sqs", **kwargs)
        self.streams = boto3.client("dynamodbstreams", **kwargs)
        self.stream_arn = stream_arn
        self.handlers = sqs_handlers(app_module)
        self.queue_urls = {name: self.sqs.get_queue_url(QueueName=name)["QueueUrl"] for name in self.handlers}
        self._iterators: dict[str, str] = {}
        self._stream_tries: dict[tuple[str, str], int] = {}
        self.relay_dlq = relay_dlq
        self.failures = 0

    # -- the stream -----------------------------------------------------------------------------

    def _shard_iterators(self) -> dict[str, str]:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
        return self._iterators

    def pump_stream(self) -> int:
        relay = getattr(self.app_module, FUNCTION_STREAM_RELAY)
        handled = 0
        for shard_id, iterator in list(self._shard_iterators().items()):
            page = self.streams.get_records(ShardIterator=iterator, Limit=STREAM_BATCH)
            records = page["Records"]
            next_iterator = page.get("NextShardIterator") or iterator
            if records:
                result = relay({"Records": records}, FakeContext(FUNCTION_STREAM_RELAY))
                failed = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
                if failed:
                    next_iterator = self._after_failure(shard_id, failed[0])
                handled += len(records)
            self._iterators[shard_id] = next_iterator
        return handled

    def _after_failure(self, shard_id: str, sequence: str) -> str:
        """Retry from the failed record on, as Lambda does for a stream; after ``STREAM_RETRY_ATTEMPTS`` tries
        send its position to the relay's dead-letter queue (what Lambda's on-failure destination receives) and
        move past it, so one bad record never stalls the stream."""
        self.failures += 1
        tries = self._stream_tries.get((shard_id, sequence), 0) + 1
        self._stream_tries[(shard_id, sequence)] = tries
        position = "AT_SEQUENCE_NUMBER"
        if tries > STREAM_RETRY_ATTEMPTS:
            self._send_position(shard_id, sequence)
            position = "AFTER_SEQUENCE_NUMBER"
        return str(
            self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=position, SequenceNumber=sequence
            )["ShardIterator"]
        )

    def _send_position(self, shard_id: str, sequence: str) -> None:
        import json

        from chalicelib.core import observability

        info = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": STREAM_RETRY_ATTEMPTS},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": sequence,
                "endSequenceNumber": sequence,
                "streamArn": self.stream_arn,
                "batchSize": 1,
            },
        }
        if self.relay_dlq:
            url = self.sqs.get_queue_url(QueueName=self.relay_dlq)["QueueUrl"]
            self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(info))
        observability.logger().error("stream record parked after retries", extra={"shard": shard_id, "at": sequence})

    # -- the queues -----------------------------------------------------------------------------

    def pump_queue(self, queue_name: str, wait_seconds: int = 0) -> int:
        function_name, handler = self.handlers[queue_name]
        url = self.queue_urls[queue_name]
        received = self.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=SQS_BATCH,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        result = handler(sqs_lambda_event(received, arn), FakeContext(function_name)) or {}
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        self.failures += len(failed)
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            )
        return len(received)

    def run_once(self) -> int:
        """One cycle: the stream, then every queue. Returns how many records were handled.

        Each function is on its own, as in AWS: one that raises (its messages stay in its queue) does not
        keep the others from running."""
        from chalicelib.core import observability

        handled = self.pump_stream()
        for queue_name in self.handlers:
            try:
                handled += self.pump_queue(queue_name)
            except Exception:  # noqa: BLE001 - like Lambda: the invocation fails, the poller goes on
                self.failures += 1
                observability.logger().exception("function failed", extra={"queue": queue_name})
        return handled

    def drain(self, max_cycles: int = 50, progress: Callable[[int], object] | None = None) -> int:
        """Cycle until a cycle finds nothing (tests and seeding use it to settle); ``progress(n)`` after each."""
        total = 0
        for _ in range(max_cycles):
            handled = self.run_once()
            total += handled
            if progress is not None:
                progress(handled)
            if handled == 0:
                break
        return total

    def run_forever(self, stop: threading.Event, idle_sleep: float = 0.2) -> None:
        """Poll the stream and every queue, each in its own thread: in AWS each is its own function, so a
        backlog in one (say, SLA bookkeeping after seeding) never delays another (routing a new ticket)."""
        pollers = [threading.Thread(target=self._poll, args=(self.pump_stream, stop, idle_sleep), name="stream")]
        for queue_name in self.handlers:
            pump = functools.partial(self.pump_queue, queue_name)
            pollers.append(threading.Thread(target=self._poll, args=(pump, stop, idle_sleep), name=queue_name))
        for poller in pollers:
            poller.daemon = True
            poller.start()
        for poller in pollers:
            poller.join()

    def _poll(self, pump: Callable[[], int], stop: threading.Event, idle_sleep: float) -> None:
        from chalicelib.core import observability

        while not stop.is_set():
            try:
                if pump() == 0:
                    stop.wait(idle_sleep)
            except Exception:  # noqa: BLE001 - the local worker logs and keeps polling, like Lambda's poller
                self.failures += 1
                observability.logger().exception("poll failed", extra={"poller": threading.current_thread().name})
                stop.wait(1.0)
