"""Inbound mail -> tickets, on the in-memory services: threading, classification, idempotency, failures."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from chalicelib.domain.people import Role
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind
from chalicelib.mailflow.addresses import reply_address
from chalicelib.mailflow.inbound import MailIngest
from chalicelib.mailflow.notices import InboundNotice
from chalicelib.storage.objects import MissingObject
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.fakes.objects import InMemoryObjectStore

BUCKET = "mail"
KEY = b"k" * 32
SUPPORT = "help@support.example.com"
_serial = itertools.count(1)


@pytest.fixture
def desk(memory_svc: Any) -> Iterator[tuple[MailIngest, InMemoryObjectStore, Any]]:
    store = InMemoryObjectStore()
    yield fakes.mail_ingest(memory_svc, store, KEY), store, memory_svc


def mail(
    sender: str = "Bob Buyer <bob@customer.example>",
    subject: str = "Printer on fire",
    body: str = "It is really on fire.",
    to: str = SUPPORT,
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<m{next(_serial)}@customer.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def deliver(
    ingest: MailIngest,
    store: InMemoryObjectStore,
    message: EmailMessage | bytes,
    key: str | None = None,
    spam: str = "PASS",
) -> Any:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    key = key or f"raw/{next(_serial)}"
    store.put(BUCKET, key, raw)
    notice = InboundNotice(
        BUCKET,
        key,
        key.rsplit("/", 1)[-1],
        (SUPPORT,),
        {"spamVerdict": {"status": spam}, "virusVerdict": {"status": "PASS"}},
    )
    return ingest.handle(notice)


def timeline(svc: Any, number: int) -> list[Any]:
    return svc.tickets.get_by_number(number)[1]


def test_a_new_mail_opens_a_ticket_for_its_sender_with_an_acknowledgement(desk: Any) -> None:
    ingest, store, svc = desk
    outcome = deliver(ingest, store, mail(Cc="Carla <carla@customer.example>"))
    assert outcome.kind == "created"
    ticket, entries = svc.tickets.get_by_number(outcome.ticket_number)
    customer = svc.customers.get(ticket.requester_id)
    assert (customer.email, customer.name) == ("bob@customer.example", "Bob Buyer")
    assert ticket.channel == "email" and ticket.subject == "Printer on fire"
    assert ticket.ccs == ("carla@customer.example",)
    created, message = entries[0], entries[1]
    assert created.data["acknowledge"] is True
    assert message.body_text == "It is really on fire."
    assert message.data["message_id"].endswith("@customer.example")
    assert message.data["raw"]["bucket"] == BUCKET


def test_the_same_mail_delivered_twice_is_one_message(desk: Any) -> None:
    ingest, store, svc = desk
    message = mail()
    first = deliver(ingest, store, message, key="raw/same")
    second = deliver(ingest, store, message, key="raw/same")
    assert (first.kind, second.kind) == ("created", "duplicate")
    assert len([e for e in svc.ticket_repo.published if e.event == "ticket.created"]) == 1


def test_the_same_mail_delivered_twice_as_two_objects_is_one_message(desk: Any) -> None:
    ingest, store, svc = desk
    message = mail()
    assert deliver(ingest, store, message, key="raw/first-delivery").kind == "created"
    assert deliver(ingest, store, message, key="raw/retried-delivery").kind == "duplicate"
    assert len([e for e in svc.ticket_repo.published if e.event == "message.added"]) == 1


def test_two_different_mails_sharing_a_message_id_are_both_kept(desk: Any) -> None:
    ingest, store, svc = desk
    one = mail(subject="First")
    two = mail(subject="Second")
    del two["Message-ID"]
    two["Message-ID"] = one["Message-ID"]
    assert deliver(ingest, store, one).kind == "created"
    assert deliver(ingest, store, two).kind == "created"
    assert len([e for e in svc.ticket_repo.published if e.event == "message.added"]) == 2


def test_a_reply_to_the_signed_address_threads_whatever_its_headers(desk: Any) -> None:
    ingest, store, _svc = desk
    first = deliver(ingest, store, mail())
    address = reply_address(SUPPORT, first.ticket_number, KEY)
    reply = deliver(ingest, store, mail(subject="something else entirely", body="More details", to=address))
    assert (reply.kind, reply.ticket_number, reply.detail) == ("message", first.ticket_number, "reply_address")
    forged = address.replace(address.split("-")[-1].split("@")[0], "aaaaaaaaaa")
    assert deliver(ingest, store, mail(to=forged)).kind == "created"


def test_a_reply_naming_a_stored_message_id_threads(desk: Any) -> None:
    ingest, store, svc = desk
    original = mail()
    first = deliver(ingest, store, original)
    answer = mail(
        subject="Re: Printer on fire",
        body="Thanks\n\nOn Mon, Nov 2, 2026 at 9:00 AM Bob Buyer <bob@customer.example> wrote:\n"
        "> It is really on fire.",
        In_Reply_To=original["Message-ID"],
        References=original["Message-ID"],
    )
    outcome = deliver(ingest, store, answer)
    assert (outcome.kind, outcome.ticket_number, outcome.detail) == ("message", first.ticket_number, "references")
    assert timeline(svc, first.ticket_number)[-1].body_text == "Thanks"


def test_a_subject_token_threads_only_for_people_on_the_ticket(desk: Any) -> None:
    ingest, store, _svc = desk
    first = deliver(ingest, store, mail())
    token = f"Re: [#{first.ticket_number}] Printer on fire"
    stranger = deliver(ingest, store, mail(sender="eve@elsewhere.example", subject=token))
    assert stranger.kind == "created" and stranger.ticket_number != first.ticket_number
    requester = deliver(ingest, store, mail(subject=token))
    assert (requester.kind, requester.ticket_number) == ("message", first.ticket_number)


def test_a_reply_reopens_a_pending_ticket(desk: Any) -> None:
    ingest, store, svc = desk
    first = deliver(ingest, store, mail())
    ticket, _ = svc.tickets.get_by_number(first.ticket_number)
    agent = svc.directory.create_agent("ben@desk.example", "Ben")
    svc.tickets.reply(
        Actor(ActorKind.AGENT, agent.id), ticket.id, ticket.version, "Which model?", status=Status.PENDING
    )
    deliver(ingest, store, mail(subject=f"[#{first.ticket_number}] model", body="LaserJet 4"))
    assert svc.tickets.get_by_number(first.ticket_number)[0].status is Status.OPEN


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(desk: Any) -> None:
    ingest, store, svc = desk
    original = mail()
    first = deliver(ingest, store, original)
    ticket, _ = svc.tickets.get_by_number(first.ticket_number)
    actor = Actor(ActorKind.AGENT, "system")
    solved = svc.tickets.update(actor, ticket.id, ticket.version, {"status": Status.SOLVED})
    svc.tickets.update(actor, ticket.id, solved.version, {"status": Status.CLOSED})
    outcome = deliver(ingest, store, mail(subject="Re: Printer on fire", In_Reply_To=original["Message-ID"]))
    assert outcome.kind == "follow_up"
    follow_up, _entries = svc.tickets.get_by_number(outcome.ticket_number)
    assert follow_up.related_ids == (ticket.id,)
    assert svc.ticket_repo.get(ticket.id).status is Status.CLOSED


def test_a_new_inquiry_from_a_customer_with_an_open_ticket_is_linked_not_merged(desk: Any) -> None:
    ingest, store, svc = desk
    first = deliver(ingest, store, mail(subject="Printer on fire"))
    second = deliver(ingest, store, mail(subject="Also, my invoice"))
    assert second.kind == "created" and second.ticket_number != first.ticket_number
    one = svc.tickets.get_by_number(first.ticket_number)[0]
    two = svc.tickets.get_by_number(second.ticket_number)[0]
    assert two.related_ids == (one.id,) and one.related_ids == (two.id,)


def test_only_a_customers_first_mail_says_first_contact_and_it_looks_for_no_open_ticket(
    desk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest, store, svc = desk
    views: list[Any] = []
    real_view = svc.tickets.view
    monkeypatch.setattr(svc.tickets, "view", lambda view, *a, **k: views.append(view) or real_view(view, *a, **k))
    first = deliver(ingest, store, mail(sender="Nia New <nia@customer.example>"))
    assert views == []  # a customer created by this mail has no ticket to relate the new one to
    second = deliver(ingest, store, mail(sender="nia@customer.example", subject="Another question"))
    assert [v.kind for v in views] == ["requester"]
    first_message = next(e for e in timeline(svc, first.ticket_number) if e.kind is EntryKind.MESSAGE)
    second_message = next(e for e in timeline(svc, second.ticket_number) if e.kind is EntryKind.MESSAGE)
    assert first_message.data.get("first_contact") is True
    assert "first_contact" not in second_message.data


def test_an_auto_reply_becomes_a_note_and_never_a_ticket(desk: Any) -> None:
    ingest, store, svc = desk
    original = mail()
    first = deliver(ingest, store, original)
    ooo = mail(
        sender="bob@customer.example",
        subject="Out of office",
        body="I am away until Monday.",
        Auto_Submitted="auto-replied",
        In_Reply_To=original["Message-ID"],
    )
    outcome = deliver(ingest, store, ooo)
    assert (outcome.kind, outcome.ticket_number, outcome.detail) == ("note", first.ticket_number, "mail.auto_reply")
    last = timeline(svc, first.ticket_number)[-1]
    assert (last.kind, last.public) == (EntryKind.EVENT, False)
    stray = deliver(ingest, store, mail(subject="Out of office", Auto_Submitted="auto-replied"))
    assert (stray.kind, stray.detail) == ("quarantined", "unmatched-auto-reply")
    assert len([e for e in svc.ticket_repo.published if e.event == "ticket.created"]) == 1


def bounce_for(original: EmailMessage, failed: str, status: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.customer.example\r\nTo: help@support.example.com\r\nSubject: Undelivered Mail\r\n"
        "Message-ID: <bounce1@mx.customer.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.example\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: {status}\r\n"
        "--B\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: help@support.example.com\r\nTo: {failed}\r\nMessage-ID: {original['Message-ID']}\r\n"
        "Subject: x\r\n\r\nbody\r\n"
        "--B--\r\n"
    ).encode()


def test_a_permanent_bounce_suppresses_the_address_and_notes_the_ticket(desk: Any) -> None:
    ingest, store, svc = desk
    original = mail()
    first = deliver(ingest, store, original)
    outcome = deliver(ingest, store, bounce_for(original, "carla@customer.example", "5.1.1"))
    assert (outcome.kind, outcome.detail) == ("note", "mail.bounced")
    assert svc.mail_repo.suppression("carla@customer.example") is not None
    last = timeline(svc, first.ticket_number)[-1]
    assert last.data["bounce"]["recipients"] == ["carla@customer.example"]
    assert len([e for e in svc.ticket_repo.published if e.event == "ticket.created"]) == 1


def test_spam_unparseable_and_own_domain_mail_are_quarantined_with_a_reason(desk: Any) -> None:
    ingest, store, svc = desk
    assert deliver(ingest, store, mail(), spam="FAIL").detail == "spam"
    assert deliver(ingest, store, b"").detail == "unparseable"
    assert deliver(ingest, store, mail(sender="help@support.example.com")).detail == "own-address"
    reasons = sorted(r.reason for r in svc.mail_repo.list_quarantine(10).items)
    assert reasons == ["own-address", "spam", "unparseable"]
    assert svc.ticket_repo.published == []


def test_a_newsletter_is_quarantined_and_a_mailing_list_post_opens_a_ticket_without_acknowledgement(
    desk: Any,
) -> None:
    ingest, store, svc = desk
    news = deliver(
        ingest, store, mail(sender="news@vendor.example", List_Id="<news.vendor.example>", Precedence="bulk")
    )
    assert (news.kind, news.detail) == ("quarantined", "newsletter")
    post = mail(sender="ann@community.example", List_Id="<users.lists.example>", List_Post="<mailto:u@lists.example>")
    outcome = deliver(ingest, store, post)
    ticket, entries = svc.tickets.get_by_number(outcome.ticket_number)
    assert ticket.tags == ("mailing-list",)
    assert "acknowledge" not in entries[0].data


def test_mail_from_an_agent_on_a_ticket_is_kept_as_an_internal_note(desk: Any) -> None:
    ingest, store, svc = desk
    first = deliver(ingest, store, mail())
    svc.directory.create_agent("ben@desk.example", "Ben", Role.AGENT)
    outcome = deliver(ingest, store, mail(sender="ben@desk.example", subject=f"[#{first.ticket_number}] fwd"))
    assert outcome.kind == "note"
    last = timeline(svc, first.ticket_number)[-1]
    assert (last.kind, last.public) == (EntryKind.NOTE, False)


def test_attachments_are_stored_once_under_keys_of_the_raw_mail(desk: Any) -> None:
    ingest, store, svc = desk
    message = mail()
    message.add_attachment(b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="invoice 4411.pdf")
    outcome = deliver(ingest, store, message, key="raw/with-attachment")
    entry = timeline(svc, outcome.ticket_number)[1]
    [attachment] = entry.data["attachments"]
    assert attachment["filename"] == "invoice 4411.pdf" and attachment["size"] == 16
    assert store.get(BUCKET, attachment["key"]) == b"%PDF-1.4 invoice"


class Crash(Exception):
    pass


def test_failures_at_each_step_end_in_exactly_one_outcome(desk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Raw missing, the ticket write failing, and a crash after the write: each mail ends as one ticket."""
    ingest, store, svc = desk
    notice = InboundNotice(BUCKET, "raw/late", "late", (SUPPORT,), {})
    with pytest.raises(MissingObject):
        ingest.handle(notice)  # the queue retries it
    store.put(BUCKET, "raw/late", mail().as_bytes())
    real_create = svc.ticket_repo.create

    def failing_create(*args: Any, **kwargs: Any) -> None:
        raise Crash("DynamoDB unavailable")

    monkeypatch.setattr(svc.ticket_repo, "create", failing_create)
    with pytest.raises(Crash):
        ingest.handle(notice)
    assert svc.mail_repo.ingested("raw/late") is None
    monkeypatch.setattr(svc.ticket_repo, "create", real_create)
    assert ingest.handle(notice).kind == "created"
    assert ingest.handle(notice).kind == "duplicate"  # the worker died before deleting the message
    assert len([e for e in svc.ticket_repo.published if e.event == "ticket.created"]) == 1


def test_tickets_created_through_the_api_are_not_acknowledged(desk: Any) -> None:
    _, _, svc = desk
    agent = svc.directory.create_agent("ada@desk.example", "Ada", Role.ADMIN)
    _, entries = svc.tickets.create(
        Actor(ActorKind.AGENT, agent.id), NewTicket(subject="x", body_text="y", requester_email="c@customer.example")
    )
    assert "acknowledge" not in entries[0].data
