"""Queues: every queue that feeds a function has a dead-letter queue; topics fan out into queues."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.core.resources import MAX_RECEIVE_COUNT

from .nag import acknowledge

# Chalice's default function timeout is 60 s; a queue without a consumer yet gets room for that.
DEFAULT_VISIBILITY_SECONDS = 6 * 60
# Lambda's guidance for SQS sources: visibility timeout at least six times the function timeout.
VISIBILITY_FACTOR = 6
DLQ_RETENTION = Duration.days(14)


def encrypted_queue(scope: Construct, construct_id: str, **kwargs: object) -> sqs.Queue:
    """SQS-managed SSE (no key fee) and a policy that refuses anything but TLS."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        **kwargs,  # type: ignore[arg-type]
    )


def dead_letter_queue(scope: Construct, construct_id: str, queue_name: str, purpose: str) -> sqs.Queue:
    queue = encrypted_queue(scope, construct_id, queue_name=queue_name, retention_period=DLQ_RETENTION)
    acknowledge(queue, "AwsSolutions-SQS3", f"This is itself the dead-letter queue {purpose}.")
    return queue


class ConsumerQueue(Construct):
    """A queue that feeds a function, its DLQ (redrive after MAX_RECEIVE_COUNT receives)."""

    def __init__(self, scope: Construct, construct_id: str, *, queue_name: str, dlq_name: str) -> None:
        super().__init__(scope, construct_id)
        self.dlq = dead_letter_queue(self, "Dlq", dlq_name, f"of {queue_name}")
        self.queue = encrypted_queue(
            self,
            "Queue",
            queue_name=queue_name,
            visibility_timeout=Duration.seconds(DEFAULT_VISIBILITY_SECONDS),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlq, max_receive_count=MAX_RECEIVE_COUNT),
        )
        self.queue_name = queue_name
        self.dlq_name = dlq_name
        self._visibility = DEFAULT_VISIBILITY_SECONDS

    def fit_consumer_timeout(self, function_timeout_seconds: int) -> None:
        """Raise the visibility timeout so a batch cannot reappear while its function still runs."""
        needed = VISIBILITY_FACTOR * function_timeout_seconds
        if needed > 43_200:
            raise ValueError(f"{self.queue_name}: a {function_timeout_seconds}s consumer needs more than 12 h")
        self._visibility = max(self._visibility, needed)
        cfn_queue = self.queue.node.default_child
        assert isinstance(cfn_queue, sqs.CfnQueue)
        cfn_queue.visibility_timeout = self._visibility

    def subscribe_to(self, topic: sns.ITopic, filter_policy: Mapping[str, list[Any]] | None = None) -> None:
        """Raw delivery: the queue body is the published message itself, not an SNS envelope.
        ``filter_policy``: message attribute -> conditions, as ``chalicelib.core.resources`` states it."""
        conditions = {name: sns.SubscriptionFilter(conditions=c) for name, c in (filter_policy or {}).items()}
        topic.add_subscription(
            subscriptions.SqsSubscription(self.queue, raw_message_delivery=True, filter_policy=conditions or None)
        )


def topic(
    scope: Construct, construct_id: str, topic_name: str, *, email: str | None = None, **kwargs: object
) -> sns.Topic:
    """A topic that refuses anything but TLS; ``email`` is subscribed (AWS mails it a confirmation link)."""
    created = sns.Topic(scope, construct_id, topic_name=topic_name, enforce_ssl=True, **kwargs)  # type: ignore[arg-type]
    if email:
        created.add_subscription(subscriptions.EmailSubscription(email))
    return created
