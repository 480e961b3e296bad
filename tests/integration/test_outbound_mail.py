"""Outbound mail on moto: real ticket events through ``send_batch`` to SESv2, copies in S3, ids in DynamoDB.

Events are the envelopes of real timeline entries, delivered in SQS-shaped batches with distinct message ids
(as the worker and Lambda build them). What SES accepted is read from moto's SES backend (the moto server runs
in this process).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import boto3
import pytest

from chalicelib.domain.tickets import Channel
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.events.envelope import envelope
from chalicelib.mailflow.caps import Cap, Scope
from chalicelib.mailflow.outbound import sent_key
from chalicelib.storage.ports import Suppression
from chalicelib.tickets.service import NewTicket
from devtools.mail_outbox import outbox
from devtools.worker import sqs_lambda_event

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:lambdesk-test-outbound"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def send_batch(raw: dict[str, Any], clock: Any = None, caps: Any = None) -> dict[str, Any]:
    """The outbound queue's batch, with this test's clock and caps instead of the container's."""
    from chalicelib import bootstrap
    from chalicelib.events.dispatch import ANY, Consumer
    from chalicelib.mailflow.caps import DEFAULT_CAPS

    c = bootstrap.current()
    handler = c.outbound(clock=clock or c.clock, caps=caps or DEFAULT_CAPS).handle
    return Consumer("outbound", lambda: {ANY: (handler,)}).batch(raw)


def feedback_batch(raw: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.bootstrap.handlers import mail_feedback

    return mail_feedback(raw)


@pytest.fixture(scope="module")
def shared_table(moto_url: str) -> str:
    """One table for the module (each test has its own addresses, bucket and domain): table creation is the
    slowest part of a test on moto."""
    from devtools.provision import create_table

    name = f"lambdesk-test-{uuid.uuid4().hex[:10]}"
    create_table(boto3.client("dynamodb", endpoint_url=moto_url, region_name="us-east-1"), name)
    return name


@pytest.fixture
def desk(aws: str, shared_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """DynamoDB-backed services, a mail bucket and a verified support domain of this test's own."""
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from chalicelib.storage.dynamodb.models import Item, bind
    from tests.conftest import reset_caches

    tag = uuid.uuid4().hex[:10]
    bucket, domain = f"lambdesk-test-mail-{tag}", f"s{tag}.example.com"
    for name, value in {
        "LAMBDESK_TABLE_NAME": shared_table,
        "LAMBDESK_MAIL_BUCKET": bucket,
        "LAMBDESK_SUPPORT_DOMAIN": domain,
        "LAMBDESK_SUPPORT_ADDRESS": f"help@{domain}",
    }.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    boto3.client("s3").create_bucket(Bucket=bucket)
    boto3.client("sesv2").create_email_identity(EmailIdentity=domain)
    if Item.Meta.table_name != shared_table or getattr(Item.Meta, "host", None) != aws:
        bind(shared_table, "us-east-1", aws)
    # bootstrap.dynamodb_container would bind again, and new connections are the slowest part of a test on moto.
    svc = bootstrap.dynamodb_container(get_settings(), bind_models=False)
    bootstrap.use(svc)
    agent = svc.directory.create_agent(f"ben-{tag}@agents.example", "Ben Agent")
    yield {
        "bucket": bucket,
        "domain": domain,
        "svc": svc,
        "agent": agent,
        "actor": Actor(ActorKind.AGENT, agent.id),
        "bob": f"bob-{tag}@customer.example",
    }
    bootstrap.use(None)


def ses_sent(to: str) -> list[EmailMessage]:
    """What moto's SES accepted for ``to``, oldest first, each with ``X-Test-SES-Id``: the id SES returned."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = get_backend("ses")[DEFAULT_ACCOUNT_ID]["us-east-1"]
    found = []
    for message in backend.sent_messages:
        if any(to in str(d) for d in getattr(message, "destinations", [])):
            parsed = BytesParser(policy=policy.default).parsebytes(message.raw_data.encode())
            assert isinstance(parsed, EmailMessage)
            parsed["X-Test-SES-Id"] = message.id
            found.append(parsed)
    return found


def batch(*events: dict[str, Any]) -> dict[str, Any]:
    messages = [{"MessageId": str(uuid.uuid4()), "ReceiptHandle": "r", "Body": json.dumps(e)} for e in events]
    return sqs_lambda_event(messages, QUEUE_ARN)


def failed(result: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in result["batchItemFailures"]]


def open_ticket(desk: dict[str, Any], **overrides: Any) -> tuple[Any, dict[str, Any]]:
    """A ticket opened by a mail from Bob (as the inbound side records it) and its ``ticket.created`` event."""
    fields: dict[str, Any] = {
        "subject": "Printer on fire",
        "body_text": "Help!",
        "channel": Channel.EMAIL,
        "requester_email": desk["bob"],
        "requester_name": "Bob",
        "acknowledge": True,
        "message_data": {"message_id": f"m1-{uuid.uuid4().hex[:6]}@customer.example", "references": []},
    }
    ticket, entries = desk["svc"].tickets.create(Actor(ActorKind.CUSTOMER, "c"), NewTicket(**{**fields, **overrides}))
    return ticket, envelope(entries[0])


def agent_reply(desk: dict[str, Any], ticket_id: str, text: str) -> dict[str, Any]:
    svc = desk["svc"]
    ticket = svc.ticket_repo.get(ticket_id)
    svc.tickets.reply(desk["actor"], ticket_id, ticket.version, text)
    timeline = svc.tickets.get(ticket_id)[1]
    return envelope([e for e in timeline if e.event == "message.added" and e.author.kind is ActorKind.AGENT][-1])


def ids(header: object) -> list[str]:
    return [i.strip("<>") for i in str(header or "").split()]


def test_a_conversation_threads_through_the_ids_ses_gives_and_every_mail_is_kept(desk: dict[str, Any]) -> None:
    svc, first_id = desk["svc"], f"m1-{uuid.uuid4().hex[:6]}@customer.example"
    ticket, created = open_ticket(desk, message_data={"message_id": first_id, "references": []})
    assert failed(send_batch(batch(created))) == []
    [ack] = ses_sent(desk["bob"])
    assert ack["Auto-Submitted"] == "auto-replied" and ack["X-Auto-Response-Suppress"] == "All"
    assert ids(ack["In-Reply-To"]) == [first_id]
    ack_id = f"{ack['X-Test-SES-Id']}@email.amazonses.com"  # the Message-ID SES writes into what it sends
    assert svc.mail_repo.ticket_for_message_id(ack_id) == ticket.id  # so Bob's answer threads back
    assert svc.mail_repo.ticket_for_message_id(ids(ack["Message-ID"])[0]) == ticket.id  # our own id too

    bob = svc.customers.resolve_email(desk["bob"])
    answer = {"message_id": "m2@customer.example", "references": [first_id, ack_id]}
    svc.tickets.customer_message(bob, ticket.id, "Still burning", "email", None, answer)
    first_reply = agent_reply(desk, ticket.id, "A technician is on the way.")
    second_reply = agent_reply(desk, ticket.id, "He will be there at 10.")
    assert failed(send_batch(batch(first_reply, second_reply))) == []

    _, one, two = ses_sent(desk["bob"])
    assert one["Auto-Submitted"] is None
    assert one["Subject"] == f"Re: [#{ticket.number}] Printer on fire"
    assert ids(one["In-Reply-To"]) == ["m2@customer.example"]
    assert ids(one["References"]) == [first_id, ack_id, "m2@customer.example"]
    one_id = f"{one['X-Test-SES-Id']}@email.amazonses.com"
    assert ids(two["In-Reply-To"]) == [one_id]  # read back from the copy of the first reply
    assert ids(two["References"]) == [first_id, ack_id, "m2@customer.example", one_id]

    from chalicelib.storage.objects import S3ObjectStore

    listed = outbox(S3ObjectStore(), desk["bucket"])
    assert [m["event_id"] for m in listed] == [created["id"], first_reply["id"], second_reply["id"]]
    assert listed[0]["key"] == sent_key(ticket.id, created["id"])
    assert listed[0]["auto_submitted"] == "auto-replied" and listed[1]["auto_submitted"] is None
    assert listed[1]["message_id"] == f"<{one_id}>"
    assert listed[1]["to"] == [desk["bob"]] and listed[1]["text"].startswith("A technician is on the way.")
    assert listed[1]["headers"]["In-Reply-To"] == "<m2@customer.example>"


def test_a_redelivered_event_is_sent_once(desk: dict[str, Any]) -> None:
    ticket, _ = open_ticket(desk, acknowledge=False)
    reply = agent_reply(desk, ticket.id, "On it.")
    assert failed(send_batch(batch(reply, reply))) == []  # the same event twice in one batch
    assert failed(send_batch(batch(reply))) == []  # and once more later
    assert len(ses_sent(desk["bob"])) == 1


def test_a_failed_send_is_retried_and_sent_once_the_claim_is_stale(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES refuses (unverified sender): the record fails; a retry while the claim is fresh fails too (another
    attempt might still be sending); once the claim is stale the retry sends, once."""
    ticket, _ = open_ticket(desk, acknowledge=False)
    reply = agent_reply(desk, ticket.id, "On it.")
    boto3.client("sesv2").delete_email_identity(EmailIdentity=desk["domain"])
    event = batch(reply)
    assert failed(send_batch(event, clock=lambda: NOW)) == [event["Records"][0]["messageId"]]
    boto3.client("sesv2").create_email_identity(EmailIdentity=desk["domain"])
    assert len(failed(send_batch(batch(reply), clock=lambda: NOW + timedelta(seconds=60)))) == 1
    assert ses_sent(desk["bob"]) == []
    assert failed(send_batch(batch(reply), clock=lambda: NOW + timedelta(seconds=301))) == []
    assert failed(send_batch(batch(reply), clock=lambda: NOW + timedelta(seconds=900))) == []
    assert len(ses_sent(desk["bob"])) == 1


def test_a_suppressed_requester_gets_nothing_and_the_ccs_still_get_the_reply(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    carol = f"carol-{uuid.uuid4().hex[:6]}@customer.example"
    ticket, created = open_ticket(desk, ccs=(carol,))
    svc.mail_repo.suppress(Suppression(desk["bob"], "bounce:Permanent/General", datetime.now(UTC) + timedelta(days=30)))
    reply = agent_reply(desk, ticket.id, "On it.")
    assert failed(send_batch(batch(created, reply))) == []
    assert ses_sent(desk["bob"]) == []
    [to_carol] = ses_sent(carol)
    assert [a.addr_spec for a in to_carol["To"].addresses] == [carol]


def test_caps_stop_an_auto_reply_ping_pong_with_another_desk(desk: dict[str, Any]) -> None:
    """Another desk answers every acknowledgement with a new mail that opens a new ticket here. The counters
    are DynamoDB's; the caps are tightened so the loop is short (the defaults are checked in the unit tests)."""
    other_desk = f"support-{uuid.uuid4().hex[:6]}@other-desk.example"
    tight = (Cap(Scope.RECIPIENT, 600, 3),)
    events = [open_ticket(desk, requester_email=other_desk, subject=f"Ticket {i}")[1] for i in range(5)]
    assert failed(send_batch(batch(*events), clock=lambda: NOW, caps=tight)) == []
    assert len(ses_sent(other_desk)) == 3
    later = open_ticket(desk, requester_email=other_desk)[1]
    assert failed(send_batch(batch(later), clock=lambda: NOW + timedelta(minutes=10), caps=tight)) == []
    assert len(ses_sent(other_desk)) == 4  # a new window: one more gets through, then the loop is capped again


def test_an_assignment_notifies_the_agent(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    dora = svc.directory.create_agent(f"dora-{uuid.uuid4().hex[:6]}@agents.example", "Dora")
    ticket, _ = open_ticket(desk, acknowledge=False)
    svc.tickets.update(desk["actor"], ticket.id, ticket.version, {"assignee_id": dora.id})
    [assigned] = [envelope(e) for e in svc.tickets.get(ticket.id)[1] if e.event == "ticket.assigned"]
    assert failed(send_batch(batch(assigned))) == []
    [mail] = ses_sent(dora.email)
    assert mail["Auto-Submitted"] == "auto-generated" and mail["In-Reply-To"] is None


def test_a_bounce_reported_by_ses_stops_the_next_mail(desk: dict[str, Any]) -> None:
    ticket, _ = open_ticket(desk, acknowledge=False)
    notice = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": desk["bob"], "action": "failed", "status": "5.1.1"}],
            "timestamp": datetime.now(UTC).isoformat(),
            "feedbackId": "0100-feedback",
        },
        "mail": {"messageId": "0100-sent", "destination": [desk["bob"]], "source": "help@x"},
    }
    assert failed(feedback_batch(batch(notice))) == []
    assert failed(send_batch(batch(agent_reply(desk, ticket.id, "Hello?")))) == []
    assert ses_sent(desk["bob"]) == []


def test_the_lambda_handlers_run_the_same_path(desk: dict[str, Any]) -> None:
    """``app.send_mail`` and ``app.mail_feedback`` as Lambda calls them (a raw event and a context)."""
    import importlib

    from devtools.worker import FakeContext

    app = importlib.import_module("app")
    _, created = open_ticket(desk)
    result = app.send_mail(batch(created), FakeContext("send_mail"))
    assert result == {"batchItemFailures": []}
    assert len(ses_sent(desk["bob"])) == 1
    assert app.mail_feedback(batch({"notificationType": "Delivery"}), FakeContext("mail_feedback")) == {
        "batchItemFailures": []
    }


# -- long threads: what a reply reads does not grow with the timeline (docs/decisions/011-cost-end-to-end.md) --


_METERS: dict[str, Any] = {}


def metered(desk: dict[str, Any], event: dict[str, Any]) -> tuple[list[str], float]:
    """``(reads, read units)`` of DynamoDB while the outbound consumer handles ``event``."""
    from bench.meter import Meter
    from chalicelib.storage.dynamodb.models import all_item_classes

    meter = _METERS.setdefault("meter", Meter(boto3.client("dynamodb")))  # hooks stay on the clients: one meter
    for cls in all_item_classes():
        meter.attach(cls._get_connection().connection.client)
    meter.start()
    try:
        assert failed(send_batch(batch(event))) == []
    finally:
        calls = meter.stop()
    reads = [c for c in calls if c.operation in ("GetItem", "BatchGetItem", "Query")]
    return [c.operation for c in reads], sum(c.units.read for c in reads)


def conversation(desk: dict[str, Any], notes: int) -> tuple[str, str, str]:
    """A ticket opened by Bob's mail, his second mail, then ``notes`` internal notes: (ticket id, ids)."""
    svc, first_id = desk["svc"], f"m1-{uuid.uuid4().hex[:6]}@customer.example"
    ticket, _ = open_ticket(desk, acknowledge=False, message_data={"message_id": first_id, "references": []})
    second_id = f"m2-{uuid.uuid4().hex[:6]}@customer.example"
    bob = svc.customers.resolve_email(desk["bob"])
    svc.tickets.customer_message(
        bob, ticket.id, "Still burning", "email", None, {"message_id": second_id, "references": [first_id]}
    )
    for i in range(notes):
        current = svc.ticket_repo.get(ticket.id)
        svc.tickets.note(desk["actor"], ticket.id, current.version, f"note {i}: " + "x" * 300)
    return ticket.id, first_id, second_id


def test_a_reply_after_a_hundred_notes_threads_to_the_last_mail_and_reads_what_a_short_thread_reads(
    desk: dict[str, Any],
) -> None:
    read = {}
    for notes in (3, 120):
        ticket_id, first_id, second_id = conversation(desk, notes)
        assert len(desk["svc"].tickets.get(ticket_id)[1]) == notes + 3
        read[notes] = metered(desk, agent_reply(desk, ticket_id, f"After {notes} notes."))
        mail = ses_sent(desk["bob"])[-1]
        assert ids(mail["In-Reply-To"]) == [second_id]
        assert ids(mail["References"]) == [first_id, second_id]
    assert read[120] == read[3]
    # The ticket with the reply's entry, the requester, the recipient's suppression and agent lookups.
    assert read[3][0] == ["BatchGetItem", "GetItem", "BatchGetItem"]


def test_a_ticket_written_before_its_head_kept_the_conversation_still_threads(desk: dict[str, Any]) -> None:
    """No mail thread item, no ``mtv`` and ``mcp`` on the ticket: the reply walks the timeline, as before."""
    from chalicelib.storage.dynamodb.mapping import THREAD_SK, TICKET_SK, ticket_pk
    from chalicelib.storage.dynamodb.models import ThreadItem, TicketItem

    ticket_id, first_id, second_id = conversation(desk, 30)
    head = TicketItem.get(ticket_pk(ticket_id), TICKET_SK)
    head.update(actions=[TicketItem.mail_thread_version.remove(), TicketItem.customer_mark.remove()])
    ThreadItem.get(ticket_pk(ticket_id), THREAD_SK).delete()
    assert desk["svc"].ticket_repo.get(ticket_id, thread=True).mail_thread_version is None
    reads, units = metered(desk, agent_reply(desk, ticket_id, "Old ticket."))
    mail = ses_sent(desk["bob"])[-1]
    assert ids(mail["In-Reply-To"]) == [second_id] and ids(mail["References"]) == [first_id, second_id]
    assert reads[:2] == ["BatchGetItem", "Query"] and units > 2  # the head says nothing: the whole timeline


def test_a_merged_ticket_threads_with_the_mail_that_came_with_the_merge(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    target_id, target_first, target_second = conversation(desk, 2)
    source_id, source_first, source_second = conversation(desk, 1)  # its mail is newer than the target's
    source = svc.ticket_repo.get(source_id)
    svc.ticket_relations.merge(desk["actor"], source_id, target_id, source.version)
    assert failed(send_batch(batch(agent_reply(desk, target_id, "Both in one.")))) == []
    mail = ses_sent(desk["bob"])[-1]
    assert ids(mail["In-Reply-To"]) == [source_second]
    assert ids(mail["References"]) == [target_first, target_second, source_first, source_second]


def test_an_assignment_after_many_notes_quotes_the_customers_last_message_reading_what_a_short_thread_reads(
    desk: dict[str, Any],
) -> None:
    svc = desk["svc"]
    dora = svc.directory.create_agent(f"dora-{uuid.uuid4().hex[:6]}@agents.example", "Dora")
    read = {}
    for notes in (3, 60):
        ticket_id, first_id, second_id = conversation(desk, notes)
        current = svc.ticket_repo.get(ticket_id)
        svc.tickets.update(desk["actor"], ticket_id, current.version, {"assignee_id": dora.id})
        assigned = [e for e in svc.tickets.get(ticket_id)[1] if e.event == "ticket.assigned"][-1]
        read[notes] = metered(desk, envelope(assigned))
        notice = ses_sent(dora.email)[-1]
        body = notice.get_body(("plain",))
        assert body is not None and "Still burning" in body.get_content()
        # The notice's copy sits between the customer's mail and the next reply: it is no mail to the customer.
        assert failed(send_batch(batch(agent_reply(desk, ticket_id, "Dora is on it.")))) == []
        reply = ses_sent(desk["bob"])[-1]
        assert ids(reply["In-Reply-To"]) == [second_id] and ids(reply["References"]) == [first_id, second_id]
    assert read[60] == read[3]
    assert read[3][0][:2] == ["BatchGetItem", "GetItem"]  # the ticket with its thread, then the message they name
