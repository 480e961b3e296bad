"""TicketService on the in-memory repositories: the behaviour agents and customers rely on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.people import Identity, IdentityKind, Role
from chalicelib.domain.tickets import Channel, Priority, Status
from chalicelib.domain.timeline import SYSTEM, Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.domain.views import View, ViewKind
from chalicelib.tickets.service import NewTicket
from tests import fakes


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def svc(settings: Any) -> Iterator[Any]:

    yield fakes.memory_services(settings, Clock())


@pytest.fixture
def agent(svc: Any) -> Actor:
    created = svc.directory.create_agent("ben@example.com", "Ben", Role.AGENT)
    return Actor(ActorKind.AGENT, created.id)


def new(**overrides: Any) -> NewTicket:
    fields: dict[str, Any] = {
        "subject": "Printer on fire",
        "body_text": "Help!",
        "requester_email": "Bob@Customer.Example",
    }
    fields.update(overrides)
    return NewTicket(**fields)


def test_a_new_ticket_creates_its_customer_once_and_numbers_tickets_in_sequence(svc: Any, agent: Actor) -> None:
    first, entries = svc.tickets.create(agent, new())
    second, _ = svc.tickets.create(agent, new(requester_email="bob@customer.example"))
    assert (first.number, second.number) == (1, 2)
    assert first.requester_id == second.requester_id
    assert svc.customers.get(first.requester_id).email == "bob@customer.example"
    assert [e.event for e in entries] == ["ticket.created", "message.added"]
    assert entries[1].author == Actor(ActorKind.CUSTOMER, first.requester_id)
    assert entries[1].data == {"submitted_by": f"agent:{agent.id}"}


def test_a_new_requester_is_written_with_the_ticket_and_a_race_for_them_ends_on_one_customer(
    svc: Any, agent: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored: list[Any] = []
    real_create = svc.customer_repo.create_customer
    monkeypatch.setattr(svc.customer_repo, "create_customer", lambda c: stored.append(c) or real_create(c))
    ticket, _ = svc.tickets.create(agent, new(requester_email="nia@customer.example"))
    assert [c.id for c in stored] == [ticket.requester_id]  # one write: the ticket's, which stored the customer
    # Another request creates Oli between this one's look-up and its write: the ticket goes to that customer.
    real_by_email = svc.customers.by_email

    def racing(email: str, name: str | None = None) -> Any:
        found = real_by_email(email, name)
        monkeypatch.setattr(svc.customers, "by_email", real_by_email)  # one race
        svc.customers.create("Oli from elsewhere", [Identity.of(IdentityKind.EMAIL, email)])
        return found

    monkeypatch.setattr(svc.customers, "by_email", racing)
    raced, _ = svc.tickets.create(agent, new(requester_email="oli@customer.example"))
    oli = svc.customers.find(Identity.of(IdentityKind.EMAIL, "oli@customer.example"))
    assert raced.requester_id == oli.id and oli.name == "Oli from elsewhere"
    assert svc.tickets.get_by_number(raced.number)[0].id == raced.id


def test_customers_join_the_organization_that_claims_their_domain(svc: Any, agent: Actor) -> None:
    org = svc.customers.create_organization("Customer Inc", ["customer.example"])
    ticket, _ = svc.tickets.create(agent, new())
    assert ticket.organization_id == org.id
    page = svc.tickets.view(View(ViewKind.ORGANIZATION, org.id), 10)
    assert [t.id for t in page.items] == [ticket.id]


def test_creating_with_an_assignee_opens_the_ticket_and_records_the_assignment(svc: Any, agent: Actor) -> None:
    ticket, entries = svc.tickets.create(agent, new(assignee_id=agent.id))
    assert ticket.status is Status.OPEN
    assert entries[-1].event == "ticket.assigned"


def test_unknown_team_or_assignee_is_not_found(svc: Any, agent: Actor) -> None:
    with pytest.raises(NotFound):
        svc.tickets.create(agent, new(team_id="01ARZ3NDEKTSV4RRFFQ69G5FAV"))
    with pytest.raises(NotFound):
        svc.tickets.create(agent, new(assignee_id="01ARZ3NDEKTSV4RRFFQ69G5FAV"))


def test_the_first_public_reply_sets_first_response_once_and_opens_a_new_ticket(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    replied = svc.tickets.reply(agent, ticket.id, ticket.version, "Looking into it")
    assert replied.status is Status.OPEN
    assert replied.version == ticket.version + 1
    first_response = replied.first_response_at
    again = svc.tickets.reply(agent, replied.id, replied.version, "Still looking", status=Status.PENDING)
    assert again.first_response_at == first_response
    assert again.status is Status.PENDING
    _, timeline = svc.tickets.get(ticket.id)
    last_write = [e for e in timeline if e.ticket_version == again.version]
    assert [e.event for e in last_write] == ["message.added", "ticket.updated"]


def test_an_internal_note_is_not_public_and_is_not_a_response(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    noted = svc.tickets.note(agent, ticket.id, ticket.version, "Customer is on the legacy plan")
    assert noted.first_response_at is None
    _, timeline = svc.tickets.get(ticket.id)
    note = timeline[-1]
    assert (note.kind, note.public, note.event) == (EntryKind.NOTE, False, "note.added")


def test_a_stale_write_is_refused_with_what_changed_since(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    svc.tickets.update(agent, ticket.id, ticket.version, {"priority": Priority.URGENT})
    with pytest.raises(Conflict) as conflict:
        svc.tickets.reply(agent, ticket.id, ticket.version, "Hello")
    details = conflict.value.details
    assert details is not None and details.current_version == ticket.version + 1
    assert details.changes[0]["changes"] == [{"field": "priority", "old": "normal", "new": "urgent"}]


def land_first(monkeypatch: pytest.MonkeyPatch, repo: Any, ticket_id: str, author: Actor, **changes: Any) -> None:
    """The next save first lands ``author``'s ``changes`` on the ticket: a write between another's read and write."""
    real_save = repo.save
    pending = [True]

    def save(tickets: Any, entries: Any, *args: Any) -> None:
        if pending:
            pending.clear()
            current = repo.get(ticket_id)
            changed, more = current.change(author, current.updated_at, **changes)
            real_save([(changed, current.version)], more)
        real_save(tickets, entries, *args)

    monkeypatch.setattr(repo, "save", save)


def test_the_desks_own_bookkeeping_since_the_agents_read_is_not_a_collision(svc: Any, agent: Actor) -> None:
    """Routing assigns a ticket while the agent types: the reply lands on top, nothing is overwritten."""
    ticket, _ = svc.tickets.create(agent, new())

    def route(current: Any, now: datetime) -> Any:
        return current.change(SYSTEM, now, priority=Priority.HIGH, assignee_id=agent.id)

    routed = svc.tickets.automatic(ticket.id, route)
    replied = svc.tickets.reply(agent, ticket.id, ticket.version, "Looking into it", status=Status.PENDING)
    assert replied.version == routed.version + 1
    assert (replied.priority, replied.assignee_id, replied.status) == (Priority.HIGH, agent.id, Status.PENDING)


def test_a_message_from_the_desk_since_the_agents_read_is_a_collision(svc: Any, agent: Actor) -> None:
    """An automatic reply reached the customer: the agent must see it before answering again."""
    ticket, _ = svc.tickets.create(agent, new())

    def canned_reply(current: Any, now: datetime) -> Any:
        message = TimelineEntry.post(current, EntryKind.MESSAGE, SYSTEM, now, "We got your request", None, "api")
        return current, [message]

    svc.tickets.automatic(ticket.id, canned_reply)
    with pytest.raises(Conflict) as conflict:
        svc.tickets.reply(agent, ticket.id, ticket.version, "Hello")
    details = conflict.value.details
    assert details is not None and details.current_version == ticket.version + 1
    assert [c["event"] for c in details.changes] == ["message.added"]


def test_an_agent_write_is_retried_when_bookkeeping_lands_between_its_read_and_write(
    svc: Any, agent: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    land_first(monkeypatch, svc.ticket_repo, ticket.id, SYSTEM, team_id=None, priority=Priority.LOW)  # routing
    noted = svc.tickets.note(agent, ticket.id, ticket.version, "Checking the logs")
    assert noted.version == ticket.version + 2 and noted.priority is Priority.LOW


def test_two_writers_on_the_same_version_cannot_both_win(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    repo = svc.ticket_repo
    first, entries = ticket.change(agent, ticket.created_at, priority=Priority.HIGH)
    second, other = ticket.change(agent, ticket.created_at, status=Status.PENDING)
    repo.save([(first, ticket.version)], entries)
    with pytest.raises(Conflict):
        repo.save([(second, ticket.version)], other)
    assert repo.get(ticket.id).priority is Priority.HIGH
    assert repo.get(ticket.id).status is Status.NEW


def test_a_customer_reply_reopens_a_pending_ticket(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    pending = svc.tickets.reply(agent, ticket.id, ticket.version, "Need your order number", status=Status.PENDING)
    customer = svc.customers.get(ticket.requester_id)
    reopened = svc.tickets.customer_message(customer, ticket.id, "It is 4411", "email")
    assert reopened.status is Status.OPEN
    assert reopened.version == pending.version + 1
    assert reopened.last_customer_message_at is not None


def test_nobody_writes_on_a_closed_ticket(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    solved = svc.tickets.update(agent, ticket.id, ticket.version, {"status": Status.SOLVED})
    closed = svc.tickets.update(agent, ticket.id, solved.version, {"status": Status.CLOSED})
    with pytest.raises(InvalidInput):
        svc.tickets.reply(agent, ticket.id, closed.version, "Hello?")
    with pytest.raises(InvalidInput):
        svc.tickets.customer_message(svc.customers.get(ticket.requester_id), ticket.id, "Hello?", "email")


def test_merging_moves_the_timeline_and_points_the_source_to_the_survivor(svc: Any, agent: Actor) -> None:
    source, _ = svc.tickets.create(agent, new(subject="Duplicate", ccs=("cc@customer.example",)))
    target, _ = svc.tickets.create(agent, new(subject="Original"))
    published_before = len(svc.ticket_repo.published)
    survivor = svc.ticket_relations.merge(agent, source.id, target.id, source.version)
    closed_source = svc.ticket_repo.get(source.id)
    assert closed_source.status is Status.CLOSED and closed_source.merged_into_id == target.id
    assert survivor.ccs == ("cc@customer.example",)
    _, timeline = svc.tickets.get(target.id)
    copied = [e for e in timeline if e.merged_from == source.id]
    assert [e.event for e in copied] == ["ticket.created", "message.added"]
    # only the two merge events are new events; the copies are not published again
    new_events = svc.ticket_repo.published[published_before:]
    assert [e.event for e in new_events] == ["ticket.merged", "ticket.merged"]
    with pytest.raises(InvalidInput):
        svc.ticket_relations.merge(agent, source.id, target.id, closed_source.version)


def test_linking_relates_both_tickets_once(svc: Any, agent: Actor) -> None:
    a, _ = svc.tickets.create(agent, new())
    b, _ = svc.tickets.create(agent, new())
    linked = svc.ticket_relations.link(agent, a.id, b.id, a.version)
    assert linked.related_ids == (b.id,)
    assert svc.ticket_repo.get(b.id).related_ids == (a.id,)
    again = svc.ticket_relations.link(agent, a.id, b.id, linked.version)
    assert again.version == linked.version


def test_views_list_active_tickets_by_priority_then_age(svc: Any, agent: Actor) -> None:
    low, _ = svc.tickets.create(agent, new(priority=Priority.LOW))
    urgent_old, _ = svc.tickets.create(agent, new(priority=Priority.URGENT))
    normal, _ = svc.tickets.create(agent, new())
    urgent_new, _ = svc.tickets.create(agent, new(priority=Priority.URGENT, channel=Channel.CHAT))
    solved, _ = svc.tickets.create(agent, new(priority=Priority.URGENT))
    svc.tickets.update(agent, solved.id, solved.version, {"status": Status.SOLVED})
    page = svc.tickets.view(View(ViewKind.UNASSIGNED), 10)
    assert [t.id for t in page.items] == [urgent_old.id, urgent_new.id, normal.id, low.id]
    everything = svc.tickets.view(View(ViewKind.REQUESTER, low.requester_id, active_only=False), 10)
    assert everything.items[-1].id == solved.id


def test_a_customer_message_is_retried_on_the_latest_version_when_an_agent_wrote_first(
    svc: Any, agent: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    land_first(monkeypatch, svc.ticket_repo, ticket.id, agent, priority=Priority.HIGH)
    customer = svc.customers.get(ticket.requester_id)
    after = svc.tickets.customer_message(customer, ticket.id, "More details", "email")
    assert after.version == ticket.version + 2
    assert after.priority is Priority.HIGH  # the agent's change was kept, not overwritten
    _, timeline = svc.tickets.get(ticket.id)
    assert [e.body_text for e in timeline if e.event == "message.added"][-1] == "More details"


def test_a_stale_copy_handed_to_customer_message_is_retried_not_written(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new())
    stale = ticket
    svc.tickets.update(agent, ticket.id, ticket.version, {"priority": Priority.URGENT})
    customer = svc.customers.get(ticket.requester_id)
    after = svc.tickets.customer_message(customer, ticket.id, "Any news?", "email", known=stale)
    assert after.version == ticket.version + 2
    assert after.priority is Priority.URGENT  # the change made after the stale read survives


# -- the mail thread each write keeps (domain/mailthread.py) ------------------------------------------------


def mail(message_id: str, *references: str) -> dict[str, Any]:
    return {"message_id": message_id, "references": list(references)}


def thread_ids(svc: Any, ticket_id: str) -> list[list[str]]:
    ticket = svc.ticket_repo.get(ticket_id, thread=True)
    assert ticket.mail_thread is not None, "the thread goes with the ticket"
    return [list(i.ids) for i in ticket.mail_thread.inbound]


def test_every_inbound_mail_joins_the_thread_whether_or_not_its_writer_read_it(svc: Any, agent: Actor) -> None:
    ticket, _ = svc.tickets.create(agent, new(channel=Channel.EMAIL, message_data=mail("m1@c")))
    assert thread_ids(svc, ticket.id) == [["m1@c"]]
    customer = svc.customers.get(ticket.requester_id)
    known = svc.ticket_repo.get(ticket.id, thread=True)  # as the ingest reads it
    svc.tickets.customer_message(customer, ticket.id, "Again", "email", data=mail("m2@c"), known=known)
    svc.tickets.note(agent, ticket.id, svc.ticket_repo.get(ticket.id).version, "internal", data=mail("note@agent"))
    svc.tickets.reply(agent, ticket.id, svc.ticket_repo.get(ticket.id).version, "On it")  # changes no thread
    svc.tickets.customer_message(customer, ticket.id, "And again", "email", data=mail("m3@c", "m2@c"))  # no read
    assert thread_ids(svc, ticket.id) == [["m3@c", "m2@c"], [], ["m1@c"]]  # a repeat is kept once
    head = svc.ticket_repo.get(ticket.id, thread=True)
    assert head.customer_mark is None  # the newest customer message is the thread's newest mail
    svc.tickets.customer_message(customer, ticket.id, "From the portal", "portal")
    head = svc.ticket_repo.get(ticket.id, thread=True)
    assert head.customer_mark is not None and head.customer_mark.version == head.version


def test_a_ticket_without_inbound_mail_keeps_an_empty_thread_and_an_unknown_one_stays_unknown(
    svc: Any, agent: Actor
) -> None:
    from dataclasses import replace

    ticket, _ = svc.tickets.create(agent, new())
    assert ticket.mail_thread_version == 0 and thread_ids(svc, ticket.id) == []
    old = replace(svc.ticket_repo.get(ticket.id), mail_thread_version=None)  # as written before the thread was kept
    svc.ticket_repo._tickets[ticket.id] = old
    customer = svc.customers.get(ticket.requester_id)
    after = svc.tickets.customer_message(customer, ticket.id, "Mail", "email", data=mail("m1@c"))
    assert after.mail_thread_version is None and svc.ticket_repo.get(ticket.id).mail_thread_version is None


def test_a_merge_brings_the_sources_mail_into_the_targets_thread(svc: Any, agent: Actor) -> None:
    target, _ = svc.tickets.create(agent, new(channel=Channel.EMAIL, message_data=mail("t1@c")))
    source, _ = svc.tickets.create(agent, new(channel=Channel.EMAIL, message_data=mail("s1@c")))
    svc.ticket_relations.merge(agent, source.id, target.id, source.version)
    assert thread_ids(svc, target.id) == [["s1@c"], ["t1@c"]]
    merged = svc.ticket_repo.get(target.id, thread=True)
    assert merged.customer_mark is None and merged.mail_thread is not None  # the source's mail is the newest
    assert merged.mail_thread.inbound[0].version == merged.version
