"""The stream relay publishes each new timeline entry once, in order, and reports where it stopped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.domain.people import Agent, Availability, Role
from chalicelib.domain.tickets import Channel, Ticket
from chalicelib.domain.timeline import SYSTEM, TimelineEntry
from chalicelib.events.envelope import envelope
from chalicelib.events.relay import events_in, handle_stream
from chalicelib.storage.dynamodb.mapping import agent_to_item, entry_to_item, ticket_to_item

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
TOPIC = "arn:aws:sns:us-east-1:123456789012:lambdesk-test-events"
TICKET = Ticket("T1", 42, "Help", "C1", Channel.EMAIL, T0, T0)


def record(item: Any, sequence: str, event_name: str = "INSERT") -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"NewImage": item.serialize(), "SequenceNumber": sequence}}


def entry(name: str) -> TimelineEntry:
    return TimelineEntry.system(TICKET, name, SYSTEM, T0, data={"n": name})


@pytest.fixture
def sns(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client("sns", region_name="us-east-1")
    monkeypatch.setattr("chalicelib.core.clients.client", lambda service: client)
    with Stubber(client) as stubber:
        yield stubber


def test_only_new_uncopied_entries_are_events() -> None:
    created = entry("ticket.created")
    copied = entry_to_item(entry("ticket.updated"), ticket_id="T2")  # a merge copy into T2
    records = [
        record(entry_to_item(created), "1"),
        record(ticket_to_item(TICKET), "2"),
        record(copied, "3"),
        record(entry_to_item(entry("note.added")), "4", event_name="MODIFY"),
    ]
    found = events_in(records)
    assert [(seq, e["id"]) for seq, e in found] == [("1", created.id)]
    assert found[0][1]["ticket"]["number"] == 42


def test_each_entry_is_published_with_its_type_for_filtering(sns: Stubber) -> None:
    first, second = entry("ticket.created"), entry("message.added")
    for e in (first, second):
        sns.add_response(
            "publish",
            {"MessageId": e.id},
            {
                "TopicArn": TOPIC,
                "Message": json.dumps(envelope(e), separators=(",", ":")),
                "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": e.event}},
            },
        )
    result = handle_stream({"Records": [record(entry_to_item(first), "1"), record(entry_to_item(second), "2")]}, TOPIC)
    assert result == {"batchItemFailures": []}
    sns.assert_no_pending_responses()


def test_a_failed_publish_reports_its_record_and_stops_to_keep_order(sns: Stubber) -> None:
    first, second, third = entry("a.one"), entry("a.two"), entry("a.three")
    sns.add_response("publish", {"MessageId": "m1"})
    sns.add_client_error("publish", service_error_code="InternalError", http_status_code=500)
    records = [record(entry_to_item(e), str(i)) for i, e in enumerate((first, second, third), 1)]
    assert handle_stream({"Records": records}, TOPIC) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    sns.assert_no_pending_responses()  # the third was not attempted


def agent(**changes: Any) -> Agent:
    values = {"teams": ("L1", "VIP"), "availability": Availability.ONLINE, "version": 7, **changes}
    return Agent("A1", "ann@desk.example", "Ann", Role.AGENT, T0, "A1", **values)


@pytest.mark.parametrize("event_name", ["INSERT", "MODIFY"])
def test_an_agent_written_while_online_is_announced_to_routing_with_their_teams(event_name: str) -> None:
    ((sequence, event),) = events_in([record(agent_to_item(agent()), "9", event_name)])
    assert sequence == "9"
    assert event == {
        "schema": 1,
        "id": "agent.available:A1:7",
        "type": "agent.available",
        "agent": {"id": "A1", "teams": ["L1", "VIP"], "version": 7},
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"availability": Availability.AWAY},
        {"availability": Availability.OFFLINE},
        {"active": False},
        {"teams": ()},  # nothing to drain
    ],
)
def test_an_agent_who_cannot_take_work_is_not_announced(changes: dict[str, Any]) -> None:
    assert events_in([record(agent_to_item(agent(**changes)), "9", "MODIFY")]) == []


def test_entries_and_agents_keep_stream_order() -> None:
    created = entry("ticket.created")
    records = [
        record(entry_to_item(created), "1"),
        record(agent_to_item(agent()), "2", "MODIFY"),
        record(ticket_to_item(TICKET), "3", "MODIFY"),
        record(entry_to_item(entry("message.added")), "4"),
    ]
    assert [(seq, e["type"]) for seq, e in events_in(records)] == [
        ("1", "ticket.created"),
        ("2", "agent.available"),
        ("4", "message.added"),
    ]


def test_agent_events_carry_their_type_for_the_subscription_filters(sns: Stubber) -> None:
    sns.add_response(
        "publish",
        {"MessageId": "m1"},
        {
            "TopicArn": TOPIC,
            "Message": json.dumps(events_in([record(agent_to_item(agent()), "1")])[0][1], separators=(",", ":")),
            "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": "agent.available"}},
        },
    )
    assert handle_stream({"Records": [record(agent_to_item(agent()), "1")]}, TOPIC) == {"batchItemFailures": []}
    sns.assert_no_pending_responses()
