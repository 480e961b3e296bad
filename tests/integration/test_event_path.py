"""Events end to end on moto: table stream -> relay -> SNS topic -> SQS queue -> webhook consumer.

The worker calls the same handler functions Lambda calls; nothing here is a stand-in for the path.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib.core import signing
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.tickets.service import NewTicket
from devtools.queues import redrive
from devtools.worker import Worker
from tests.webhook_receiver import Receiver, webhook_receiver


@pytest.fixture(scope="module")
def stage_resources(moto_url: str) -> dict[str, Any]:
    """The test stage's table, topic and queues, created once from chalicelib.core.resources."""
    from chalicelib.core.resources import Names
    from devtools.provision import provision

    return provision(Names("test"), moto_url)


@pytest.fixture
def desk(stage_resources: dict[str, Any], aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from tests.conftest import reset_caches

    monkeypatch.setenv("LAMBDESK_EVENTS_TOPIC_ARN", stage_resources["topic_arn"])
    reset_caches()
    svc = bootstrap.dynamodb_container(get_settings())
    bootstrap.use(svc)
    app_module = importlib.import_module("app")
    worker = Worker(app_module, stage_resources["stream_arn"], aws)
    # This module is about the event path to webhooks; mail consumers have their own tests.
    worker.handlers = {k: v for k, v in worker.handlers.items() if k.endswith("-webhooks")}
    worker.drain()  # events of earlier tests on the shared stage
    agent = svc.directory.create_agent(f"{id(worker)}@desk.example", "Ben")
    yield {"svc": svc, "worker": worker, "actor": Actor(ActorKind.AGENT, agent.id), "resources": stage_resources}
    for hook in svc.directory.list_webhooks():
        svc.directory.delete_webhook(hook.id)
    bootstrap.use(None)


def subscribe(desk: dict[str, Any], receiver: Receiver, events: list[str]) -> str:
    hook = desk["svc"].directory.create_webhook(receiver.url, events, "admin")
    # The consumer reads the webhooks once per container every cache_seconds: this container just changed them.
    desk["svc"].webhooks.forget()
    return signing.webhook_secret(signing.signing_key(), hook.id)


def open_ticket(desk: dict[str, Any], subject: str = "Printer on fire") -> Any:
    ticket, _ = desk["svc"].tickets.create(
        desk["actor"], NewTicket(subject=subject, body_text="Help", requester_email="bob@customer.example")
    )
    return ticket


def test_every_ticket_change_reaches_a_subscribed_webhook_signed(desk: dict[str, Any]) -> None:
    with webhook_receiver() as receiver:
        secret = subscribe(desk, receiver, ["*"])
        ticket = open_ticket(desk)
        ticket = desk["svc"].tickets.reply(desk["actor"], ticket.id, ticket.version, "On it", status=None)
        desk["svc"].tickets.note(desk["actor"], ticket.id, ticket.version, "internal")
        desk["worker"].drain()
        types = [e["type"] for e in receiver.events() if e["ticket"]["id"] == ticket.id]
        assert sorted(types) == sorted(
            ["ticket.created", "message.added", "message.added", "ticket.updated", "note.added"]
        )
        assert all(r.signed_with(secret) for r in receiver.received)
        note = receiver.events("note.added")[0]
        assert note["public"] is False and note["ticket"]["number"] == ticket.number


def test_an_agent_coming_online_gets_waiting_work_through_the_stream_and_webhooks_never_hear_of_it(
    desk: dict[str, Any],
) -> None:
    from chalicelib.domain.people import Availability, Role, Strategy
    from devtools.worker import sqs_handlers

    svc, worker = desk["svc"], desk["worker"]
    wanted = ("-webhooks", "-routing")
    worker.handlers = {k: v for k, v in sqs_handlers(importlib.import_module("app")).items() if k.endswith(wanted)}
    team = svc.directory.create_team(f"Night shift {id(worker)}")
    team = svc.directory.update_team(team.id, team.version, {"assignment_strategy": Strategy.ROUND_ROBIN})
    nina = svc.directory.create_agent(f"nina{id(worker)}@desk.example", "Nina", Role.AGENT, None, (team.id,), (), 5)
    with webhook_receiver() as receiver:
        subscribe(desk, receiver, ["*"])
        ticket, _ = svc.tickets.create(
            desk["actor"],
            NewTicket(subject="Night", body_text="Anyone?", requester_email="owl@customer.example", team_id=team.id),
        )
        worker.drain()
        assert svc.ticket_repo.get(ticket.id).assignee_id is None  # Nina is offline: it waits in the queue
        svc.directory.update_agent(nina.id, nina.version, {"availability": Availability.ONLINE})
        worker.drain()
        assert svc.ticket_repo.get(ticket.id).assignee_id == nina.id
        types = {e["type"] for e in receiver.events()}
        assert "ticket.assigned" in types and "agent.available" not in types


def test_subscriptions_filter_event_types(desk: dict[str, Any]) -> None:
    with webhook_receiver() as receiver:
        subscribe(desk, receiver, ["ticket.*"])
        open_ticket(desk)
        desk["worker"].drain()
        assert [e["type"] for e in receiver.events()] == ["ticket.created"]


def test_events_survive_a_relay_that_fails_and_are_delivered_once(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between the write and the delivery: the stream keeps the write and the relay retries."""
    from chalicelib.core import clients

    real_sns = clients.client("sns")
    calls = {"n": 0}

    class FlakySns:
        def publish(self, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 1:
                from botocore.exceptions import EndpointConnectionError

                raise EndpointConnectionError(endpoint_url="http://sns")
            return real_sns.publish(**kwargs)

    monkeypatch.setattr("chalicelib.core.clients.client", lambda service: FlakySns() if service == "sns" else real_sns)
    with webhook_receiver() as receiver:
        subscribe(desk, receiver, ["ticket.created"])
        ticket = open_ticket(desk)
        desk["worker"].drain()
        assert desk["worker"].failures >= 1
        assert [e["ticket"]["id"] for e in receiver.events()] == [ticket.id]


def test_a_receiver_that_keeps_failing_ends_in_the_dead_letter_queue_then_replays(desk: dict[str, Any]) -> None:
    sqs = boto3.client("sqs")
    queue = desk["resources"]["queues"]["webhooks"]
    sqs.set_queue_attributes(QueueUrl=queue["url"], Attributes={"VisibilityTimeout": "0"})
    try:
        with webhook_receiver() as receiver:
            receiver.status = 500
            subscribe(desk, receiver, ["ticket.created"])
            ticket = open_ticket(desk)
            desk["worker"].drain(max_cycles=30)
            attempts = len(receiver.received)
            assert attempts == 5  # maxReceiveCount, then the dead-letter queue
            assert redrive(sqs, queue["dlq_url"], queue["url"]) == 1
            receiver.status = 200
            desk["worker"].drain()
            assert len(receiver.received) == attempts + 1
            assert receiver.received[-1].event["ticket"]["id"] == ticket.id
            desk["worker"].drain()
            assert len(receiver.received) == attempts + 1  # delivered once, not again
    finally:
        sqs.set_queue_attributes(QueueUrl=queue["url"], Attributes={"VisibilityTimeout": "30"})


def test_a_record_that_keeps_failing_is_given_up_to_the_relay_dlq_and_replayed_after_the_fix(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local worker behaves like the stream's event source: retries, then the position to the relay's
    DLQ and the stream moves on; ``lambdesk replay relay`` (devtools.queues.replay_relay) relays it again."""
    from chalicelib.bootstrap import handlers
    from chalicelib.core.resources import STREAM_RETRY_ATTEMPTS, Names
    from devtools.queues import replay_relay

    worker, resources = desk["worker"], desk["resources"]
    worker.relay_dlq = Names("test").relay_dlq
    broken = {"on": True}
    real_relay = worker.app_module.stream_relay

    def relay(event: dict[str, Any], context: Any) -> Any:
        if broken["on"]:
            return {
                "batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in event["Records"]]
            }
        return real_relay(event, context)

    monkeypatch.setattr(worker.app_module, "stream_relay", relay)
    ticket = open_ticket(desk, "Stuck event")
    for _ in range(STREAM_RETRY_ATTEMPTS * 4):
        worker.pump_stream()
    sqs = boto3.client("sqs")
    dlq = sqs.get_queue_url(QueueName=worker.relay_dlq)["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert int(attrs["ApproximateNumberOfMessages"]) >= 1  # given up, not retried forever
    broken["on"] = False
    published: list[dict[str, Any]] = []
    counts = replay_relay(
        sqs,
        boto3.client("dynamodbstreams"),
        dlq,
        resources["topic_arn"],
        lambda event: published.append(handlers.relay(event)),
    )
    assert counts["from_stream"] >= 1 and all(p == {"batchItemFailures": []} for p in published)
    _, timeline = desk["svc"].tickets.get(ticket.id)
    assert timeline  # the ticket itself was written all along


def test_a_ticket_reaches_the_reports_through_the_stream_topic_and_queue_once(desk: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    from chalicelib.domain.tickets import Status
    from devtools.worker import sqs_handlers

    svc, worker = desk["svc"], desk["worker"]
    worker.handlers = {k: v for k, v in sqs_handlers(importlib.import_module("app")).items() if k.endswith("-reports")}
    worker.drain()  # what earlier tests left in the reports queue
    today = datetime.now(UTC).date()

    def figures() -> tuple[int, int, int]:
        groups = svc.reports.queries.summary(today, today, None, None)
        f = groups[0].figures if groups else None
        return (f.tickets_created, f.tickets_solved, f.replies) if f else (0, 0, 0)

    before = figures()
    ticket = open_ticket(desk)
    ticket = svc.tickets.reply(desk["actor"], ticket.id, ticket.version, "Restarted it", status=Status.SOLVED)
    svc.tickets.note(desk["actor"], ticket.id, ticket.version, "internal")
    assert worker.drain() > 0
    after = figures()
    assert tuple(a - b for a, b in zip(after, before, strict=True)) == (1, 1, 1)


def test_a_missed_chat_reaches_the_reports_once_however_often_its_event_is_delivered(desk: dict[str, Any]) -> None:
    """The chat's ``chat.missed`` note goes the tickets' way (stream, relay, topic, the reports queue's filter
    policy) and counts once for the agent who missed it: its own delivery and two more copies of the same
    event sent to the queue again (as SNS and SQS may) add nothing after the first, on DynamoDB's marker."""
    import json

    from chalicelib.core.errors import Duplicate
    from chalicelib.domain.tickets import Channel
    from chalicelib.events.envelope import envelope
    from chalicelib.storage import keys
    from chalicelib.storage.ports import Key
    from devtools.worker import sqs_handlers

    svc, worker = desk["svc"], desk["worker"]
    worker.handlers = {k: v for k, v in sqs_handlers(importlib.import_module("app")).items() if k.endswith("-reports")}
    worker.drain()
    missed_by = f"agent-{id(worker)}"
    ticket, _ = svc.tickets.create(
        Actor(ActorKind.CUSTOMER, "bob"),
        NewTicket(subject="Chat", body_text="Hello", requester_email="bob@customer.example", channel=Channel.CHAT),
    )
    claim = Key(keys.chat_missed("conv-1", missed_by), missed_by)
    data = {"conversation_id": "conv-1", "agent_id": missed_by}
    svc.tickets.system_note(ticket.id, "chat.missed", "The chat rang out unanswered.", data, claims=[claim])
    with pytest.raises(Duplicate):  # the chat's sweep trying again writes no second note
        svc.tickets.system_note(ticket.id, "chat.missed", "The chat rang out unanswered.", data, claims=[claim])
    assert worker.drain() > 0

    def missed() -> dict[str, int]:
        day = ticket.created_at.date()
        return {g.key: g.figures.chats_missed for g in svc.reports.queries.summary(day, day, None, "agent")}

    assert missed().get(missed_by) == 1
    _, timeline = svc.tickets.get(ticket.id)
    (note,) = [e for e in timeline if e.event == "chat.missed"]
    sqs, url = boto3.client("sqs"), desk["resources"]["queues"]["reports"]["url"]
    attributes = {"event_type": {"DataType": "String", "StringValue": "chat.missed"}}
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope(note)), MessageAttributes=attributes)
    assert worker.drain() == 2
    assert missed().get(missed_by) == 1
