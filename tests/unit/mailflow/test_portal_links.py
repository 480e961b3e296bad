"""Every mail the desk sends a requester about a ticket links to it in the portal; the sign-in mail goes out
once per request (in-memory services, a fake SES, no network)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.tickets import Channel, Status
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind
from chalicelib.events.envelope import envelope
from chalicelib.mailflow.outbound import Outcome
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.fakes.objects import InMemoryObjectStore
from tests.unit.mailflow.test_drafts import FakeSes, text_of

PORTAL = "https://help.example.com"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LINK = re.compile(rf"{re.escape(PORTAL)}/portal/t/([A-Za-z0-9_-]+)")


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from chalicelib.core.settings import get_settings
    from tests.conftest import reset_caches

    monkeypatch.setenv("LAMBDESK_PORTAL_URL", PORTAL + "/")
    reset_caches()
    svc = fakes.memory_services(get_settings(), lambda: NOW)
    ses = FakeSes()
    agent = svc.directory.create_agent("ben@agents.example", "Ben")
    yield {
        "svc": svc,
        "ses": ses,
        "outbound": fakes.outbound(svc, InMemoryObjectStore(), ses, b"k" * 32),
        "agent": agent,
    }
    reset_caches()


def create(desk: dict[str, Any], **fields: Any) -> Any:
    new = NewTicket("Printer on fire", "Help", Channel.EMAIL, requester_email="bob@customer.example", **fields)
    ticket, entries = desk["svc"].tickets.create(Actor(ActorKind.CUSTOMER, "c"), new)
    return ticket, envelope(entries[0])


def reply(desk: dict[str, Any], ticket: Any, text: str = "We are on it.") -> dict[str, Any]:
    agent = Actor(ActorKind.AGENT, desk["agent"].id)
    after = desk["svc"].tickets.reply(agent, ticket.id, ticket.version, text)
    _, timeline = desk["svc"].tickets.get(ticket.id)
    [entry] = [e for e in timeline if e.kind is EntryKind.MESSAGE and e.ticket_version == after.version]
    return envelope(entry)


def test_the_acknowledgement_links_to_the_ticket_and_the_link_opens_it(desk: dict[str, Any]) -> None:
    ticket, created = create(desk, acknowledge=True)
    assert desk["outbound"].handle(created) is Outcome.SENT
    mail = desk["ses"].mail()
    found = LINK.search(text_of(mail))
    assert found and f'href="{PORTAL}/portal/t/{found.group(1)}"' in text_of(mail, "html")
    opened = desk["svc"].ticket_links.open(found.group(1))
    assert opened is not None and opened.ticket_id == ticket.id and opened.customer_id == ticket.requester_id


def test_a_redelivered_event_and_later_mails_carry_the_same_link(desk: dict[str, Any]) -> None:
    ticket, created = create(desk, acknowledge=True)
    desk["outbound"].handle(created)
    assert desk["outbound"].handle(created) is Outcome.DUPLICATE
    first = LINK.search(text_of(desk["ses"].mail()))
    desk["outbound"].handle(reply(desk, ticket))
    later = LINK.search(text_of(desk["ses"].mail()))
    assert first and later and first.group(1) == later.group(1) and len(desk["ses"].sent) == 2
    assert text_of(desk["ses"].mail()).startswith("We are on it.")  # the agent's words first, the link after


def test_a_mail_with_cc_recipients_links_to_the_sign_in_page_not_to_a_ticket_link(desk: dict[str, Any]) -> None:
    ticket, _ = create(desk, ccs=("boss@customer.example",))
    desk["outbound"].handle(reply(desk, ticket))
    text = text_of(desk["ses"].mail())
    assert LINK.search(text) is None and f"{PORTAL}/portal/tickets/{ticket.number}" in text


def test_a_reminder_and_a_canned_reply_link_to_the_ticket_too(desk: dict[str, Any]) -> None:
    from chalicelib.domain.timeline import TimelineEntry

    ticket, _ = create(desk)
    svc = desk["svc"]
    agent = Actor(ActorKind.AGENT, desk["agent"].id)
    ticket = svc.tickets.update(agent, ticket.id, ticket.version, {"status": Status.PENDING})
    ticket = svc.tickets.automatic(
        ticket.id,
        lambda t, now: (t, [TimelineEntry.system(t, "ticket.reminded", Actor(ActorKind.SYSTEM, "automation"), now)]),
    )
    _, timeline = svc.tickets.get(ticket.id)
    assert desk["outbound"].handle(envelope(timeline[-1])) is Outcome.SENT
    assert LINK.search(text_of(desk["ses"].mail()))


def test_a_requester_who_follows_requests_in_the_portal_gets_no_reply_mail(desk: dict[str, Any]) -> None:
    ticket, _ = create(desk)
    svc = desk["svc"]
    bob = svc.customers.get(ticket.requester_id)
    svc.customers.update(bob.id, bob.version, {"mail_updates": False})
    assert desk["outbound"].handle(reply(desk, ticket)) is Outcome.IGNORED
    assert desk["ses"].sent == []


def test_without_a_portal_url_mail_carries_no_portal_link(settings: Any) -> None:
    svc = fakes.memory_services(settings, lambda: NOW)
    ses = FakeSes()
    new = NewTicket("Hi", "Help", Channel.EMAIL, requester_email="bob@customer.example", acknowledge=True)
    _, entries = svc.tickets.create(Actor(ActorKind.CUSTOMER, "c"), new)
    fakes.outbound(svc, InMemoryObjectStore(), ses, b"k" * 32).handle(envelope(entries[0]))
    assert "/portal/" not in text_of(ses.mail())


def test_the_sign_in_mail_goes_out_once_per_request_with_a_copy_in_the_outbox(desk: dict[str, Any]) -> None:
    from chalicelib.access.signins import new_attempt

    svc = desk["svc"]
    _, attempt = new_attempt()
    event = {"id": "01SIGNIN", "type": "portal.sign_in", "occurred_at": NOW.isoformat(), "attempt": attempt,
             "email": "ann@customer.example", "locale": "en"}  # fmt: skip
    handler = svc.sign_in_mail(desk["ses"])
    assert handler.on_sign_in(event) == "sent"
    assert handler.on_sign_in(event) == "duplicate"
    assert len(desk["ses"].sent) == 1
    mail = desk["ses"].mail()
    assert mail["X-Lambdesk-Kind"] == "sign_in" and mail["Auto-Submitted"] == "auto-generated"
    copies = svc.repos.objects.keys(svc.settings.bucket, "sent/01SIGNIN")
    assert copies == ["sent/01SIGNIN.eml"]


def test_a_suppressed_address_gets_no_sign_in_mail(desk: dict[str, Any]) -> None:
    from chalicelib.access.signins import new_attempt
    from chalicelib.storage.ports import Suppression

    svc = desk["svc"]
    svc.mail_repo.suppress(Suppression("gone@customer.example", "bounce", datetime(2030, 1, 1, tzinfo=UTC)))
    event = {"id": "01X", "type": "portal.sign_in", "occurred_at": NOW.isoformat(), "attempt": new_attempt()[1],
             "email": "gone@customer.example", "locale": "ru"}  # fmt: skip
    assert svc.sign_in_mail(desk["ses"]).on_sign_in(event) == "skipped" and desk["ses"].sent == []


def test_sign_in_mail_refuses_to_guess_the_portal_url(settings: Any) -> None:
    from chalicelib.portal.mail import PortalUrlMissing

    svc = fakes.memory_services(settings, lambda: NOW)
    event = {"id": "01Y", "type": "portal.sign_in", "occurred_at": NOW.isoformat(), "attempt": "a" * 64,
             "email": "ann@customer.example", "locale": "en"}  # fmt: skip
    with pytest.raises(PortalUrlMissing):
        svc.sign_in_mail(FakeSes()).on_sign_in(event)
