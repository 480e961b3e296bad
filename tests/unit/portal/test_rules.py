"""Who sees which ticket in the portal and what they may do with it (pure rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chalicelib.domain.people import Customer, Identity, IdentityKind
from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import SYSTEM, Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.portal import rules

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def person(customer_id: str, org: str | None = None, manager: bool = False) -> Customer:
    identity = Identity.of(IdentityKind.EMAIL, f"{customer_id}@example.com")
    return Customer(customer_id, customer_id, (identity,), T0, organization_id=org, manager=manager)


def ticket(requester: str = "ann", org: str | None = None, **fields: object) -> Ticket:
    return replace(Ticket("T1", 7, "Printer on fire", requester, Channel.EMAIL, T0, T0, organization_id=org), **fields)


def test_a_customer_sees_their_own_tickets() -> None:
    assert rules.may_see(person("ann"), ticket("ann"))
    assert not rules.may_see(person("bob"), ticket("ann"))


def test_a_manager_sees_the_tickets_of_their_organization_and_no_other() -> None:
    boss = person("boss", "acme", manager=True)
    assert rules.may_see(boss, ticket("ann", "acme"))
    assert not rules.may_see(boss, ticket("olga", "globex"))
    assert not rules.may_see(boss, ticket("ivan", None))
    assert not rules.may_see(person("bob", "acme"), ticket("ann", "acme"))  # a colleague who is no manager


def test_a_manager_without_an_organization_sees_only_their_own() -> None:
    lone = person("lone", None, manager=True)
    assert not rules.may_see(lone, ticket("x", None)) and rules.scopes(lone) == (rules.Scope.MINE,)
    assert rules.scopes(person("b", "acme", manager=True)) == (rules.Scope.MINE, rules.Scope.ORGANIZATION)


def test_only_public_messages_reach_the_conversation() -> None:
    t = ticket()
    customer = Actor(ActorKind.CUSTOMER, "ann")
    agent = Actor(ActorKind.AGENT, "A1")
    timeline = [
        TimelineEntry.system(t, "ticket.created", SYSTEM, T0),
        TimelineEntry.post(t, EntryKind.MESSAGE, customer, T0, "Help"),
        TimelineEntry.post(t, EntryKind.NOTE, agent, T0, "internal"),
        TimelineEntry.system(t, "ticket.assigned", agent, T0),
        TimelineEntry.post(t, EntryKind.MESSAGE, agent, T0, "On it"),
    ]
    assert [e.body_text for e in rules.conversation(timeline)] == ["Help", "On it"]


@pytest.mark.parametrize(
    ("status", "reply", "close", "reopen", "word"),
    [
        (Status.NEW, True, True, False, "open"),
        (Status.OPEN, True, True, False, "open"),
        (Status.PENDING, True, True, False, "waiting"),
        (Status.ON_HOLD, True, True, False, "open"),
        (Status.SOLVED, True, False, True, "solved"),
        (Status.CLOSED, False, False, False, "closed"),
    ],
)
def test_what_a_customer_may_do_follows_the_status(
    status: Status, reply: bool, close: bool, reopen: bool, word: str
) -> None:
    t = ticket(status=status)
    assert (rules.can_reply(t), rules.can_close(t), rules.can_reopen(t)) == (reply, close, reopen)
    assert rules.customer_status(status) == word


def test_a_merged_ticket_takes_no_more_writes() -> None:
    merged = ticket(merged_into_id="T2", status=Status.CLOSED)
    assert not (rules.can_reply(merged) or rules.can_close(merged) or rules.can_reopen(merged))


def test_filters_by_status_and_search_by_words_of_the_subject_or_the_number() -> None:
    open_one, solved = ticket(), ticket(status=Status.SOLVED)
    assert rules.matches(open_one, rules.StatusFilter.OPEN, "")
    assert not rules.matches(solved, rules.StatusFilter.OPEN, "")
    assert rules.matches(solved, rules.StatusFilter.SOLVED, "") and rules.matches(solved, rules.StatusFilter.ALL, "")
    assert rules.matches(open_one, rules.StatusFilter.ALL, "FIRE printer")
    assert not rules.matches(open_one, rules.StatusFilter.ALL, "printer invoice")
    assert rules.matches(open_one, rules.StatusFilter.ALL, "7")
