"""ConfigRepository and WorkRepository: one contract, the in-memory fake and DynamoDB (moto server)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import AlreadyExists, AtCapacity, Conflict, Duplicate, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.people import Agent, Availability, Role
from chalicelib.domain.tickets import Channel, Ticket
from chalicelib.domain.timeline import SYSTEM, TimelineEntry
from chalicelib.storage.ports import AuditRecord, Document, DueItem, Key

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Repos:
    tickets: Any
    directory: Any
    config: Any
    work: Any


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> Repos:
    if request.param == "memory":
        from tests.fakes.memory import InMemoryDirectoryRepository, InMemoryTicketRepository
        from tests.fakes.memory_work import InMemoryConfigRepository, InMemoryWorkRepository

        tickets, directory = InMemoryTicketRepository(), InMemoryDirectoryRepository()
        return Repos(tickets, directory, InMemoryConfigRepository(), InMemoryWorkRepository(tickets, directory))
    request.getfixturevalue("table")
    from chalicelib.storage.dynamodb.directory import DynamoDirectoryRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository
    from chalicelib.storage.dynamodb.work import DynamoConfigRepository, DynamoWorkRepository

    return Repos(
        DynamoTicketRepository(), DynamoDirectoryRepository(), DynamoConfigRepository(), DynamoWorkRepository()
    )


def doc(kind: str = "routing_rule", doc_id: str = "r1", version: int = 1, **body: Any) -> Document:
    return Document(kind, doc_id, {"name": "rule", **body}, version, T0, "A1")


def audit(action: str = "create", target: str = "r1") -> AuditRecord:
    return AuditRecord(new_id(), T0, "A1", action, "routing_rule", target, None, {"x": 1})


def agent(repos: Repos, availability: Availability = Availability.ONLINE, active: bool = True) -> Agent:
    found = Agent(
        new_id(), f"{new_id().lower()}@agents.example", "Ann", Role.AGENT, T0, new_id(), ("T1",), (), 2, availability
    )
    found = replace(found, active=active)
    repos.directory.create_agent(found)
    return found


def ticket(repos: Repos) -> Ticket:
    new = Ticket(new_id(), repos.tickets.allocate_number(), "Help", "C1", Channel.EMAIL, T0, T0, team_id="T1")
    repos.tickets.create(new, [TimelineEntry.system(new, "ticket.created", SYSTEM, T0)])
    return new


def assigned(t: Ticket, agent_id: str) -> tuple[Ticket, list[TimelineEntry]]:
    return t.change(SYSTEM, T0, assignee_id=agent_id)


# -- configuration documents ----------------------------------------------------------------------


def test_a_document_is_created_once_and_read_back(repos: Repos) -> None:
    repos.config.write_document(doc(priority="high"), None, audit())
    assert repos.config.get_document("routing_rule", "r1").body == {"name": "rule", "priority": "high"}
    with pytest.raises(AlreadyExists):
        repos.config.write_document(doc(), None, audit())


def test_replacing_a_document_needs_the_version_it_was_based_on(repos: Repos) -> None:
    repos.config.write_document(doc(), None, audit())
    repos.config.write_document(doc(version=2, name="renamed"), 1, audit("update"))
    with pytest.raises(Conflict):
        repos.config.write_document(doc(version=2, name="stale"), 1, audit("update"))
    assert repos.config.get_document("routing_rule", "r1").body["name"] == "renamed"


def test_documents_are_listed_by_kind_only(repos: Repos) -> None:
    repos.config.write_document(doc(doc_id="a"), None, audit())
    repos.config.write_document(doc(doc_id="b"), None, audit())
    repos.config.write_document(doc(kind="macro", doc_id="m"), None, audit())
    assert [d.id for d in repos.config.list_documents("routing_rule")] == ["a", "b"]


def test_kept_copies_are_immutable_versions(repos: Repos) -> None:
    repos.config.write_document(doc("sla_policy", "p"), None, audit(), keep=[doc("sla_policy@v", "p#000001")])
    with pytest.raises(AlreadyExists):
        repos.config.write_document(doc("sla_policy", "p", 2), 1, audit(), keep=[doc("sla_policy@v", "p#000001")])
    assert repos.config.get_document("sla_policy", "p").version == 1


def test_delete_needs_the_current_version_and_is_audited(repos: Repos) -> None:
    repos.config.write_document(doc(), None, audit())
    with pytest.raises(Conflict):
        repos.config.delete_document("routing_rule", "r1", 7, audit("delete"))
    repos.config.delete_document("routing_rule", "r1", 1, audit("delete"))
    with pytest.raises(NotFound):
        repos.config.get_document("routing_rule", "r1")
    actions = [r.action for r in repos.config.list_audit(10).items]
    assert actions[:2] == ["delete", "create"]


def test_the_audit_trail_pages_newest_first(repos: Repos) -> None:
    records = [audit(target=f"r{i}") for i in range(5)]
    for i, record in enumerate(records):
        repos.config.write_document(doc(doc_id=f"r{i}"), None, record)
    first = repos.config.list_audit(3)
    second = repos.config.list_audit(3, first.next_key)
    seen = [r.target_id for r in first.items + second.items]
    assert seen[:5] == ["r4", "r3", "r2", "r1", "r0"]


# -- loads and capped assignment ------------------------------------------------------------------


def test_an_assignment_counts_the_ticket_against_the_agent(repos: Repos) -> None:
    ann, t = agent(repos), ticket(repos)
    after, entries = assigned(t, ann.id)
    repos.work.assign(after, t.version, entries, ann.id, capacity=2)
    assert repos.tickets.get(t.id).assignee_id == ann.id
    assert repos.work.loads([ann.id]) == {ann.id: frozenset({t.id})}


def test_the_capacity_holds_at_commit_time(repos: Repos) -> None:
    ann = agent(repos)
    for _ in range(2):
        t = ticket(repos)
        repos.work.assign(*assigned(t, ann.id)[:1], t.version, assigned(t, ann.id)[1], ann.id, 2)
    third = ticket(repos)
    with pytest.raises(AtCapacity):
        repos.work.assign(assigned(third, ann.id)[0], third.version, [], ann.id, 2)
    assert repos.tickets.get(third.id).assignee_id is None
    assert len(repos.work.loads([ann.id])[ann.id]) == 2


@pytest.mark.parametrize(("availability", "active"), [(Availability.AWAY, True), (Availability.ONLINE, False)])
def test_an_unavailable_agent_is_refused_at_commit_time(repos: Repos, availability: Availability, active: bool) -> None:
    ann, t = agent(repos, availability, active), ticket(repos)
    with pytest.raises(AtCapacity):
        repos.work.assign(assigned(t, ann.id)[0], t.version, [], ann.id, 5)
    assert repos.work.loads([ann.id])[ann.id] == frozenset()


def test_a_stale_ticket_or_a_taken_claim_refuses_the_assignment(repos: Repos) -> None:
    ann, t = agent(repos), ticket(repos)
    with pytest.raises(Conflict):
        repos.work.assign(assigned(t, ann.id)[0], t.version + 1, [], ann.id, 5)
    repos.tickets.save([], [], lookups=[Key("ROUTED#x", t.id)])
    with pytest.raises(Duplicate):
        repos.work.assign(assigned(t, ann.id)[0], t.version, [], ann.id, 5, claims=[Key("ROUTED#x", t.id)])
    assert repos.work.loads([ann.id])[ann.id] == frozenset()


def test_counting_is_idempotent(repos: Repos) -> None:
    repos.work.count("A9", "T1")
    repos.work.count("A9", "T1")
    repos.work.count("A9", "T2")
    assert repos.work.uncount("A9", "T1") is True
    assert repos.work.uncount("A9", "T1") is False  # already gone: the agent gained no room
    assert repos.work.uncount("A7", "T1") is False  # never counted anything
    assert repos.work.loads(["A9", "A8"]) == {"A9": frozenset({"T2"}), "A8": frozenset()}


def test_the_round_robin_cursor_is_remembered_per_team(repos: Repos) -> None:
    assert repos.work.cursor("T1") is None
    repos.work.set_cursor("T1", "A2")
    repos.work.set_cursor("T1", "A3")
    assert (repos.work.cursor("T1"), repos.work.cursor("T2")) == ("A3", None)


# -- the due index --------------------------------------------------------------------------------


def test_only_what_is_due_is_read_earliest_first(repos: Repos) -> None:
    kind = f"K{new_id()}"  # a partition of its own: the shared table holds other tests' items
    for minutes, ticket_id in ((5, "b"), (1, "a"), (30, "later")):
        repos.work.put_due(DueItem(kind, ticket_id, T0 + timedelta(minutes=minutes), {"m": minutes}, 1))
    repos.work.put_due(DueItem(kind, "nothing", None, {}, 1))
    due = repos.work.due(kind, T0 + timedelta(minutes=10), limit=10)
    assert [(d.ticket_id, d.state) for d in due] == [("a", {"m": 1}), ("b", {"m": 5})]
    assert repos.work.due(kind, T0 + timedelta(minutes=10), limit=1)[0].ticket_id == "a"


def test_the_ticket_state_holds_the_ticket_its_timeline_and_its_due_items(repos: Repos) -> None:
    t = ticket(repos)
    repos.work.put_due(DueItem("SLA", t.id, T0, {"policy_id": "p"}, 1))
    repos.work.put_due(DueItem("TIMER", t.id, None, {}, 1))
    found, entries, dues = repos.work.ticket_state(t.id)
    assert (found.id, [e.event for e in entries], sorted(dues)) == (t.id, ["ticket.created"], ["SLA", "TIMER"])
    assert dues["SLA"].state == {"policy_id": "p"} and dues["SLA"].due_at == T0
    with pytest.raises(NotFound):
        repos.work.ticket_state("missing")


def test_a_stale_due_state_does_not_overwrite_a_newer_one(repos: Repos) -> None:
    kind = f"K{new_id()}"
    assert repos.work.put_due(DueItem(kind, "t", T0, {"v": 3}, 3))
    assert not repos.work.put_due(DueItem(kind, "t", T0, {"v": 2}, 2))
    assert repos.work.put_due(DueItem(kind, "t", None, {"v": 3, "done": True}, 3))
    stored = repos.work.get_due(kind, "t")
    assert stored is not None and stored.state == {"v": 3, "done": True} and stored.due_at is None
    assert repos.work.due(kind, T0 + timedelta(days=1), 10) == []


def test_a_due_state_written_over_the_one_read_refuses_a_write_that_came_between(repos: Repos) -> None:
    kind = f"K{new_id()}"
    assert not repos.work.put_due(DueItem(kind, "t", T0, {"v": 1}, 1), expected=1)  # nothing was read
    assert repos.work.put_due(DueItem(kind, "t", T0, {"v": 1}, 1), expected=0)
    assert not repos.work.put_due(DueItem(kind, "t", T0, {"v": 1}, 1), expected=0)  # one is there now
    assert repos.work.put_due(DueItem(kind, "t", T0, {"v": 2}, 2), expected=1)
    assert not repos.work.put_due(DueItem(kind, "t", T0, {"v": "lost"}, 3), expected=1)  # another wrote 2
    stored = repos.work.get_due(kind, "t")
    assert stored is not None and (stored.state, stored.basis_version) == ({"v": 2}, 2)
