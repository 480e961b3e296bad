"""Which events mail whom, for the kinds that automations write: SLA alerts, reminders, trigger notices and a
trigger's canned reply (in-memory services on a fixed clock, a fake SES, no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from chalicelib.domain.tickets import Channel, Status
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.events.envelope import envelope
from chalicelib.mailflow.drafts import Kind, kind_of
from chalicelib.mailflow.outbound import Outcome
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.fakes.objects import InMemoryObjectStore

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TRIGGER = Actor(ActorKind.SYSTEM, "trigger:t-vip")
AUTOMATION = Actor(ActorKind.SYSTEM, "automation")


class FakeSes:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **params: Any) -> dict[str, str]:
        self.sent.append(params)
        return {"MessageId": f"0100-fake-{len(self.sent)}"}

    def mail(self, index: int = -1) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.sent[index]["Content"]["Raw"]["Data"])
        assert isinstance(msg, EmailMessage)
        return msg


def text_of(msg: EmailMessage, subtype: str = "plain") -> str:
    part = msg.get_body((subtype,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def to_of(msg: EmailMessage) -> list[str]:
    return [a.addr_spec for a in msg["To"].addresses]


@pytest.fixture
def desk(settings: Any) -> dict[str, Any]:

    svc = fakes.memory_services(settings, lambda: NOW)
    ses = FakeSes()
    return {
        "svc": svc,
        "ses": ses,
        "outbound": fakes.outbound(svc, InMemoryObjectStore(), ses, b"k" * 32, lambda: NOW),
        "dora": svc.directory.create_agent("dora@agents.example", "Dora"),
        "ben": svc.directory.create_agent("ben@agents.example", "Ben Agent"),
    }


def new_ticket(desk: dict[str, Any], **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "subject": "Printer on fire",
        "body_text": "Help! It is smoking.",
        "channel": Channel.EMAIL,
        "requester_email": "bob@customer.example",
        "requester_name": "Bob",
        "acknowledge": False,
        "message_data": {"message_id": "m1@customer.example", "references": []},
    }
    ticket, _ = desk["svc"].tickets.create(Actor(ActorKind.CUSTOMER, "c"), NewTicket(**{**fields, **overrides}))
    return ticket


def write(desk: dict[str, Any], ticket_id: str, event: str, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A system event by ``actor`` on the ticket, as automations write it; its envelope."""
    svc = desk["svc"]
    ticket = svc.tickets.automatic(
        ticket_id, lambda current, now: (current, [TimelineEntry.system(current, event, actor, now, data=data)])
    )
    return latest(desk, ticket_id, event, ticket.version)


def canned_reply(desk: dict[str, Any], ticket_id: str, text: str, public: bool = True) -> dict[str, Any]:
    """A trigger's macro posted on the ticket, as the automations consumer writes it."""
    kind = EntryKind.MESSAGE if public else EntryKind.NOTE

    def build(current: Any, now: datetime) -> tuple[Any, list[TimelineEntry]]:
        entry = TimelineEntry.post(current, kind, TRIGGER, now, text, None, "automation")
        return replace(current, updated_at=now), [replace(entry, data={"trigger_id": "t-vip", "cause": "e1"})]

    ticket = desk["svc"].tickets.automatic(ticket_id, build)
    return latest(desk, ticket_id, "message.added" if public else "note.added", ticket.version)


def latest(desk: dict[str, Any], ticket_id: str, event: str, version: int) -> dict[str, Any]:
    _, timeline = desk["svc"].ticket_repo.get_with_timeline(ticket_id)
    [entry] = [e for e in timeline if e.event == event and e.ticket_version == version]
    return envelope(entry)


def sla(metric: str = "first_response", due_at: str = "2026-03-02T14:30:00+00:00", **data: Any) -> dict[str, Any]:
    base = {"metric": metric, "due_at": due_at, "target_minutes": 240, "policy_id": "p1", "policy_name": "Gold"}
    return {**base, **data}


# -- kinds ------------------------------------------------------------------------------------------


def event_of(event_type: str, actor: dict[str, Any], public: bool = False, **data: Any) -> dict[str, Any]:
    return {"type": event_type, "actor": actor, "public": public, "data": data}


AGENT_ACTOR = {"kind": "agent", "id": "a1"}
TRIGGER_ACTOR = {"kind": "system", "id": "trigger:t1"}
SYSTEM_ACTOR = {"kind": "system", "id": "lambdesk"}


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        (event_of("message.added", AGENT_ACTOR, public=True), Kind.REPLY),
        (event_of("message.added", TRIGGER_ACTOR, public=True), Kind.CANNED_REPLY),
        (event_of("message.added", TRIGGER_ACTOR), None),  # a trigger's internal note
        (event_of("message.added", SYSTEM_ACTOR, public=True), None),  # not a trigger
        (event_of("message.added", {"kind": "customer", "id": "c"}, public=True), None),
        (event_of("ticket.created", SYSTEM_ACTOR, acknowledge=True), Kind.ACKNOWLEDGEMENT),
        (event_of("ticket.created", SYSTEM_ACTOR), None),
        (event_of("ticket.assigned", AGENT_ACTOR), Kind.NOTIFICATION),
        (event_of("ticket.reminded", SYSTEM_ACTOR), Kind.REMINDER),
        (event_of("sla.warning", SYSTEM_ACTOR), Kind.SLA_ALERT),
        (event_of("sla.breached", SYSTEM_ACTOR), Kind.SLA_ALERT),
        (event_of("trigger.notified", TRIGGER_ACTOR), Kind.TRIGGER_NOTICE),
        (event_of("survey.requested", SYSTEM_ACTOR), Kind.SURVEY),
        (event_of("csat.answered", SYSTEM_ACTOR), None),
        (event_of("ticket.updated", TRIGGER_ACTOR), None),
    ],
)
def test_which_events_mail(event: dict[str, Any], kind: Kind | None) -> None:
    assert kind_of(event) is kind


def test_only_a_persons_reply_is_human_mail_and_only_replies_skip_agents() -> None:
    assert {k: k.auto_submitted for k in Kind} == {
        Kind.REPLY: None,
        Kind.CANNED_REPLY: "auto-replied",
        Kind.ACKNOWLEDGEMENT: "auto-replied",
        Kind.REMINDER: "auto-generated",
        Kind.NOTIFICATION: "auto-generated",
        Kind.SLA_ALERT: "auto-generated",
        Kind.TRIGGER_NOTICE: "auto-generated",
        Kind.SURVEY: "auto-generated",
    }
    assert {k for k in Kind if k.answers} == {Kind.REPLY, Kind.CANNED_REPLY}


# -- SLA alerts -------------------------------------------------------------------------------------


def test_an_sla_warning_tells_the_agents_what_is_due_when(desk: dict[str, Any]) -> None:
    svc, dora, ben = desk["svc"], desk["dora"], desk["ben"]
    ticket = new_ticket(desk, priority="high", subject="Printer <b>on</b> fire")
    data = sla("next_response", notify_agent_ids=[dora.id])
    ticket = svc.tickets.system_note(ticket.id, "sla.warning", "warning", data=data)
    ticket = svc.tickets.update(Actor(ActorKind.AGENT, ben.id), ticket.id, ticket.version, {"assignee_id": ben.id})
    [event] = [envelope(e) for e in svc.tickets.get(ticket.id)[1] if e.event == "sla.warning"]

    assert desk["outbound"].handle(event) is Outcome.SENT
    msg = desk["ses"].mail()
    assert to_of(msg) == ["dora@agents.example"]
    assert msg["Subject"] == f"SLA warning: next response due 14:30 UTC — [#{ticket.number}] Printer <b>on</b> fire"
    assert msg["X-Lambdesk-Kind"] == "sla_alert" and msg["Auto-Submitted"] == "auto-generated"
    text = text_of(msg)
    assert f"the next response on ticket [#{ticket.number}] is due Monday, 2 March 2026, 14:30 UTC." in text
    assert "Priority:  high" in text and "Assignee:  Ben Agent" in text  # the ticket as it is now
    assert "Policy:    Gold (next response within 4 hours)" in text
    assert "Help! It is smoking." in text
    html = text_of(msg, "html")
    assert "Printer &lt;b&gt;on&lt;/b&gt; fire" in html and "<b>on</b>" not in html


def test_an_sla_breach_due_another_day_names_the_day_and_nobody_assigned(desk: dict[str, Any]) -> None:
    ticket = new_ticket(desk)
    data = sla("resolution", "2026-03-01T17:00:00+00:00", notify_agent_ids=[desk["dora"].id])
    desk["svc"].tickets.system_note(ticket.id, "sla.breached", "breached", data=data)
    [event] = [envelope(e) for e in desk["svc"].tickets.get(ticket.id)[1] if e.event == "sla.breached"]

    assert desk["outbound"].handle(event) is Outcome.SENT
    msg = desk["ses"].mail()
    assert msg["Subject"] == f"SLA breached: resolution due 1 Mar 17:00 UTC — [#{ticket.number}] Printer on fire"
    text = text_of(msg)
    assert "resolution on ticket" in text and "was due Sunday, 1 March 2026, 17:00 UTC and is overdue" in text
    assert "Assignee:  nobody" in text


def test_sla_alerts_and_trigger_notices_mail_active_agents_once_each_all_in_to(desk: dict[str, Any]) -> None:
    svc, dora, ben = desk["svc"], desk["dora"], desk["ben"]
    gone = svc.directory.create_agent("gone@agents.example", "Gone")
    svc.directory.update_agent(gone.id, gone.version, {"active": False})
    ticket = new_ticket(desk)
    notify = [dora.id, gone.id, "no-such-agent", ben.id, dora.id]
    alert = write(desk, ticket.id, "sla.breached", Actor(ActorKind.SYSTEM, "sla"), sla(notify_agent_ids=notify))
    notice = write(
        desk, ticket.id, "trigger.notified", TRIGGER, {"notify_agent_ids": notify, "trigger_name": "VIP escalation"}
    )

    assert [desk["outbound"].handle(e) for e in (alert, notice)] == [Outcome.SENT, Outcome.SENT]
    for params in desk["ses"].sent:
        assert params["Destination"] == {"ToAddresses": ["dora@agents.example", "ben@agents.example"]}
    msg = desk["ses"].mail()
    assert msg["Subject"] == f'[#{ticket.number}] Trigger "VIP escalation": Printer on fire'
    assert msg["In-Reply-To"] is None and msg["References"] is None
    assert 'the trigger "VIP escalation" asks you to look at ticket' in text_of(msg)


def test_an_alert_or_notice_with_no_active_agent_to_notify_mails_nobody(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    gone = svc.directory.create_agent("gone@agents.example", "Gone")
    svc.directory.update_agent(gone.id, gone.version, {"active": False})
    ticket = new_ticket(desk)
    events = [
        write(desk, ticket.id, "sla.warning", Actor(ActorKind.SYSTEM, "sla"), sla(notify_agent_ids=[gone.id])),
        write(desk, ticket.id, "sla.breached", Actor(ActorKind.SYSTEM, "sla"), sla()),
        write(desk, ticket.id, "trigger.notified", TRIGGER, {"notify_agent_ids": [], "trigger_name": "T"}),
    ]
    assert [desk["outbound"].handle(e) for e in events] == [Outcome.IGNORED] * 3
    assert desk["ses"].sent == []


# -- reminders --------------------------------------------------------------------------------------


def pending(desk: dict[str, Any], **overrides: Any) -> Any:
    ticket = new_ticket(desk, **overrides)
    actor = Actor(ActorKind.AGENT, desk["ben"].id)
    return desk["svc"].tickets.reply(actor, ticket.id, ticket.version, "Which model?", status=Status.PENDING)


def test_a_reminder_without_a_solve_date_only_asks_for_a_reply(desk: dict[str, Any]) -> None:
    ticket = pending(desk)
    event = write(desk, ticket.id, "ticket.reminded", AUTOMATION, {"timer": "remind", "solve_at": None})
    assert desk["outbound"].handle(event) is Outcome.SENT
    msg = desk["ses"].mail()
    assert to_of(msg) == ["bob@customer.example"] and msg["X-Lambdesk-Kind"] == "reminder"
    assert msg["Subject"] == f"Re: [#{ticket.number}] Printer on fire"
    text = text_of(msg)
    assert "we are waiting for your reply" in text and "solved on" not in text and "reopens the ticket" in text


def test_a_reminder_for_a_ticket_that_is_no_longer_pending_is_not_sent(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    ticket = pending(desk)
    event = write(desk, ticket.id, "ticket.reminded", AUTOMATION, {"solve_at": "2026-03-06T09:30:00+00:00"})
    bob = svc.customers.resolve_email("bob@customer.example")
    svc.tickets.customer_message(bob, ticket.id, "It is a P-100.", "email")  # reopens the ticket
    assert desk["outbound"].handle(event) is Outcome.IGNORED


# -- a trigger's canned reply -----------------------------------------------------------------------


def test_the_acknowledgement_goes_to_the_requester_as_the_creation_wrote_them_down_unread(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = new_ticket(desk, acknowledge=True)
    event = latest(desk, ticket.id, "ticket.created", ticket.version)
    assert event["data"]["requester"] == {
        "email": "bob@customer.example",
        "name": "Bob",
        "vip": False,
        "mail_updates": True,
    }
    reads: list[str] = []
    repo = desk["svc"].customer_repo
    real = repo.get_customer
    monkeypatch.setattr(repo, "get_customer", lambda customer_id: reads.append(customer_id) or real(customer_id))
    assert desk["outbound"].handle(event) is Outcome.SENT
    assert reads == []
    assert to_of(desk["ses"].mail()) == ["bob@customer.example"]
    # A requester who follows requests in the portal gets no acknowledgement by mail.
    quiet = replace(desk["svc"].customers.get(ticket.requester_id), mail_updates=False)
    repo.update_customer(replace(quiet, version=quiet.version + 1), quiet.version)
    second = new_ticket(desk, acknowledge=True, subject="Again")
    assert desk["outbound"].handle(latest(desk, second.id, "ticket.created", second.version)) is Outcome.IGNORED


def test_a_canned_reply_is_an_automatic_answer_to_the_requester_and_ccs(desk: dict[str, Any]) -> None:
    ticket = new_ticket(desk, ccs=("carol@customer.example", "dora@agents.example"))
    event = canned_reply(desk, ticket.id, "Thanks, we are on it.")
    assert desk["outbound"].handle(event) is Outcome.SENT
    params, msg = desk["ses"].sent[-1], desk["ses"].mail()
    assert params["Destination"] == {"ToAddresses": ["bob@customer.example"], "CcAddresses": ["carol@customer.example"]}
    assert msg["Auto-Submitted"] == "auto-replied" and msg["X-Auto-Response-Suppress"] == "All"
    assert msg["X-Lambdesk-Kind"] == "canned_reply"
    assert msg["Subject"] == f"Re: [#{ticket.number}] Printer on fire"
    assert msg["In-Reply-To"] == "<m1@customer.example>"
    assert text_of(msg) == "Thanks, we are on it.\n"


def test_a_canned_reply_skips_no_reply_requesters_and_an_agents_reply_does_not(desk: dict[str, Any]) -> None:
    ticket = new_ticket(desk, requester_email="no-reply@shop.example")
    assert desk["outbound"].handle(canned_reply(desk, ticket.id, "Thanks!")) is Outcome.SKIPPED
    actor = Actor(ActorKind.AGENT, desk["ben"].id)
    desk["svc"].tickets.reply(actor, ticket.id, desk["svc"].ticket_repo.get(ticket.id).version, "Hi")
    [reply] = [
        envelope(e)
        for e in desk["svc"].tickets.get(ticket.id)[1]
        if e.event == "message.added" and e.author.kind is ActorKind.AGENT
    ]
    assert desk["outbound"].handle(reply) is Outcome.SENT
    assert to_of(desk["ses"].mail()) == ["no-reply@shop.example"]


def test_no_canned_reply_answers_bulk_mail_or_a_chat(desk: dict[str, Any]) -> None:
    bulk = new_ticket(desk, message_data={"message_id": "n@list.example", "bulk": True})
    chat = new_ticket(desk, channel=Channel.CHAT, message_data={})
    events = [canned_reply(desk, bulk.id, "Thanks!"), canned_reply(desk, chat.id, "Thanks!")]
    assert [desk["outbound"].handle(e) for e in events] == [Outcome.IGNORED, Outcome.IGNORED]
    assert desk["outbound"].handle(canned_reply(desk, bulk.id, "internal", public=False)) is Outcome.IGNORED
    assert desk["ses"].sent == []
