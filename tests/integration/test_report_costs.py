"""What counting and reading reports costs on DynamoDB (moto), request by request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.events.envelope import envelope
from chalicelib.tickets.service import NewTicket


@contextmanager
def requests(svc: Any) -> Iterator[list[str]]:
    """Every DynamoDB operation sent by the table's models and by the reports repository."""
    from chalicelib.storage.dynamodb.models import Item

    seen: list[str] = []
    clients = [Item._get_connection().connection.client, svc.repos.reports.client]

    def count(model: Any, **_: Any) -> None:
        seen.append(model.name)

    for client in clients:
        client.meta.events.register("before-call.dynamodb", count)
    try:
        yield seen
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", count)


def test_each_event_costs_one_read_of_its_own_item_and_at_most_one_transaction(dynamo_svc: Any) -> None:
    svc = dynamo_svc
    ann = Actor(ActorKind.AGENT, svc.directory.create_agent("ann@desk.example", "Ann").id)
    ticket, _ = svc.tickets.create(ann, NewTicket(subject="Help", body_text="Hi", requester_email="bo@x.example"))
    ticket = svc.ticket_repo.get(ticket.id)
    for n in range(30):  # a long thread: notes the reports never read
        svc.tickets.note(ann, ticket.id, svc.ticket_repo.get(ticket.id).version, f"note {n}")
    svc.tickets.reply(ann, ticket.id, svc.ticket_repo.get(ticket.id).version, "Done", status=Status.SOLVED)
    _, timeline = svc.ticket_repo.get_with_timeline(ticket.id)
    events = [envelope(e) for e in timeline if e.event in REPORT_EVENTS]
    aggregator = svc.reports.aggregator()
    svc.policies.policies()  # the SLA policies are read once per container per 30 s
    per_event = []
    for event in events:
        with requests(svc) as seen:
            aggregator.on_event(event)
        per_event.append(seen)
    created, message, reply, solve = per_event
    assert created == ["TransactWriteItems"]  # the first counted entry: nothing to read (``reports.kept``)
    assert message == []  # the creation message can make nothing true: not read (``makes_nothing_true``)
    # the kept replay and the previous counted entry in one BatchGetItem; never the ticket's partition
    assert reply == ["BatchGetItem", "TransactWriteItems"]
    assert solve in (["BatchGetItem"], ["BatchGetItem", "TransactWriteItems"])
    with requests(svc) as again:
        assert aggregator.on_event(events[2]).duplicate
    # a redelivery: the kept replay is past it, so the timeline is replayed (facts for the lake); the marker's
    # condition refuses the additions
    assert again == ["BatchGetItem", "Query", "TransactWriteItems"]


def test_a_report_reads_one_query_per_month_touched_whatever_the_groups(dynamo_svc: Any) -> None:
    svc = dynamo_svc
    today = datetime.now(UTC).date()
    first, last = today.replace(day=1) - timedelta(days=15), today.replace(day=1) + timedelta(days=15)
    with requests(svc) as seen:
        svc.reports.queries.summary(first, last, None, "agent")
    assert seen == ["Query", "Query"]


def test_a_missed_chat_costs_what_any_event_does_and_a_kb_signal_one_update(dynamo_svc: Any) -> None:
    from chalicelib.domain.tickets import Channel

    svc = dynamo_svc
    bo = Actor(ActorKind.CUSTOMER, "bo")
    ticket, _ = svc.tickets.create(
        bo, NewTicket(subject="Chat", body_text="Hi", requester_email="bo@x.example", channel=Channel.CHAT)
    )
    svc.tickets.system_note(ticket.id, "chat.missed", "Rang out.", {"conversation_id": "c1", "agent_id": "A1"})
    _, timeline = svc.ticket_repo.get_with_timeline(ticket.id)
    (note,) = [e for e in timeline if e.event == "chat.missed"]
    aggregator = svc.reports.aggregator()
    svc.policies.policies()
    aggregator.on_event(envelope(timeline[0]))  # the creation, counted before
    with requests(svc) as seen:
        assert aggregator.on_event(envelope(note)).items == 5  # all, the agent who missed it, team, channel, priority
    assert seen == ["BatchGetItem", "TransactWriteItems"]
    with requests(svc) as signal:
        svc.kb.signals.clicked("A1", 1, None, "viewer-0001")
    assert signal == ["UpdateItem"]


def test_the_desks_report_reads_its_kb_items_too_one_query_per_month(dynamo_svc: Any) -> None:
    svc = dynamo_svc
    today = datetime.now(UTC).date()
    first, last = today.replace(day=1) - timedelta(days=15), today.replace(day=1) + timedelta(days=15)
    with requests(svc) as seen:
        svc.reports.queries.summary(first, last, None, None)
    assert seen == ["Query"] * 4  # the all and kb dimensions, two months each
