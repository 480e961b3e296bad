"""Mail for what automations write, on moto: SLA alerts, reminders, trigger notices and a trigger's canned reply.

As in ``test_outbound_mail``: events are the envelopes of real timeline entries on real tickets (written through
the services, as the SLA tracker, the timer keeper and the triggers consumer write them), delivered through
``send_batch`` to SESv2; what SES accepted is read from moto's SES backend.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.events.envelope import envelope
from chalicelib.mailflow.caps import Cap, Scope
from tests.integration import test_outbound_mail
from tests.integration.test_outbound_mail import NOW, agent_reply, batch, failed, ids, open_ticket, ses_sent

# The outbound mail tests' desk (services on DynamoDB, a mail bucket, a verified support domain) as fixtures here.
desk, shared_table = test_outbound_mail.desk, test_outbound_mail.shared_table
send_batch = test_outbound_mail.send_batch

TRIGGER = Actor(ActorKind.SYSTEM, "trigger:t-vip")


def entry_of(desk: dict[str, Any], ticket_id: str, event: str, version: int) -> dict[str, Any]:
    _, timeline = desk["svc"].ticket_repo.get_with_timeline(ticket_id)
    [entry] = [e for e in timeline if e.event == event and e.ticket_version == version]
    return envelope(entry)


def system_event(
    desk: dict[str, Any], ticket_id: str, event: str, actor: Actor, data: dict[str, Any]
) -> dict[str, Any]:
    ticket = desk["svc"].tickets.automatic(
        ticket_id, lambda current, now: (current, [TimelineEntry.system(current, event, actor, now, data=data)])
    )
    return entry_of(desk, ticket_id, event, ticket.version)


def canned_reply(desk: dict[str, Any], ticket_id: str, text: str) -> dict[str, Any]:
    """A trigger's public macro on the ticket, as the automations consumer writes it."""

    def build(current: Any, now: datetime) -> tuple[Any, list[TimelineEntry]]:
        entry = TimelineEntry.post(current, EntryKind.MESSAGE, TRIGGER, now, text, None, "automation")
        return replace(current, updated_at=now), [replace(entry, data={"trigger_id": "t-vip", "cause": "e1"})]

    ticket = desk["svc"].tickets.automatic(ticket_id, build)
    return entry_of(desk, ticket_id, "message.added", ticket.version)


def agents(desk: dict[str, Any], *names: str, inactive: tuple[str, ...] = ()) -> dict[str, Any]:
    directory, made = desk["svc"].directory, {}
    for name in names:
        agent = directory.create_agent(f"{name.lower()}-{uuid.uuid4().hex[:6]}@agents.example", name)
        made[name] = directory.update_agent(agent.id, agent.version, {"active": False}) if name in inactive else agent
    return made


def addresses(header: Any) -> list[str]:
    return [a.addr_spec for a in header.addresses] if header is not None else []


def test_an_sla_breach_mails_the_active_agents_once_outside_the_conversation(desk: dict[str, Any]) -> None:
    svc, team = desk["svc"], agents(desk, "Dora", "Eve", "Finn", inactive=("Eve",))
    ticket, _ = open_ticket(desk, acknowledge=False)
    ticket = svc.tickets.update(desk["actor"], ticket.id, ticket.version, {"assignee_id": team["Dora"].id})
    data = {
        "metric": "first_response",
        "due_at": "2026-03-02T14:30:00+00:00",
        "target_minutes": 60,
        "policy_id": "p-gold",
        "policy_name": "Gold",
        "notify_agent_ids": [team["Dora"].id, team["Eve"].id, team["Finn"].id],
    }
    ticket = svc.tickets.system_note(ticket.id, "sla.breached", "First response overdue", data=data)
    [event] = [envelope(e) for e in svc.ticket_repo.get_with_timeline(ticket.id)[1] if e.event == "sla.breached"]

    assert failed(send_batch(batch(event, event))) == []  # delivered twice in one batch
    assert failed(send_batch(batch(event))) == []  # and once more later
    [mail] = ses_sent(team["Dora"].email)
    assert ses_sent(team["Eve"].email) == []  # deactivated
    assert addresses(mail["To"]) == [team["Dora"].email, team["Finn"].email] and mail["Cc"] is None
    assert mail["Auto-Submitted"] == "auto-generated" and mail["X-Auto-Response-Suppress"] == "All"
    assert mail["In-Reply-To"] is None and mail["References"] is None
    assert mail["Subject"] == f"SLA breached: first response due 2 Mar 14:30 UTC — [#{ticket.number}] Printer on fire"
    text = mail.get_body(("plain",)).get_content()
    assert "first response on ticket" in text and "was due Monday, 2 March 2026, 14:30 UTC and is overdue" in text
    assert "Assignee:  Dora" in text and "Priority:  normal" in text and "Status:    new" in text
    assert "Gold (first response within 1 hour)" in text and "Help!" in text
    assert ses_sent(desk["bob"]) == []  # never the customer


def test_a_reminder_joins_the_conversation_and_the_next_reply_threads_on_it(desk: dict[str, Any]) -> None:
    svc = desk["svc"]
    ticket, _ = open_ticket(desk, acknowledge=False)
    ticket = svc.tickets.reply(desk["actor"], ticket.id, ticket.version, "Which model is it?", status=Status.PENDING)
    question = entry_of(desk, ticket.id, "message.added", ticket.version)
    reminded = system_event(
        desk,
        ticket.id,
        "ticket.reminded",
        Actor(ActorKind.SYSTEM, "automation"),
        {"timer": "remind", "solve_at": "2026-03-09T09:00:00+00:00"},
    )
    assert failed(send_batch(batch(question))) == [] and failed(send_batch(batch(reminded, reminded))) == []
    _, reminder = ses_sent(desk["bob"])
    assert addresses(reminder["To"]) == [desk["bob"]]
    assert reminder["Auto-Submitted"] == "auto-generated" and reminder["X-Lambdesk-Kind"] == "reminder"
    assert reminder["Subject"] == f"Re: [#{ticket.number}] Printer on fire"
    question_id = f"{ses_sent(desk['bob'])[0]['X-Test-SES-Id']}@email.amazonses.com"
    assert ids(reminder["In-Reply-To"]) == [question_id]
    text = reminder.get_body(("plain",)).get_content()
    assert "we are waiting for your reply" in text
    assert "we will mark the ticket as solved on Monday, 9 March 2026" in text and "reopens the ticket" in text

    follow_up = agent_reply(desk, ticket.id, "Any news?")
    assert failed(send_batch(batch(follow_up))) == []
    reminder_id = f"{reminder['X-Test-SES-Id']}@email.amazonses.com"
    assert ids(ses_sent(desk["bob"])[-1]["In-Reply-To"]) == [reminder_id]  # read back from the reminder's copy


def test_a_trigger_notice_mails_the_active_agents_it_names(desk: dict[str, Any]) -> None:
    team = agents(desk, "Gina", "Hal", inactive=("Hal",))
    ticket, _ = open_ticket(desk, acknowledge=False)
    data = {
        "notify_agent_ids": [team["Gina"].id, team["Hal"].id],
        "trigger_id": "t-vip",
        "trigger_name": "VIP escalation",
        "cause": "e1",
    }
    event = system_event(desk, ticket.id, "trigger.notified", TRIGGER, data)
    assert failed(send_batch(batch(event))) == []
    [mail] = ses_sent(team["Gina"].email)
    assert ses_sent(team["Hal"].email) == []
    assert addresses(mail["To"]) == [team["Gina"].email]
    assert mail["Auto-Submitted"] == "auto-generated" and mail["In-Reply-To"] is None
    assert mail["Subject"] == f'[#{ticket.number}] Trigger "VIP escalation": Printer on fire'
    assert 'the trigger "VIP escalation" asks you to look at ticket' in mail.get_body(("plain",)).get_content()


def test_a_triggers_canned_reply_is_capped_like_automatic_mail_and_an_agents_reply_is_not(
    desk: dict[str, Any],
) -> None:
    carol = f"carol-{uuid.uuid4().hex[:6]}@customer.example"
    tight = (Cap(Scope.TICKET_RECIPIENT, 600, 1),)
    ticket, _ = open_ticket(desk, acknowledge=False, ccs=(carol,))
    first = canned_reply(desk, ticket.id, "Thanks, we are looking into it.")
    assert failed(send_batch(batch(first), clock=lambda: NOW, caps=tight)) == []
    [mail] = ses_sent(desk["bob"])
    assert addresses(mail["To"]) == [desk["bob"]] and addresses(mail["Cc"]) == [carol]
    assert mail["Auto-Submitted"] == "auto-replied" and mail["X-Lambdesk-Kind"] == "canned_reply"
    assert mail["Subject"] == f"Re: [#{ticket.number}] Printer on fire"
    assert mail.get_body(("plain",)).get_content().startswith("Thanks, we are looking into it.")
    assert ids(mail["In-Reply-To"]) == [opening_message_id(desk, ticket.id)]

    second = canned_reply(desk, ticket.id, "Thanks again.")
    assert failed(send_batch(batch(second), clock=lambda: NOW + timedelta(minutes=1), caps=tight)) == []
    assert len(ses_sent(desk["bob"])) == 1 and len(ses_sent(carol)) == 1  # over the cap: not sent

    reply = agent_reply(desk, ticket.id, "A technician is on the way.")
    assert failed(send_batch(batch(reply), clock=lambda: NOW + timedelta(minutes=2), caps=tight)) == []
    *_, human = ses_sent(desk["bob"])
    assert len(ses_sent(desk["bob"])) == 2 and human["Auto-Submitted"] is None  # a person's reply: sent anyway


def opening_message_id(desk: dict[str, Any], ticket_id: str) -> str:
    """The Message-ID of the customer's mail that opened the ticket."""
    _, timeline = desk["svc"].ticket_repo.get_with_timeline(ticket_id)
    return str(next(e for e in timeline if e.event == "message.added").data["message_id"])
