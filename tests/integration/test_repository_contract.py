"""One contract, two implementations: the in-memory fake and DynamoDB (moto in server mode).

If the fake drifts from the real repository, one of the two runs of a test fails.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import AlreadyExists, Conflict, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.people import (
    Agent,
    ApiToken,
    Customer,
    Identity,
    IdentityKind,
    Organization,
    Role,
    Team,
    Webhook,
)
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket
from chalicelib.domain.timeline import SYSTEM, Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.domain.views import View, ViewKind

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Repos:
    tickets: Any
    customers: Any
    directory: Any
    mail: Any


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> Repos:
    if request.param == "memory":
        from tests.fakes.memory import (
            InMemoryCustomerRepository,
            InMemoryDirectoryRepository,
            InMemoryMailRepository,
            InMemoryTicketRepository,
        )

        customers = InMemoryCustomerRepository()
        tickets = InMemoryTicketRepository(customers)
        directory = InMemoryDirectoryRepository()
        return Repos(tickets, customers, directory, InMemoryMailRepository(tickets, directory))
    request.getfixturevalue("table")
    from chalicelib.storage.dynamodb.directory import DynamoDirectoryRepository
    from chalicelib.storage.dynamodb.mail import DynamoMailRepository
    from chalicelib.storage.dynamodb.people import DynamoCustomerRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository

    return Repos(
        DynamoTicketRepository(), DynamoCustomerRepository(), DynamoDirectoryRepository(), DynamoMailRepository()
    )


def make_ticket(repos: Repos, minutes: int = 0, **overrides: Any) -> Ticket:
    at = T0 + timedelta(minutes=minutes)
    fields: dict[str, Any] = {
        "id": new_id(),
        "number": repos.tickets.allocate_number(),
        "subject": "Help",
        "requester_id": "C1",
        "channel": Channel.EMAIL,
        "created_at": at,
        "updated_at": at,
    }
    fields.update(overrides)
    ticket = Ticket(**fields)
    created = TimelineEntry.system(ticket, "ticket.created", SYSTEM, at)
    message = TimelineEntry.post(ticket, EntryKind.MESSAGE, Actor(ActorKind.CUSTOMER, "C1"), at, "Hello")
    repos.tickets.create(ticket, [created, message])
    return ticket


# -- tickets ---------------------------------------------------------------------------------------


def test_ticket_numbers_are_allocated_in_sequence(repos: Repos) -> None:
    numbers = [repos.tickets.allocate_number() for _ in range(5)]
    assert numbers == list(range(numbers[0], numbers[0] + 5))


def test_a_ticket_is_found_by_id_and_number_with_its_timeline_in_order(repos: Repos) -> None:
    ticket = make_ticket(repos, tags=("a", "b"), ccs=("x@y.example",))
    assert repos.tickets.get(ticket.id) == ticket
    assert repos.tickets.id_for_number(ticket.number) == ticket.id
    stored, timeline = repos.tickets.get_with_timeline(ticket.id)
    assert stored == ticket
    assert [e.event for e in timeline] == ["ticket.created", "message.added"]
    assert timeline[1].body_text == "Hello" and timeline[1].author.kind is ActorKind.CUSTOMER


def test_unknown_tickets_and_numbers_are_not_found(repos: Repos) -> None:
    with pytest.raises(NotFound):
        repos.tickets.get(new_id())
    with pytest.raises(NotFound):
        repos.tickets.id_for_number(999_999)
    with pytest.raises(NotFound):
        repos.tickets.get_with_timeline(new_id())


def test_counted_entries_are_chained_with_the_fields_after_them(repos: Repos) -> None:
    ticket = make_ticket(repos, team_id="T1")
    created, message = repos.tickets.get_with_timeline(ticket.id)[1]
    assert created.report is not None and created.report["p"] is None
    assert [b["id"] for b in created.report["n"]] == [message.id]  # the write's later counted entries
    assert message.report == {"p": created.id, "a": created.report["a"]}
    read = repos.tickets.get(ticket.id)
    assert read.chain == (message.id, 1)
    agent = Actor(ActorKind.AGENT, "A1")
    assigned, entries = read.change(agent, T0, status=Status.OPEN, assignee_id="A1")
    note = TimelineEntry.post(assigned, EntryKind.NOTE, agent, T0, "internal")
    repos.tickets.save([(assigned, read.version)], [*entries, note])
    timeline = repos.tickets.get_with_timeline(ticket.id)[1]
    updated, assignment, noted = (
        next(e for e in timeline if e.event == name) for name in ["ticket.updated", "ticket.assigned", "note.added"]
    )
    assert updated.report is not None and updated.report["p"] == message.id and "n" not in updated.report
    # after the status change, before the assignment written with it (an entry the reports do not count)
    assert (updated.report["a"]["status"], updated.report["a"]["assignee_id"]) == ("open", None)
    assert assignment.report is None and noted.report is None
    assert repos.tickets.get(ticket.id).chain == (updated.id, 2)


def test_a_write_from_a_ticket_not_read_at_its_version_does_not_know_the_previous_counted_entry(
    repos: Repos,
) -> None:
    ticket = make_ticket(repos)  # as built, not as read: it does not know what its creation counted
    agent = Actor(ActorKind.AGENT, "A1")
    solved, entries = ticket.change(agent, T0, status=Status.PENDING)
    repos.tickets.save([(solved, ticket.version)], entries)
    updated = next(e for e in repos.tickets.get_with_timeline(ticket.id)[1] if e.event == "ticket.updated")
    assert updated.report is not None and updated.report["p"] is None  # the consumer replays the timeline
    assert repos.tickets.get(ticket.id).chain == (updated.id, 2)


def test_a_ticket_number_cannot_be_used_twice(repos: Repos) -> None:
    ticket = make_ticket(repos)
    with pytest.raises(Conflict):
        repos.tickets.create(replace(ticket, id=new_id()), [])


def test_a_first_contacts_customer_is_created_with_the_ticket_or_neither_is(repos: Repos) -> None:
    address = Identity.of(IdentityKind.EMAIL, f"first-{new_id()}@example.com")
    newcomer = customer(address)
    ticket = Ticket(new_id(), repos.tickets.allocate_number(), "Hi", newcomer.id, Channel.EMAIL, T0, T0)
    repos.tickets.create(ticket, [TimelineEntry.system(ticket, "ticket.created", SYSTEM, T0)], requester=newcomer)
    assert repos.customers.find_customer(address) == newcomer and repos.tickets.get(ticket.id) == ticket
    # The same address again (two first mails at once): the second write fails whole.
    twin = customer(address)
    other = Ticket(new_id(), repos.tickets.allocate_number(), "Hi", twin.id, Channel.EMAIL, T0, T0)
    with pytest.raises(AlreadyExists):
        repos.tickets.create(other, [], requester=twin)
    with pytest.raises(NotFound):
        repos.tickets.get(other.id)
    with pytest.raises(NotFound):
        repos.customers.get_customer(twin.id)


def test_a_save_based_on_a_stale_version_writes_nothing(repos: Repos) -> None:
    ticket = make_ticket(repos)
    first, entries = ticket.change(SYSTEM, T0, priority=Priority.HIGH)
    repos.tickets.save([(first, ticket.version)], entries)
    second, more = ticket.change(SYSTEM, T0, status=Status.PENDING)
    with pytest.raises(Conflict):
        repos.tickets.save([(second, ticket.version)], more)
    stored, timeline = repos.tickets.get_with_timeline(ticket.id)
    assert (stored.priority, stored.status, stored.version) == (Priority.HIGH, Status.NEW, 2)
    assert len(timeline) == 3


def test_a_save_of_two_tickets_is_all_or_nothing(repos: Repos) -> None:
    a, b = make_ticket(repos), make_ticket(repos)
    a2 = replace(a, related_ids=(b.id,), version=2)
    b2 = replace(b, related_ids=(a.id,), version=2)
    with pytest.raises(Conflict):
        repos.tickets.save([(a2, 1), (b2, 5)], [])
    assert repos.tickets.get(a.id).version == 1
    repos.tickets.save([(a2, 1), (b2, 1)], [])
    assert repos.tickets.get(b.id).related_ids == (a.id,)


def test_entries_since_a_version_list_only_later_changes(repos: Repos) -> None:
    ticket = make_ticket(repos)
    changed, entries = ticket.change(SYSTEM, T0, priority=Priority.URGENT)
    repos.tickets.save([(changed, 1)], entries)
    since = repos.tickets.entries_since(ticket.id, 1)
    assert [(e.event, e.ticket_version) for e in since] == [("ticket.updated", 2)]
    assert since[0].changes[0].as_dict() == {"field": "priority", "old": "normal", "new": "urgent"}


def test_copied_entries_join_the_target_timeline_marked_with_their_origin(repos: Repos) -> None:
    source, target = make_ticket(repos), make_ticket(repos)
    _, timeline = repos.tickets.get_with_timeline(source.id)
    repos.tickets.copy_entries(target.id, timeline)
    repos.tickets.copy_entries(target.id, timeline)  # idempotent
    _, merged = repos.tickets.get_with_timeline(target.id)
    assert len(merged) == 4
    assert [e.merged_from for e in merged if e.merged_from] == [source.id, source.id]
    assert repos.tickets.entries_since(target.id, 0) == [e for e in merged if e.merged_from is None]


def test_views_order_active_tickets_by_priority_then_age(repos: Repos) -> None:
    low = make_ticket(repos, 0, priority=Priority.LOW, team_id="TEAM1")
    urgent = make_ticket(repos, 1, priority=Priority.URGENT, team_id="TEAM1")
    normal_old = make_ticket(repos, 2, team_id="TEAM1")
    normal_new = make_ticket(repos, 3, team_id="TEAM1")
    solved = make_ticket(repos, 4, priority=Priority.URGENT, status=Status.SOLVED, team_id="TEAM1")
    active = repos.tickets.list_view(View(ViewKind.TEAM, "TEAM1"), 10)
    assert [t.id for t in active.items] == [urgent.id, normal_old.id, normal_new.id, low.id]
    everything = repos.tickets.list_view(View(ViewKind.TEAM, "TEAM1", active_only=False), 10)
    assert [t.id for t in everything.items][-1] == solved.id


def test_the_unassigned_view_holds_only_active_tickets_without_assignee(repos: Repos) -> None:
    waiting = make_ticket(repos, 0, team_id="TEAM2")
    make_ticket(repos, 1, assignee_id="AGENT1", team_id="TEAM2")
    make_ticket(repos, 2, status=Status.SOLVED, team_id="TEAM2")
    ids = [t.id for t in repos.tickets.list_view(View(ViewKind.UNASSIGNED), 50).items]
    assert waiting.id in ids and len([i for i in ids if i == waiting.id]) == 1
    assigned, entries = waiting.change(SYSTEM, T0, assignee_id="AGENT1")
    repos.tickets.save([(assigned, 1)], entries)
    assert waiting.id not in [t.id for t in repos.tickets.list_view(View(ViewKind.UNASSIGNED), 50).items]
    mine = repos.tickets.list_view(View(ViewKind.ASSIGNEE, "AGENT1"), 50)
    assert waiting.id in [t.id for t in mine.items]


def test_pages_walk_a_view_without_gaps_or_repeats(repos: Repos) -> None:
    made = [make_ticket(repos, i, requester_id="C-PAGE").id for i in range(7)]
    seen: list[str] = []
    start = None
    for _ in range(10):
        page = repos.tickets.list_view(View(ViewKind.REQUESTER, "C-PAGE"), 3, start)
        seen += [t.id for t in page.items]
        start = page.next_key
        if start is None:
            break
    assert seen == made


@pytest.mark.parametrize(
    ("kind", "attribute", "value"),
    [
        (ViewKind.STATUS, "status", Status.PENDING),
        (ViewKind.PRIORITY, "priority", Priority.HIGH),
        (ViewKind.ORGANIZATION, "organization_id", "ORG-V"),
        (ViewKind.ASSIGNEE, "assignee_id", "AGENT-V"),
    ],
)
def test_each_view_finds_tickets_by_its_field(repos: Repos, kind: ViewKind, attribute: str, value: Any) -> None:
    match = make_ticket(repos, **{attribute: value})
    make_ticket(repos)
    page = repos.tickets.list_view(View(kind, str(value), active_only=False), 50)
    assert match.id in [t.id for t in page.items]
    assert all(str(getattr(t, attribute)) == str(value) for t in page.items)


# -- customers and organizations ---------------------------------------------------------------------


def customer(*identities: Identity, org: str | None = None) -> Customer:
    return Customer(new_id(), "Bob", identities, T0, organization_id=org)


def test_an_identity_belongs_to_one_customer(repos: Repos) -> None:
    email = Identity.of(IdentityKind.EMAIL, f"{new_id()}@example.com")
    bob = customer(email, Identity.of(IdentityKind.CHAT, new_id()))
    repos.customers.create_customer(bob)
    assert repos.customers.find_customer(email) == bob
    with pytest.raises(AlreadyExists):
        repos.customers.create_customer(customer(email))
    assert repos.customers.get_customer(bob.id) == bob


def test_updating_identities_claims_new_and_releases_removed_ones(repos: Repos) -> None:
    old = Identity.of(IdentityKind.EMAIL, f"old-{new_id()}@example.com")
    new = Identity.of(IdentityKind.EMAIL, f"new-{new_id()}@example.com")
    bob = customer(old)
    repos.customers.create_customer(bob)
    moved = replace(bob, identities=(new,), version=2)
    repos.customers.update_customer(moved, 1)
    assert repos.customers.find_customer(old) is None
    assert repos.customers.find_customer(new) == moved
    repos.customers.create_customer(customer(old))  # the released address is free again
    with pytest.raises(Conflict):
        repos.customers.update_customer(replace(moved, name="Robert", version=3), 1)


def test_an_email_domain_belongs_to_one_organization(repos: Repos) -> None:
    domain = f"{new_id().lower()}.example"
    acme = Organization(new_id(), "Acme", T0, (domain,))
    repos.customers.create_organization(acme)
    assert repos.customers.find_organization_by_domain(domain.upper()) == acme
    with pytest.raises(AlreadyExists):
        repos.customers.create_organization(Organization(new_id(), "Other", T0, (domain,)))
    renamed = replace(acme, domains=(), version=2)
    repos.customers.update_organization(renamed, 1)
    assert repos.customers.find_organization_by_domain(domain) is None


def test_an_unknown_address_comes_back_with_the_organization_that_claimed_its_domain(repos: Repos) -> None:
    domain = f"{new_id().lower()}.example"
    acme = Organization(new_id(), "Acme", T0, (domain,))
    repos.customers.create_organization(acme)
    stranger = Identity.of(IdentityKind.EMAIL, f"new@{domain}")
    assert repos.customers.find_customer_or_domain(stranger) == (None, acme.id)
    known = customer(stranger)
    repos.customers.create_customer(known)
    assert repos.customers.find_customer_or_domain(stranger) == (known, None)
    elsewhere = Identity.of(IdentityKind.EMAIL, f"x-{new_id()}@nobody.example")
    assert repos.customers.find_customer_or_domain(elsewhere) == (None, None)


def test_directory_lists_are_sorted_by_name_and_paged(repos: Repos) -> None:
    names = ["Zoe", "adam", "Mia", "bea"]
    for name in names:
        repos.customers.create_customer(
            replace(customer(Identity.of(IdentityKind.EMAIL, f"{new_id()}@x.example")), name=name)
        )
    first = repos.customers.list_customers(3)
    rest = repos.customers.list_customers(3, first.next_key)
    listed = [c.name for c in first.items + rest.items]
    assert listed == sorted(names, key=str.lower)


# -- agents, teams, tokens, webhooks ---------------------------------------------------------------


def agent(email: str | None = None, subject: str | None = None) -> Agent:
    agent_id = new_id()
    return Agent(agent_id, email or f"{agent_id}@desk.example", "Ben", Role.AGENT, T0, subject or agent_id)


def test_agent_email_and_subject_are_unique(repos: Repos) -> None:
    ben = agent()
    repos.directory.create_agent(ben)
    assert repos.directory.find_agent_by_subject(ben.subject) == ben
    with pytest.raises(AlreadyExists):
        repos.directory.create_agent(agent(email=ben.email))
    with pytest.raises(AlreadyExists):
        repos.directory.create_agent(agent(subject=ben.subject))
    updated = replace(ben, capacity=5, version=2)
    repos.directory.update_agent(updated, 1)
    assert repos.directory.get_agent(ben.id).capacity == 5
    with pytest.raises(Conflict):
        repos.directory.update_agent(replace(updated, capacity=6, version=3), 1)


def test_teams_tokens_and_webhooks_are_stored_and_listed(repos: Repos) -> None:
    team = Team(new_id(), "Billing", T0)
    repos.directory.create_team(team)
    assert repos.directory.get_team(team.id) == team
    with pytest.raises(NotFound):
        repos.directory.get_team(new_id())
    token = ApiToken(new_id(), "A1", "ci", f"hash-{new_id()}", T0, last4="abcd")
    repos.directory.create_token(token)
    assert repos.directory.find_token(token.token_hash) == token
    revoked = replace(token, revoked_at=T0)
    repos.directory.revoke_token(revoked)
    assert repos.directory.list_tokens("A1") == [revoked]
    hook = Webhook(new_id(), "https://hooks.example/x", ("ticket.*",), T0, "A1")
    repos.directory.create_webhook(hook)
    assert hook in repos.directory.list_webhooks()
    repos.directory.delete_webhook(hook.id)
    with pytest.raises(NotFound):
        repos.directory.get_webhook(hook.id)


def test_delivery_records_make_redelivery_detectable(repos: Repos) -> None:
    assert repos.directory.was_delivered("W1", "E1") is False
    repos.directory.mark_delivered("W1", "E1", ttl_seconds=60)
    assert repos.directory.was_delivered("W1", "E1") is True
    assert repos.directory.was_delivered("W1", "E2") is False
    repos.directory.mark_delivered("W1", "E3", ttl_seconds=-1)  # expired, not yet deleted by TTL
    assert repos.directory.was_delivered("W1", "E3") is False


# -- claims, lookups and the mail repository ----------------------------------------------------------


def test_a_taken_claim_makes_the_whole_write_a_duplicate(repos: Repos) -> None:
    from chalicelib.core.errors import Duplicate
    from chalicelib.storage.ports import Key

    ticket = make_ticket(repos)
    raw = f"raw/{new_id()}"
    changed, entries = ticket.change(SYSTEM, T0, priority=Priority.HIGH)
    repos.tickets.save(
        [(changed, 1)],
        entries,
        claims=[Key(f"INBOUND#{raw}", ticket.id)],
        lookups=[Key("EMAILID#<a@b.example>", ticket.id)],
    )
    assert repos.mail.ingested(raw) == ticket.id
    assert repos.mail.ticket_for_message_id("<a@b.example>") == ticket.id
    again, more = changed.change(SYSTEM, T0, priority=Priority.LOW)
    with pytest.raises(Duplicate):
        repos.tickets.save([(again, 2)], more, claims=[Key(f"INBOUND#{raw}", ticket.id)])
    assert repos.tickets.get(ticket.id).priority is Priority.HIGH  # nothing of the duplicate was written
    other = replace(ticket, id=new_id(), number=repos.tickets.allocate_number())
    with pytest.raises(Duplicate):
        repos.tickets.create(other, [], claims=[Key(f"INBOUND#{raw}", other.id)])
    with pytest.raises(NotFound):
        repos.tickets.get(other.id)


def test_an_outcome_is_recorded_once(repos: Repos) -> None:
    key = f"raw/{new_id()}"
    assert repos.mail.ingested(key) is None
    assert repos.mail.record_outcome(key, "quarantined") is True
    assert repos.mail.record_outcome(key, "quarantined") is False
    assert repos.mail.ingested(key) == "quarantined"


def test_quarantine_is_listed_and_released_for_reprocessing(repos: Repos) -> None:
    from chalicelib.storage.ports import QuarantineRecord

    key = f"raw/{new_id()}"
    repos.mail.record_outcome(key, "quarantined")
    repos.mail.quarantine(QuarantineRecord(key, "unparseable", "empty message", T0, "bucket"))
    listed = repos.mail.list_quarantine(50).items
    assert [(r.key, r.reason, r.bucket) for r in listed if r.key == key] == [(key, "unparseable", "bucket")]
    repos.mail.release_quarantine(key)
    assert key not in [r.key for r in repos.mail.list_quarantine(50).items]
    assert repos.mail.ingested(key) is None


def test_suppressions_expire(repos: Repos) -> None:
    from chalicelib.storage.ports import Suppression

    now = datetime.now(UTC)
    repos.mail.suppress(Suppression("Gone@Example.com", "bounce", now + timedelta(days=1)))
    repos.mail.suppress(Suppression("old@example.com", "bounce", now - timedelta(seconds=1)))
    found = repos.mail.suppression("gone@example.com")
    assert found is not None and found.reason == "bounce"
    assert repos.mail.suppression("old@example.com") is None
    assert repos.mail.suppression("never@example.com") is None


def test_a_recipient_is_known_as_suppressed_or_an_agent_in_one_look(repos: Repos) -> None:
    from chalicelib.storage.ports import Suppression

    now = datetime.now(UTC)
    gone, old, colleague = (f"{name}-{new_id().lower()}@example.com" for name in ("gone", "old", "colleague"))
    repos.mail.suppress(Suppression(gone, "bounce", now + timedelta(days=1)))
    repos.mail.suppress(Suppression(old, "bounce", now - timedelta(seconds=1)))
    repos.directory.create_agent(agent(email=colleague))
    suppression, is_agent = repos.mail.recipient(gone.upper())
    assert suppression is not None and (suppression.address, suppression.reason, is_agent) == (gone, "bounce", False)
    assert repos.mail.recipient(old) == (None, False)
    assert repos.mail.recipient(colleague) == (None, True)


def test_counters_of_one_group_count_in_one_request_each_in_its_own_window(repos: Repos) -> None:
    group = f"rcpt:{new_id()}"
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    windows = [("short", 600), ("hour", 3600), ("ack#hour", 3600)]
    first = repos.mail.hit_windows(group, windows, start)
    assert first == {"short": 1, "hour": 1, "ack#hour": 1}
    assert repos.mail.hit_windows(group, windows[:2], start + timedelta(minutes=5)) == {"short": 2, "hour": 2}
    # The next ten minutes: a new short window, the same hour.
    assert repos.mail.hit_windows(group, windows, start + timedelta(minutes=10)) == {
        "short": 1,
        "hour": 3,
        "ack#hour": 2,
    }
    assert repos.mail.hit_windows(group, windows, start + timedelta(hours=1)) == {"short": 1, "hour": 1, "ack#hour": 1}
    with pytest.raises(ValueError):
        repos.mail.hit_windows(group, [("a", 600), ("b", 900)], start)


def test_counters_tell_the_previous_window_in_the_same_request_or_from_the_item_before(repos: Repos) -> None:
    group = f"newticket#{new_id()}"
    windows = [("hour", 3600), ("day", 86400)]
    first = datetime(2026, 12, 2, 23, 10, tzinfo=UTC)
    assert repos.mail.hit_windows(group, windows, first, previous=["hour"]) == {"hour": 1, "day": 1, "hour:previous": 0}
    repos.mail.hit_windows(group, windows, first + timedelta(minutes=20), previous=["hour"])
    # Midnight: the previous hour is in yesterday's item, the day starts again.
    after_midnight = repos.mail.hit_windows(group, windows, first + timedelta(minutes=60), previous=["hour"])
    assert after_midnight == {"hour": 1, "day": 1, "hour:previous": 2}
    later = repos.mail.hit_windows(group, windows, first + timedelta(minutes=120), previous=["hour"])
    assert later == {"hour": 1, "day": 2, "hour:previous": 1}


def test_counters_count_within_a_window(repos: Repos) -> None:
    counter = f"rcpt:{new_id()}"
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert [repos.mail.hit(counter, 600, start + timedelta(seconds=s)) for s in (0, 10, 20)] == [1, 2, 3]
    assert repos.mail.hit(counter, 600, start + timedelta(minutes=10)) == 1
    assert repos.mail.window_count(counter, 600, start + timedelta(minutes=5)) == 3  # read, not counted
    assert repos.mail.window_count(counter, 600, start + timedelta(minutes=5)) == 3
    assert repos.mail.window_count(counter, 600, start - timedelta(minutes=10)) == 0


def test_a_reserved_ticket_number_is_kept_for_the_mails_retries(repos: Repos) -> None:
    key = f"raw/{new_id()}"
    assert repos.mail.reserved_number(key) is None
    repos.mail.reserve_number(key, 41)
    assert repos.mail.reserved_number(key) == 41


def test_a_send_is_claimed_once_until_the_attempt_goes_stale(repos: Repos) -> None:
    key = f"{new_id()}#bob@example.com"
    now = datetime.now(UTC)
    assert repos.mail.claim_send(key, now, 60) is True
    assert repos.mail.claim_send(key, now + timedelta(seconds=5), 60) is False
    assert repos.mail.claim_send(key, now + timedelta(seconds=120), 60) is True  # the first attempt died
    repos.mail.mark_sent(key, "ses-1", now)
    assert repos.mail.claim_send(key, now + timedelta(days=1), 60) is False


def test_agents_are_found_by_email(repos: Repos) -> None:
    ben = agent()
    repos.directory.create_agent(ben)
    assert repos.directory.find_agent_by_email(ben.email.upper()) == ben
    assert repos.directory.find_agent_by_email("nobody@desk.example") is None
