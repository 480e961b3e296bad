"""Outbound mail as it leaves Lambdesk, parsed back with the standard library: headers, parts, threading,
and which ticket events mail whom (in-memory services, a fake SES, no network)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.tickets import Channel
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.events.envelope import envelope
from chalicelib.mailflow.addresses import ticket_number_from
from chalicelib.mailflow.compose import (
    MailAttachment,
    Mailbox,
    OutboundMail,
    compose,
    mailbox,
    render,
    reply_bodies,
    text_to_html,
    thread,
    ticket_subject,
)
from chalicelib.mailflow.outbound import Outcome, sent_key
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.fakes.objects import InMemoryObjectStore

ROOT = Path(__file__).resolve().parents[3]
KEY = b"unit-test-signing-key-0123456789abcdef"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def parse(raw: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def body(msg: EmailMessage, subtype: str) -> str:
    """A body part's text, line endings as Python writes them (the wire has CRLF)."""
    part = msg.get_body((subtype,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def sample(**overrides: Any) -> OutboundMail:
    mail = OutboundMail(
        sender=Mailbox("help@support.example.com", "Lambdesk Support"),
        reply_to="help+42-abcdefghij@support.example.com",
        to=(Mailbox("bob@customer.example", "Bob Müller"),),
        cc=(Mailbox("carol@customer.example"),),
        subject="Re: [#42] Drucker brennt",
        text="Hallo Bob,\nwir kümmern uns.\n",
        html="<p>Hallo Bob,<br>wir kümmern uns.</p>",
        message_id="lambdesk-01abc@support.example.com",
        date=NOW,
        in_reply_to="m2@customer.example",
        references=("m1@customer.example", "m2@customer.example"),
    )
    return replace(mail, **overrides)


# -- the MIME ---------------------------------------------------------------------------------------


def test_headers_survive_a_round_trip_through_the_stdlib_parser() -> None:
    msg = parse(compose(sample(auto_submitted="auto-replied")))
    assert msg["From"].addresses[0].display_name == "Lambdesk Support"
    assert msg["From"].addresses[0].addr_spec == "help@support.example.com"
    assert [a.addr_spec for a in msg["To"].addresses] == ["bob@customer.example"]
    assert msg["To"].addresses[0].display_name == "Bob Müller"
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["carol@customer.example"]
    assert msg["Reply-To"].addresses[0].addr_spec == "help+42-abcdefghij@support.example.com"
    assert msg["Subject"] == "Re: [#42] Drucker brennt"
    assert msg["Message-ID"] == "<lambdesk-01abc@support.example.com>"
    assert msg["In-Reply-To"] == "<m2@customer.example>"
    assert msg["References"].split() == ["<m1@customer.example>", "<m2@customer.example>"]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["MIME-Version"] == "1.0"


def test_mail_written_by_a_person_carries_no_automatic_headers() -> None:
    msg = parse(compose(sample(in_reply_to=None, references=())))
    assert msg["Auto-Submitted"] is None and msg["X-Auto-Response-Suppress"] is None
    assert msg["In-Reply-To"] is None and msg["References"] is None


def test_text_and_html_are_alternatives_and_the_raw_mail_is_seven_bit() -> None:
    raw = compose(sample())
    raw.decode("ascii")  # quoted-printable bodies and RFC 2047 headers: safe for any relay
    msg = parse(raw)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert body(msg, "plain") == "Hallo Bob,\nwir kümmern uns.\n"
    assert "wir kümmern uns" in body(msg, "html")
    assert b"MIME-Version" not in raw.split(b"\r\n\r\n", 1)[1]  # only the top level carries it


def test_attachments_make_a_mixed_mail_and_keep_their_bytes_and_names() -> None:
    pdf = b"%PDF-1.4\n" + bytes(range(256))
    msg = parse(
        compose(
            sample(
                attachments=(
                    MailAttachment("Bericht ü.pdf", "application/pdf", pdf),
                    MailAttachment("notes", "not a type", b"plain bytes"),
                )
            )
        )
    )
    assert msg.get_content_type() == "multipart/mixed"
    first, second = list(msg.iter_attachments())
    assert (first.get_filename(), first.get_content_type(), first.get_content()) == (
        "Bericht ü.pdf",
        "application/pdf",
        pdf,
    )
    assert second.get_content_type() == "application/octet-stream"
    assert msg.get_body(("plain",)) is not None


def test_header_values_cannot_inject_headers() -> None:
    msg = parse(compose(sample(subject="Hi\r\nBcc: victim@example.com", to=(Mailbox("bob@x.example", "B\nC"),))))
    assert msg["Bcc"] is None
    assert msg["Subject"] == "Hi Bcc: victim@example.com"
    assert msg["To"].addresses[0].display_name == "B C"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Printer on fire", "Re: [#42] Printer on fire"),
        ("AW: Re: Printer on fire", "Re: [#42] Printer on fire"),
        ("Re: [#42] Printer on fire", "Re: [#42] Printer on fire"),
        ("[#7] Printer on fire", "Re: [#42] Printer on fire"),
        ("", "Re: [#42] (no subject)"),
    ],
)
def test_the_subject_carries_this_tickets_token_once_and_first(subject: str, expected: str) -> None:
    assert ticket_subject(subject, 42) == expected


def test_notification_subjects_are_not_replies() -> None:
    assert ticket_subject("Printer", 5, reply=False, label="Assigned to you: ") == "[#5] Assigned to you: Printer"


def test_mailboxes_are_validated_and_lower_cased() -> None:
    assert mailbox("Bob@Customer.Example", "Bob") == Mailbox("bob@customer.example", "Bob")
    assert mailbox("jörg@münchen.de") is None  # non-ASCII local parts need SMTPUTF8, which SES does not do
    assert mailbox("info@münchen.de") == Mailbox("info@xn--mnchen-3ya.de")
    for bad in ("", "bob", "bob@", "@x.example", "a b@x.example", "bob@localhost", None):
        assert mailbox(bad) is None


# -- threading --------------------------------------------------------------------------------------


def entry(
    event: str, kind: EntryKind = EntryKind.EVENT, author: ActorKind = ActorKind.SYSTEM, **data: Any
) -> TimelineEntry:
    from chalicelib.core.ids import new_id

    return TimelineEntry("T1", new_id(), NOW, kind, event, Actor(author, "x"), 42, 1, data=data)


def test_a_reply_answers_the_newest_mail_and_references_the_conversation() -> None:
    first = entry("message.added", EntryKind.MESSAGE, ActorKind.CUSTOMER, message_id="<m1@c.example>")
    answer = entry("message.added", EntryKind.MESSAGE, ActorKind.AGENT)
    second = entry(
        "message.added",
        EntryKind.MESSAGE,
        ActorKind.CUSTOMER,
        message_id="m2@c.example",
        references=["m1@c.example", "ses-1@email.amazonses.com"],
    )
    again = entry("message.added", EntryKind.MESSAGE, ActorKind.AGENT)
    sent = {answer.id: "ses-1@email.amazonses.com", again.id: "ses-2@email.amazonses.com"}
    looked_up: list[str] = []

    def sent_id(e: TimelineEntry) -> str | None:
        looked_up.append(e.id)
        return sent.get(e.id)

    in_reply_to, references = thread([first, answer, second, again], sent_id)
    assert in_reply_to == "ses-2@email.amazonses.com"
    assert references == ("m1@c.example", "ses-1@email.amazonses.com", "m2@c.example", "ses-2@email.amazonses.com")
    assert looked_up == [again.id]  # older sent mail is already in the customer's References


def test_internal_notes_from_mail_never_enter_the_customers_thread() -> None:
    note = entry("note.added", EntryKind.NOTE, ActorKind.AGENT, message_id="internal@agent.example")
    assert thread([note], lambda e: None) == (None, ())


def test_references_keep_the_newest_twenty_ids() -> None:
    refs = [f"m{i}@c.example" for i in range(30)]
    last = entry("message.added", EntryKind.MESSAGE, ActorKind.CUSTOMER, message_id="m30@c.example", references=refs)
    in_reply_to, references = thread([last], lambda e: None)
    assert in_reply_to == "m30@c.example"
    assert len(references) == 20 and references[-1] == "m30@c.example" and references[0] == "m11@c.example"


# -- bodies -----------------------------------------------------------------------------------------


def test_plain_text_becomes_escaped_html_with_line_breaks() -> None:
    assert text_to_html("a < b\n& c") == "a &lt; b<br>\n&amp; c"


def test_templates_escape_customer_text_in_html_only() -> None:
    text, html = render("acknowledgement", name="<Bob>", number=7, subject="<script>x</script>", support_name="S")
    assert "<script>x</script>" in text and "Hello <Bob>" in text
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html and "&lt;Bob&gt;" in html


def test_an_html_reply_is_sanitised_and_a_text_reply_escaped() -> None:
    context = {"number": 7, "subject": "S", "support_name": "Desk"}
    _, html = reply_bodies("hi", '<p onclick="x()">Hi</p><script>alert(1)</script>', context)
    assert "<p>Hi</p>" in html and "script" not in html and "onclick" not in html
    text, html = reply_bodies("1 < 2\nbye", None, context)
    assert text == "1 < 2\nbye" and "1 &lt; 2<br>" in html


def test_importing_the_outbound_modules_loads_neither_jinja_nor_the_sdk() -> None:
    probe = (
        "import chalicelib.mailflow.outbound, chalicelib.mailflow.feedback, sys, json; "
        "print(json.dumps([m for m in ('jinja2', 'boto3', 'botocore', 'nh3') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# -- which events mail whom (in-memory services) ------------------------------------------------------


class FakeSes:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **params: Any) -> dict[str, str]:
        self.sent.append(params)
        return {"MessageId": f"0100-fake-{len(self.sent)}"}

    def mail(self, index: int = -1) -> EmailMessage:
        return parse(self.sent[index]["Content"]["Raw"]["Data"])


@pytest.fixture
def desk(memory_svc: Any) -> dict[str, Any]:
    ses, store = FakeSes(), InMemoryObjectStore()
    agent = memory_svc.directory.create_agent("ben@agents.example", "Ben Agent")
    return {
        "svc": memory_svc,
        "ses": ses,
        "store": store,
        "agent": agent,
        "actor": Actor(ActorKind.AGENT, agent.id),
        "outbound": fakes.outbound(memory_svc, store, ses, KEY),
    }


def events(svc: Any, ticket_id: str, event_type: str) -> list[dict[str, Any]]:
    return [envelope(e) for e in svc.tickets.get(ticket_id)[1] if e.event == event_type]


def new_ticket(desk: dict[str, Any], **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "subject": "Printer on fire",
        "body_text": "Help!",
        "channel": Channel.EMAIL,
        "requester_email": "bob@customer.example",
        "requester_name": "Bob",
        "acknowledge": True,
        "message_data": {"message_id": "m1@customer.example", "references": []},
    }
    ticket, _ = desk["svc"].tickets.create(Actor(ActorKind.CUSTOMER, "c"), NewTicket(**{**fields, **overrides}))
    return ticket


def test_an_agents_public_reply_goes_to_the_requester_and_ccs_threaded_and_signed(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    ticket = new_ticket(desk, ccs=("carol@customer.example", "ben@agents.example", "desk@support.example.com"))
    svc.tickets.reply(desk["actor"], ticket.id, ticket.version, "We are on it.\nBen")
    [event] = [e for e in events(svc, ticket.id, "message.added") if e["actor"]["kind"] == "agent"]

    assert desk["outbound"].handle(event) is Outcome.SENT

    params = desk["ses"].sent[-1]
    assert params["Destination"] == {"ToAddresses": ["bob@customer.example"], "CcAddresses": ["carol@customer.example"]}
    msg = desk["ses"].mail()
    assert msg["Subject"] == f"Re: [#{ticket.number}] Printer on fire"
    assert msg["Auto-Submitted"] is None
    assert msg["In-Reply-To"] == "<m1@customer.example>"
    reply_to = msg["Reply-To"].addresses[0].addr_spec
    assert ticket_number_from(reply_to, "support.example.com", KEY) == ticket.number
    assert body(msg, "plain") == "We are on it.\nBen\n"
    assert "We are on it.<br>" in body(msg, "html")
    copy = parse(desk["store"].get(svc.settings.bucket, sent_key(ticket.id, event["id"])))
    assert copy["Message-ID"] == "<0100-fake-1@email.amazonses.com>"  # what recipients see: SES's id
    assert svc.mail_repo.ticket_for_message_id("0100-fake-1@email.amazonses.com") == ticket.id
    assert svc.mail_repo.ticket_for_message_id(msg["Message-ID"].strip("<>")) == ticket.id


def test_a_new_mail_ticket_is_acknowledged_automatically(desk: dict[str, Any]) -> None:
    ticket = new_ticket(desk)
    [event] = events(desk["svc"], ticket.id, "ticket.created")
    assert desk["outbound"].handle(event) is Outcome.SENT
    msg = desk["ses"].mail()
    assert msg["Auto-Submitted"] == "auto-replied" and msg["X-Auto-Response-Suppress"] == "All"
    assert msg["In-Reply-To"] == "<m1@customer.example>"
    assert f"opened ticket [#{ticket.number}]" in body(msg, "plain")


def test_api_tickets_bulk_mail_and_no_reply_senders_get_no_acknowledgement(desk: dict[str, Any]) -> None:
    api = new_ticket(desk, acknowledge=False, channel=Channel.API, message_data={})
    bulk = new_ticket(desk, message_data={"message_id": "n@list.example", "bulk": True})
    robot = new_ticket(desk, requester_email="no-reply@shop.example")
    outcomes = [desk["outbound"].handle(events(desk["svc"], t.id, "ticket.created")[0]) for t in (api, bulk, robot)]
    assert outcomes == [Outcome.IGNORED, Outcome.IGNORED, Outcome.SKIPPED]
    assert desk["ses"].sent == []


def test_an_assignment_notifies_the_assignee_unless_they_took_it_themselves(desk: dict[str, Any]) -> None:
    svc, ben = desk["svc"], desk["agent"]
    dora = svc.directory.create_agent("dora@agents.example", "Dora")
    ticket = new_ticket(desk)
    ticket = svc.tickets.update(desk["actor"], ticket.id, ticket.version, {"assignee_id": dora.id})
    svc.tickets.update(desk["actor"], ticket.id, ticket.version, {"assignee_id": ben.id})
    to_dora, to_himself = events(svc, ticket.id, "ticket.assigned")

    assert desk["outbound"].handle(to_dora) is Outcome.SENT
    assert desk["outbound"].handle(to_himself) is Outcome.IGNORED
    assert len(desk["ses"].sent) == 1
    msg = desk["ses"].mail()
    assert [a.addr_spec for a in msg["To"].addresses] == ["dora@agents.example"]
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == f"[#{ticket.number}] Assigned to you: Printer on fire"
    text = body(msg, "plain")
    assert "Ben Agent assigned ticket" in text and "Help!" in text


def test_notes_updates_and_customer_messages_mail_nobody(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    ticket = new_ticket(desk)
    ticket = svc.tickets.note(desk["actor"], ticket.id, ticket.version, "internal")
    svc.tickets.update(desk["actor"], ticket.id, ticket.version, {"priority": "high"})
    for event_type in ("note.added", "ticket.updated", "message.added"):
        for event in events(svc, ticket.id, event_type):
            assert desk["outbound"].handle(event) is Outcome.IGNORED
    assert desk["ses"].sent == []


def test_chat_replies_are_not_mailed(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    ticket = new_ticket(desk, channel=Channel.CHAT, acknowledge=False, message_data={})
    svc.tickets.reply(desk["actor"], ticket.id, ticket.version, "Hi from chat")
    [event] = [e for e in events(svc, ticket.id, "message.added") if e["actor"]["kind"] == "agent"]
    assert desk["outbound"].handle(event) is Outcome.IGNORED


def test_a_reply_with_attachments_attaches_them_and_refuses_keys_outside_the_prefix(desk: dict[str, Any]) -> None:
    from chalicelib.mailflow.outbound import UnsendableMail, kind_of

    svc, store, outbound = desk["svc"], desk["store"], desk["outbound"]
    store.put(svc.settings.bucket, "attachments/x/0-log.txt", b"line 1\n", "text/plain")
    ticket = new_ticket(desk, acknowledge=False)
    svc.tickets.reply(desk["actor"], ticket.id, ticket.version, "See the log.")
    [event] = [e for e in events(svc, ticket.id, "message.added") if e["actor"]["kind"] == "agent"]
    draft = outbound.draft(kind_of(event), event)
    assert draft is not None

    with_log = replace(draft, attachments=({"key": "attachments/x/0-log.txt", "filename": "log.txt"},))
    assert outbound.deliver(with_log, event) is Outcome.SENT
    [part] = desk["ses"].mail().iter_attachments()
    assert (part.get_filename(), part.get_content_type(), part.get_content()) == ("log.txt", "text/plain", "line 1\n")

    with pytest.raises(UnsendableMail):
        outbound.deliver(replace(draft, attachments=("raw/someone-elses-mail",)), {**event, "id": "other"})
