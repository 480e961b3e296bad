"""ReportRepository: one contract, the in-memory fake and DynamoDB (moto server)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain.reports import KeptReplay, Tally

EXPIRES = datetime(2026, 12, 31, tzinfo=UTC)
NOV_30, DEC_1 = date(2026, 11, 30), date(2026, 12, 1)


@pytest.fixture(params=["memory", "dynamodb"])
def reports(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        from tests.fakes.memory import InMemoryTicketRepository
        from tests.fakes.memory_reports import InMemoryReportRepository

        repo = InMemoryReportRepository(InMemoryTicketRepository())
        repo.ticket_repo = repo.tickets
        return repo
    table = request.getfixturevalue("table")
    from chalicelib.storage.dynamodb.reports import DynamoReportRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository

    dynamo = DynamoReportRepository(table)
    dynamo.ticket_repo = DynamoTicketRepository()  # type: ignore[attr-defined]
    return dynamo


def counts(reports: Any, dimension: str, first: date, last: date) -> dict[tuple[str, date], dict[str, int]]:
    return {(d.key, d.day): dict(d.counts) for d in reports.days(dimension, first, last)}


def test_an_event_adds_once_and_a_redelivery_adds_nothing(reports: Any) -> None:
    tally = Tally("all", "all", NOV_30, {"created": 1, "fr_h:12": 1, "fr_s": 300})
    assert reports.add("E1", [tally], EXPIRES) is True
    assert reports.add("E1", [tally], EXPIRES) is False
    assert reports.add("E2", [Tally("all", "all", NOV_30, {"created": 1, "fr_h:12": 2})], EXPIRES) is True
    assert counts(reports, "all", NOV_30, NOV_30) == {("all", NOV_30): {"created": 2, "fr_h:12": 3, "fr_s": 300}}


def test_additions_may_be_negative_and_span_items_of_one_event(reports: Any) -> None:
    reports.add("E1", [Tally("agent", "A1", NOV_30, {"fcr": 1}), Tally("agent", "A2", DEC_1, {"fcr": 1})], EXPIRES)
    reports.add("E2", [Tally("agent", "A1", NOV_30, {"fcr": -1}), Tally("agent", "A2", DEC_1, {"csat:5": 1})], EXPIRES)
    assert counts(reports, "agent", NOV_30, DEC_1) == {
        ("A1", NOV_30): {"fcr": 0},
        ("A2", DEC_1): {"fcr": 1, "csat:5": 1},
    }


def test_days_reads_only_the_range_and_the_dimension_asked_across_months(reports: Any) -> None:
    for n, day in enumerate([date(2026, 11, 29), NOV_30, DEC_1, date(2026, 12, 2)]):
        tallies = [Tally("team", "T1", day, {"created": 1}), Tally("all", "all", day, {"created": 1})]
        reports.add(f"E{n}", tallies, EXPIRES)
    found = counts(reports, "team", NOV_30, DEC_1)
    assert found == {("T1", NOV_30): {"created": 1}, ("T1", DEC_1): {"created": 1}}


def test_an_event_with_nothing_to_add_writes_no_marker(reports: Any) -> None:
    assert reports.add("E1", [], EXPIRES) is True
    assert reports.add("E1", [Tally("all", "all", NOV_30, {"created": 1})], EXPIRES) is True


def test_bump_adds_without_a_marker_each_time_and_to_its_own_dimension(reports: Any) -> None:
    kb = Tally("kb", "all", DEC_1, {"kb_searches": 2, "kb_zero_results": 1})
    reports.bump(kb)
    reports.bump(kb)
    reports.bump(Tally("kb", "all", DEC_1, {}))  # nothing to add: no write
    assert counts(reports, "kb", NOV_30, DEC_1) == {("all", DEC_1): {"kb_searches": 4, "kb_zero_results": 2}}
    assert counts(reports, "all", NOV_30, DEC_1) == {}


def test_a_pending_view_is_counted_once_unless_replaced_or_dropped(reports: Any) -> None:
    from chalicelib.domain.reports import PendingView

    at = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    first, second = PendingView("v1", NOV_30, at.replace(minute=30)), PendingView("v2", NOV_30, at.replace(minute=50))
    reports.hold_view(first, EXPIRES)
    reports.hold_view(second, EXPIRES)
    reports.hold_view(PendingView("v3", DEC_1, at.replace(minute=40)), EXPIRES)
    reports.drop_view("v3")  # its reader opened a ticket
    reports.drop_view("nobody")  # no pending view: nothing happens
    assert reports.due_views(at.replace(minute=45), 10) == [first]
    assert reports.count_view(first) is True
    assert reports.count_view(first) is False  # a second sweep (or a stale index read) adds nothing
    later = PendingView("v2", NOV_30, at.replace(hour=11, minute=20))
    reports.hold_view(later, EXPIRES)  # read again: the window restarts
    assert reports.count_view(second) is False  # the index's earlier due_at no longer matches
    assert reports.due_views(at.replace(minute=55), 10) == []
    assert reports.due_views(at.replace(hour=12), 10) == [later]
    assert reports.count_view(later) is True
    assert reports.due_views(at.replace(hour=12), 10) == []
    reports.bump(Tally("kb", "all", NOV_30, {"kb_views": 3}))  # the signals' ADD: on an item of its own
    merged: Counter[str] = Counter()
    for day in reports.days("kb", NOV_30, DEC_1):
        assert (day.key, day.day) == ("all", NOV_30)
        merged.update(day.counts)
    assert merged == {"kb_probable": 2, "kb_views": 3}


def a_ticket(reports: Any) -> tuple[str, str]:
    """A ticket with its creation and message written; (ticket id, the message's entry id)."""
    from chalicelib.core.ids import new_id
    from chalicelib.domain.tickets import Channel, Ticket
    from chalicelib.domain.timeline import SYSTEM, Actor, ActorKind, EntryKind, TimelineEntry

    at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    ticket = Ticket(new_id(), 7, "Help", "C1", Channel.EMAIL, at, at)
    message = TimelineEntry.post(ticket, EntryKind.MESSAGE, Actor(ActorKind.CUSTOMER, "C1"), at, "Hello")
    reports.ticket_repo.create(ticket, [TimelineEntry.system(ticket, "ticket.created", SYSTEM, at), message])
    return ticket.id, message.id


def test_the_kept_replay_moves_forward_with_the_counting_and_is_read_with_an_entry(reports: Any) -> None:
    ticket_id, message_id = a_ticket(reports)
    assert reports.kept(ticket_id, message_id)[0] is None
    tally = [Tally("all", "all", NOV_30, {"created": 1})]
    assert reports.add("E2", tally, EXPIRES, KeptReplay(ticket_id, "E2", {"n": 2})) is True
    kept, entry = reports.kept(ticket_id, message_id)
    assert kept == KeptReplay(ticket_id, "E2", {"n": 2})
    assert entry is not None and entry.id == message_id and entry.report is not None
    # behind the kept one (a late event): the tallies are added, the kept replay stays
    assert reports.add("E1", tally, EXPIRES, KeptReplay(ticket_id, "E1", {"n": 1})) is True
    assert reports.kept(ticket_id, "nothing")[0] == KeptReplay(ticket_id, "E2", {"n": 2})
    assert counts(reports, "all", NOV_30, NOV_30) == {("all", NOV_30): {"created": 2}}
    # a redelivery adds nothing and moves nothing
    assert reports.add("E2", tally, EXPIRES, KeptReplay(ticket_id, "E3", {"n": 3})) is False
    assert reports.kept(ticket_id, "nothing") == (KeptReplay(ticket_id, "E2", {"n": 2}), None)


def test_the_kept_replay_alone_is_put_only_forward(reports: Any) -> None:
    assert reports.keep(KeptReplay("T9", "E5", {"n": 5})) is True
    assert reports.keep(KeptReplay("T9", "E4", {"n": 4})) is False
    assert reports.keep(KeptReplay("T9", "E5", {"n": 6})) is False
    assert reports.kept("T9", "E5")[0] == KeptReplay("T9", "E5", {"n": 5})
