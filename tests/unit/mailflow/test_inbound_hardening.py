"""Inbound mail that is hostile or keeps failing: quarantined with a reason, never burning ticket numbers,
never looping with an autoresponder, never writing an item DynamoDB would refuse."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from chalicelib.events.envelope import envelope
from chalicelib.mailflow.entries import MAX_LISTED, MAX_TEXT_BYTES
from chalicelib.mailflow.notices import InboundNotice
from tests import fakes
from tests.fakes.memory import InMemoryTicketRepository
from tests.fakes.objects import InMemoryObjectStore
from tests.unit.mailflow.test_drafts import FakeSes

BUCKET = "mail"
KEY = b"k" * 32
SUPPORT = "help@support.example.com"
_serial = itertools.count(1)


class FailingTickets(InMemoryTicketRepository):
    """A ticket repository whose next ``failures`` creates fail as a throttled DynamoDB would."""

    def __init__(self, customers: Any) -> None:
        super().__init__(customers)
        self.failures = 0

    def create(self, *args: Any, **kwargs: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("throttled")
        super().create(*args, **kwargs)


@pytest.fixture
def desk(settings: Any) -> Iterator[dict[str, Any]]:
    repos = fakes.memory_repositories()
    tickets = FailingTickets(repos.customers)
    from tests.fakes.memory import InMemoryMailRepository

    repos = fakes.Repositories(
        tickets,
        repos.customers,
        repos.directory,
        InMemoryMailRepository(tickets),
        repos.config,
        repos.work,
        repos.objects,
        repos.kb,
        repos.access,
        repos.uploads,
        repos.surveys,
        repos.chat,
    )
    c = fakes.Container(settings, repos, cache_seconds=0.0)
    store = InMemoryObjectStore()
    yield {"c": c, "store": store, "ingest": fakes.mail_ingest(c, store, KEY), "tickets": tickets}


def mail(sender: str = "bob@customer.example", subject: str = "Printer on fire", body: str = "Help") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, SUPPORT, subject
    msg["Message-ID"] = f"<m{next(_serial)}@customer.example>"
    msg.set_content(body)
    return msg


def deliver(desk: dict[str, Any], message: EmailMessage | bytes, attempt: int = 1, key: str | None = None) -> Any:
    key = key or f"raw/{next(_serial)}"
    desk["store"].put(BUCKET, key, message if isinstance(message, bytes) else message.as_bytes())
    verdicts = {"spamVerdict": {"status": "PASS"}, "virusVerdict": {"status": "PASS"}}
    return desk["ingest"].handle(InboundNotice(BUCKET, key, key[4:], (SUPPORT,), verdicts), attempt)


def test_a_retry_after_a_failed_create_reuses_the_ticket_number(desk: dict[str, Any]) -> None:
    desk["tickets"].failures = 1
    first = mail()
    with pytest.raises(ConnectionError):
        deliver(desk, first, attempt=1, key="raw/one")
    retried = deliver(desk, first, attempt=2, key="raw/one")
    following = deliver(desk, mail(sender="carla@customer.example", subject="Other"))
    assert (retried.kind, retried.ticket_number, following.ticket_number) == ("created", 1, 2)  # no gap


def test_mail_that_keeps_failing_is_logged_each_time_and_quarantined_on_the_last_attempt(
    desk: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from chalicelib.core.resources import MAX_RECEIVE_COUNT

    desk["tickets"].failures = MAX_RECEIVE_COUNT
    message = mail()
    caplog.set_level(logging.ERROR)
    for attempt in range(1, MAX_RECEIVE_COUNT):
        with pytest.raises(ConnectionError):
            deliver(desk, message, attempt=attempt, key="raw/stuck")
    last = deliver(desk, message, attempt=MAX_RECEIVE_COUNT, key="raw/stuck")
    assert (last.kind, last.detail) == ("quarantined", "failed")
    [record] = desk["c"].mail_repo.list_quarantine(10).items
    assert (record.key, record.reason) == ("raw/stuck", "failed") and "throttled" in record.detail
    failures = [r for r in caplog.records if "inbound mail failed" in r.getMessage()]
    assert len(failures) == MAX_RECEIVE_COUNT


def test_a_huge_mail_writes_a_bounded_entry_and_keeps_every_attachment(desk: dict[str, Any]) -> None:
    msg = mail(body="漢" * 90_000)
    msg.add_alternative("<p>" + "漢" * 90_000 + "</p>", subtype="html")
    for n in range(120):
        msg.add_attachment(f"file {n}".encode(), maintype="text", subtype="plain", filename=f"f{n}.txt")
    outcome = deliver(desk, msg)
    _, timeline = desk["c"].tickets.get_by_number(outcome.ticket_number)
    message = next(e for e in timeline if e.event == "message.added")
    assert len(message.body_text.encode()) <= MAX_TEXT_BYTES and message.body_html is None
    assert message.data["truncated"] is True and message.data["html_left_out"] is True
    assert len(message.data["attachments"]) == MAX_LISTED and message.data["left_out"] == {"attachments": 70}
    stored = desk["store"].keys(BUCKET, "attachments/")
    assert len(stored) == 120


def autoresponder_round(desk: dict[str, Any], ses: FakeSes, n: int) -> None:
    """Our acknowledgements (if any) go out; the responder answers each with a fresh, unmarked mail."""
    c = desk["c"]
    outbound = fakes.outbound(c, desk["store"], ses, KEY)
    for entry in c.ticket_repo.published[desk.setdefault("sent_up_to", 0) :]:
        outbound.handle(envelope(entry))
    desk["sent_up_to"] = len(c.ticket_repo.published)
    if n == 0 or ses.sent:
        deliver(desk, mail(sender="robot@partner.example", subject=f"Re: your request ({n})", body=f"Got it {n}"))


def test_a_responder_that_does_not_say_it_is_automatic_gets_few_tickets_and_one_acknowledgement(
    desk: dict[str, Any],
) -> None:
    ses = FakeSes()
    for n in range(30):
        autoresponder_round(desk, ses, n)
    c = desk["c"]
    tickets = {e.ticket_id for e in c.ticket_repo.published if e.event == "ticket.created"}
    acknowledgements = [m for m in ses.sent if m["EmailTags"][0]["Value"] == "acknowledgement"]
    assert len(tickets) <= 3 and len(acknowledgements) <= 3
    notes = [e for e in c.ticket_repo.published if e.event in ("mail.flood_joined", "mail.not_sent")]
    assert notes, "the timeline says why mail joined a ticket or was not acknowledged"


def test_a_customer_asking_three_different_questions_in_an_hour_gets_three_tickets(desk: dict[str, Any]) -> None:
    outcomes = [deliver(desk, mail(subject=s)) for s in ("Invoice wrong", "Password reset", "Cancel order")]
    assert [o.kind for o in outcomes] == ["created"] * 3
    fourth = deliver(desk, mail(subject="And another thing"))
    assert (fourth.kind, fourth.detail) == ("message", "flood")  # joined their latest open ticket
