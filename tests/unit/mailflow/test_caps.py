"""Loop protection: caps over fixed windows (in-memory repository), no-reply mailboxes, the recipient policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.tickets import Channel
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.events.envelope import envelope
from chalicelib.mailflow.caps import DEFAULT_CAPS, Cap, MailCaps, RecipientPolicy, Scope, is_no_reply, screen
from chalicelib.mailflow.compose import Mailbox
from chalicelib.mailflow.outbound import Outcome
from chalicelib.storage.ports import Suppression
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.fakes.memory import InMemoryMailRepository, InMemoryTicketRepository
from tests.fakes.objects import InMemoryObjectStore

HOUR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a window boundary for every window length used here


@pytest.fixture
def caps() -> MailCaps:
    return MailCaps(InMemoryMailRepository(InMemoryTicketRepository()))


def send(caps: MailCaps, times: int, ticket: str, address: str, at: datetime) -> list[Any]:
    return [caps.count(ticket, address, at) for _ in range(times)]


def test_the_defaults_are_zammads_reference_numbers() -> None:
    assert Cap(Scope.TICKET_RECIPIENT, 600, 10) in DEFAULT_CAPS
    assert Cap(Scope.RECIPIENT, 600, 30) in DEFAULT_CAPS


def test_an_eleventh_mail_about_one_ticket_in_ten_minutes_is_over_the_cap(caps: MailCaps) -> None:
    assert send(caps, 10, "T1", "bob@x.example", HOUR) == [None] * 10
    exceeded = caps.count("T1", "Bob@X.example", HOUR + timedelta(minutes=9))
    assert exceeded is not None
    assert (exceeded.cap, exceeded.count) == (Cap(Scope.TICKET_RECIPIENT, 600, 10), 11)
    assert caps.count("T2", "bob@x.example", HOUR) is None  # another ticket: its own count
    assert caps.count("T1", "carol@x.example", HOUR) is None  # another recipient too


def test_a_thirty_first_mail_to_one_address_in_ten_minutes_is_over_the_cap_whatever_the_ticket(
    caps: MailCaps,
) -> None:
    results = [caps.count(f"T{i}", "bob@x.example", HOUR) for i in range(30)]
    assert results == [None] * 30
    exceeded = caps.count("T99", "bob@x.example", HOUR)
    assert exceeded is not None and exceeded.cap == Cap(Scope.RECIPIENT, 600, 30)
    assert "per recipient" in exceeded.describe()


def test_a_new_short_window_starts_afresh_but_the_hour_still_counts(caps: MailCaps) -> None:
    for block in range(2):
        assert send(caps, 10, "T1", "bob@x.example", HOUR + timedelta(minutes=10 * block)) == [None] * 10
    assert send(caps, 5, "T1", "bob@x.example", HOUR + timedelta(minutes=20)) == [None] * 5  # 25 in the hour
    exceeded = caps.count("T1", "bob@x.example", HOUR + timedelta(minutes=21))
    assert exceeded is not None and exceeded.cap == Cap(Scope.TICKET_RECIPIENT, 3600, 25)
    assert caps.count("T1", "bob@x.example", HOUR + timedelta(hours=1)) is None  # the next hour


def test_windows_of_different_lengths_never_share_a_counter() -> None:
    names = {cap.counter("T1", "bob@x.example") for cap in DEFAULT_CAPS}
    assert len(names) == len(DEFAULT_CAPS)


@pytest.mark.parametrize(
    "address",
    [
        "noreply@shop.example",
        "no-reply@shop.example",
        "No_Reply+abc@shop.example",
        "do-not-reply@bank.example",
        "donotreply@bank.example",
        "MAILER-DAEMON@mx.example",
        "postmaster@mx.example",
        "bounces+123@list.example",
        "no-reply-aws@amazon.example",
    ],
)
def test_no_reply_and_system_mailboxes_are_recognised(address: str) -> None:
    assert is_no_reply(address)


@pytest.mark.parametrize("address", ["bob@x.example", "reply@x.example", "rootbeer@x.example", "nobodyhome@x.example"])
def test_ordinary_mailboxes_are_not_no_reply(address: str) -> None:
    assert not is_no_reply(address)


def test_the_recipient_policy_says_why_an_address_gets_no_mail(memory_svc: Any) -> None:
    memory_svc.directory.create_agent("ben@agents.example", "Ben")
    memory_svc.mail_repo.suppress(Suppression("gone@x.example", "bounce", datetime.now(UTC) + timedelta(days=1)))
    memory_svc.mail_repo.suppress(Suppression("back@x.example", "bounce", datetime.now(UTC) - timedelta(days=1)))
    policy = RecipientPolicy(memory_svc.settings, memory_svc.mail_repo)
    assert policy.refusal("desk@support.example.com", automatic=False, reply=True) == "own-address"
    assert policy.refusal("ben@agents.example", automatic=False, reply=True) == "agent"
    assert policy.refusal("ben@agents.example", automatic=True, reply=False) is None  # notifications go to agents
    assert policy.refusal("noreply@x.example", automatic=True, reply=False) == "no-reply"
    assert policy.refusal("noreply@x.example", automatic=False, reply=True) is None  # a person chose to write
    assert policy.refusal("gone@x.example", automatic=False, reply=True) == "suppressed"
    assert policy.refusal("back@x.example", automatic=True, reply=False) is None  # the suppression ended


def test_screening_drops_refused_and_repeated_addresses_and_moves_cc_up_when_no_to_is_left() -> None:
    refused = {"bob@x.example": "suppressed"}
    to, cc, dropped = screen(
        (Mailbox("bob@x.example"),),
        (Mailbox("carol@x.example"), Mailbox("dan@x.example"), Mailbox("carol@x.example")),
        refused.get,
    )
    assert [b.email for b in to] == ["carol@x.example", "dan@x.example"] and cc == ()
    assert dropped == {"bob@x.example": "suppressed", "carol@x.example": "duplicate"}


# -- caps in the outbound flow ---------------------------------------------------------------------


class FakeSes:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **params: Any) -> dict[str, str]:
        self.sent.append(params)
        return {"MessageId": f"fake-{len(self.sent)}"}


def test_automatic_mail_over_a_cap_is_not_sent_and_a_persons_reply_is(memory_svc: Any) -> None:
    ses = FakeSes()
    tight = (Cap(Scope.RECIPIENT, 600, 2),)
    outbound = fakes.outbound(memory_svc, InMemoryObjectStore(), ses, b"k" * 32, lambda: HOUR, tight)
    agent = memory_svc.directory.create_agent("ben@agents.example", "Ben")
    outcomes = []
    for i in range(3):  # an autoresponder that opens a new ticket with every answer
        ticket, entries = memory_svc.tickets.create(
            Actor(ActorKind.CUSTOMER, "c"),
            NewTicket(
                subject=f"Auto {i}",
                body_text="We got your mail",
                channel=Channel.EMAIL,
                requester_email="desk@other.example",
                acknowledge=True,
            ),
        )
        outcomes.append(outbound.handle(envelope(entries[0])))
    assert outcomes == [Outcome.SENT, Outcome.SENT, Outcome.CAPPED]
    assert len(ses.sent) == 2

    memory_svc.tickets.reply(Actor(ActorKind.AGENT, agent.id), ticket.id, ticket.version, "Hello, person?")
    reply = next(e for e in memory_svc.tickets.get(ticket.id)[1] if e.author.kind is ActorKind.AGENT)
    assert outbound.handle(envelope(reply)) is Outcome.SENT  # over the cap, sent anyway (and logged)
    assert len(ses.sent) == 3


def test_a_mail_counts_its_caps_in_one_request_per_scope() -> None:
    """The per-recipient caps share one item, the per-ticket-and-recipient caps another: two writes a mail,
    not one per cap (five for an acknowledgement)."""
    repo = InMemoryMailRepository(InMemoryTicketRepository())
    calls: list[tuple[str, list[str]]] = []
    counted = repo.hit_windows

    def hit_windows(group: str, windows: Any, now: datetime) -> dict[str, int]:
        calls.append((group, [name for name, _ in windows]))
        return counted(group, windows, now)

    repo.hit_windows = hit_windows  # type: ignore[method-assign]
    assert MailCaps(repo).count("T1", "bob@x.example", HOUR, "acknowledgement") is None
    assert sorted(calls) == [
        ("mail#recipient#bob@x.example", ["600", "3600", "acknowledgement#3600"]),
        ("mail#ticket#T1#bob@x.example", ["600", "3600"]),
    ]
    exceeded = MailCaps(repo).count("T2", "bob@x.example", HOUR + timedelta(minutes=1), "acknowledgement")
    assert exceeded is not None and exceeded.cap == Cap(Scope.RECIPIENT, 3600, 1, frozenset({"acknowledgement"}))
