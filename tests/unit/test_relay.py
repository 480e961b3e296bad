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


DEAD_LETTERS = "https://sqs.us-east-1.amazonaws.com/123456789012/lambdesk-test-relay-dlq"


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stubber]]:
    made = {name: boto3.client(name, region_name="us-east-1") for name in ("sns", "sqs")}
    monkeypatch.setattr("chalicelib.core.clients.client", lambda service: made[service])
    with Stubber(made["sns"]) as sns, Stubber(made["sqs"]) as sqs:
        yield {"sns": sns, "sqs": sqs}


@pytest.fixture
def sns(clients: dict[str, Stubber]) -> Stubber:
    return clients["sns"]


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


def keyed(item: Any, sequence: str) -> dict[str, Any]:
    found = record(item, sequence)
    found["dynamodb"]["Keys"] = {"pk": {"S": item.pk}, "sk": {"S": item.sk}}
    return found


def test_a_record_sns_refuses_for_good_is_parked_with_its_keys_and_the_stream_moves_on(
    clients: dict[str, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    first, poison, third = entry("a.one"), entry("a.two"), entry("a.three")
    records = [keyed(entry_to_item(e), str(i)) for i, e in enumerate((first, poison, third), 1)]
    clients["sns"].add_response("publish", {"MessageId": "m1"})
    clients["sns"].add_client_error("publish", service_error_code="InvalidParameter", http_status_code=400)
    parked = {
        "parked_by": "stream_relay",
        "reason": "InvalidParameter",
        "event_id": poison.id,
        "type": "a.two",
        "sequence_number": "2",
        "keys": records[1]["dynamodb"]["Keys"],
    }
    clients["sqs"].add_response(
        "send_message", {"MessageId": "d1"}, {"QueueUrl": DEAD_LETTERS, "MessageBody": json.dumps(parked)}
    )
    clients["sns"].add_response("publish", {"MessageId": "m3"})
    assert handle_stream({"Records": records}, TOPIC, DEAD_LETTERS) == {"batchItemFailures": []}
    clients["sns"].assert_no_pending_responses()
    clients["sqs"].assert_no_pending_responses()
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "InvalidParameter" in errors[0].getMessage() + str(errors[0].__dict__)


def test_without_a_place_to_park_a_refused_record_is_retried_not_dropped(sns: Stubber) -> None:
    sns.add_client_error("publish", service_error_code="InvalidParameter", http_status_code=400)
    records = [keyed(entry_to_item(entry("a.one")), "1")]
    assert handle_stream({"Records": records}, TOPIC) == {"batchItemFailures": [{"itemIdentifier": "1"}]}


def agent(**changes: Any) -> Agent:
    values = {"teams": ("L1", "VIP"), "availability": Availability.ONLINE, "version": 7, **changes}
    return Agent("A1", "ann@desk.example", "Ann", Role.AGENT, T0, "A1", **values)


@pytest.mark.parametrize("event_name", ["INSERT", "MODIFY"])
def test_an_agent_written_while_online_is_announced_to_routing_with_their_teams(event_name: str) -> None:
    ((sequence, event),) = events_in([record(agent_to_item(agent()), "9", event_name)])
    assert sequence == "9"
    assert event == {
        "schema": 2,
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


def test_each_new_article_version_is_a_kb_event_and_the_current_item_is_not() -> None:
    from chalicelib.domain.kb import Article, ArticleStatus, Visibility
    from chalicelib.storage.dynamodb.kb import article_to_item, version_to_item

    article = Article(
        "K1", "Reset your PIN", "Steps.", "reset-your-pin", "en", "cards", ("pin",), Visibility.PUBLIC,
        ArticleStatus.PUBLISHED, T0, "A1", T0, "A2", T0, version=3,
    )  # fmt: skip
    records = [record(article_to_item(article), "1"), record(version_to_item(article, True), "2")]
    ((sequence, event),) = events_in(records)
    assert sequence == "2" and event["id"] == "kb.article.changed:K1:3"
    assert event["type"] == "kb.article.changed" and event["actor"] == {"kind": "agent", "id": "A2"}
    assert event["article"] == {
        "id": "K1",
        "version": 3,
        "status": "published",
        "visibility": "public",
        "reindex": True,
    }
    assert events_in([record(version_to_item(article, True), "3", event_name="MODIFY")]) == []
