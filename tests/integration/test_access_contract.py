"""AccessRepository: one contract, the in-memory fake and DynamoDB (moto server). Sessions, sign-in attempts,
ticket links, epochs, generations, counters and portal claims; expired records read as absent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.access import Session, SignInAttempt, TicketLink
from chalicelib.storage import keys
from chalicelib.storage.ports import Key

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """``(access, tickets)``: the tickets repository writes the portal's claims with its changes."""
    if request.param == "memory":
        from tests.fakes.access import InMemoryAccessRepository
        from tests.fakes.memory import InMemoryTicketRepository

        tickets = InMemoryTicketRepository()
        return InMemoryAccessRepository(tickets.keys), tickets
    request.getfixturevalue("table")
    from chalicelib.storage.dynamodb.access import DynamoAccessRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository

    return DynamoAccessRepository(), DynamoTicketRepository()


def session(id_hash: str = "s" * 64, customer: str = "C1", epoch: int = 0) -> Session:
    return Session(id_hash, customer, T0, T0, T0 + timedelta(days=7), T0 + timedelta(days=30), epoch)


def attempt(id_hash: str = "a" * 64, link_hash: str = "l" * 64) -> SignInAttempt:
    return SignInAttempt(id_hash, "ann@example.com", link_hash, "m" * 64, T0, T0 + timedelta(minutes=15))


def test_a_session_is_stored_renewed_read_until_it_expires_and_deleted(repos: tuple[Any, Any]) -> None:
    access, _ = repos
    access.put_session(session())
    assert access.get_session("s" * 64, T0) == session()
    later = T0 + timedelta(days=6)
    access.renew_session("s" * 64, later, later + timedelta(days=7))
    renewed = access.get_session("s" * 64, T0 + timedelta(days=10))
    assert renewed is not None and renewed.seen_at == later and renewed.expires_at == later + timedelta(days=7)
    assert access.get_session("s" * 64, later + timedelta(days=7)) is None  # expired: absent, whatever TTL did
    access.delete_session("s" * 64)
    assert access.get_session("s" * 64, T0) is None
    access.renew_session("s" * 64, later, later)  # renewing a deleted session does not bring it back
    assert access.get_session("s" * 64, T0) is None


def test_session_epochs_and_link_generations_count_up_per_subject(repos: tuple[Any, Any]) -> None:
    access, _ = repos
    assert access.session_epoch("C1") == 0 and access.link_generation("T1") == 0
    assert access.advance_session_epoch("C1") == 1 and access.advance_session_epoch("C1") == 2
    assert access.advance_link_generation("T1") == 1
    assert (access.session_epoch("C1"), access.session_epoch("C2")) == (2, 0)
    assert (access.link_generation("T1"), access.link_generation("T2")) == (1, 0)


def test_a_sign_in_attempt_is_stored_once_and_found_by_its_link(repos: tuple[Any, Any]) -> None:
    access, _ = repos
    assert access.put_sign_in(attempt()) is True
    assert access.put_sign_in(attempt()) is False  # a redelivered message
    assert access.get_sign_in("a" * 64, T0) == attempt()
    assert access.sign_in_by_link("l" * 64, T0) == attempt()
    assert access.sign_in_by_link("x" * 64, T0) is None
    assert access.get_sign_in("a" * 64, T0 + timedelta(minutes=15)) is None
    assert access.sign_in_by_link("l" * 64, T0 + timedelta(minutes=16)) is None


def test_an_attempt_is_used_once_and_wrong_codes_lock_it(repos: tuple[Any, Any]) -> None:
    access, _ = repos
    access.put_sign_in(attempt())
    access.put_sign_in(attempt("b" * 64, "k" * 64))
    assert access.use_sign_in("a" * 64, T0, 5) is True
    assert access.use_sign_in("a" * 64, T0, 5) is False
    stored = access.get_sign_in("a" * 64, T0)
    assert stored is not None and stored.used_at == T0
    assert [access.fail_sign_in("b" * 64) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert access.use_sign_in("b" * 64, T0, 5) is False
    assert access.use_sign_in("c" * 64, T0, 5) is False and access.fail_sign_in("c" * 64) == 0


def test_a_ticket_link_is_stored_renewed_and_expires(repos: tuple[Any, Any]) -> None:
    access, _ = repos
    link = TicketLink("t" * 64, "T1", "C1", 0, T0 + timedelta(days=30))
    access.put_ticket_link(link)
    assert access.get_ticket_link("t" * 64, T0) == link
    renewed = TicketLink("t" * 64, "T1", "C1", 0, T0 + timedelta(days=45))
    access.put_ticket_link(renewed)
    assert access.get_ticket_link("t" * 64, T0 + timedelta(days=40)) == renewed
    assert access.get_ticket_link("t" * 64, T0 + timedelta(days=45)) is None
    assert access.get_ticket_link("u" * 64, T0) is None


def test_counters_count_within_a_window(repos: tuple[Any, Any]) -> None:
    access, _ = repos
    assert [access.hit("portal-x:ab", 3600, T0) for _ in range(3)] == [1, 2, 3]
    assert access.hit("portal-x:ab", 3600, T0 + timedelta(hours=1)) == 1
    assert access.hit("portal-x:cd", 3600, T0) == 1


def test_a_portal_claim_written_with_a_ticket_says_which_ticket(repos: tuple[Any, Any]) -> None:
    from chalicelib.core.ids import new_id
    from chalicelib.domain.tickets import Channel, Ticket
    from chalicelib.domain.timeline import SYSTEM, TimelineEntry

    access, tickets = repos
    ticket = Ticket(new_id(), tickets.allocate_number(), "Hi", "C1", Channel.PORTAL, T0, T0)
    entry = TimelineEntry.system(ticket, "ticket.created", SYSTEM, T0)
    tickets.create(ticket, [entry], [Key(keys.portal_post("form-1"), ticket.id)])
    assert access.posted("form-1") == ticket.id and access.posted("form-2") is None
