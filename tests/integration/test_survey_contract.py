"""SurveyRepository: one contract, the in-memory fake and DynamoDB (moto server)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import Conflict, Duplicate, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.surveys import Survey, Throttled
from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import SYSTEM, TimelineEntry
from chalicelib.storage import keys
from chalicelib.storage.ports import Key
from chalicelib.storage.slice_ports import SurveyQuery

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Repos:
    tickets: Any
    surveys: Any


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> Repos:
    if request.param == "memory":
        from tests.fakes.memory import InMemoryTicketRepository
        from tests.fakes.memory_surveys import InMemorySurveyRepository

        tickets = InMemoryTicketRepository()
        return Repos(tickets, InMemorySurveyRepository(tickets))
    request.getfixturevalue("table")
    from chalicelib.storage.dynamodb.surveys import DynamoSurveyRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository

    return Repos(DynamoTicketRepository(), DynamoSurveyRepository())


def solved(repos: Repos, customer: str = "C1", team: str | None = "T1", agent: str | None = "A1") -> Ticket:
    ticket = Ticket(
        new_id(), repos.tickets.allocate_number(), "Help", customer, Channel.EMAIL, T0, T0, team_id=team,
        assignee_id=agent, status=Status.SOLVED, solved_at=T0,
    )  # fmt: skip
    repos.tickets.create(ticket, [TimelineEntry.system(ticket, "ticket.created", SYSTEM, T0)])
    return ticket


def send(
    repos: Repos,
    ticket: Ticket,
    at: datetime = T0,
    throttle_since: datetime | None = None,
    token: str | None = None,
    version: int | None = None,
) -> Survey:
    survey = Survey(
        new_id(), ticket.id, ticket.number, ticket.requester_id, T0, at, at + timedelta(days=14), "email",
        ticket.assignee_id, ticket.team_id, "ru",
    )  # fmt: skip
    after = replace(ticket, version=ticket.version + 1)
    entry = TimelineEntry.system(after, "survey.requested", SYSTEM, at, data={"survey_id": survey.id})
    claim = Key(keys.surveyed(ticket.id, T0.isoformat()), survey.id)
    repos.surveys.request(
        survey, token or new_id(), after, ticket.version if version is None else version, [entry], claim, throttle_since
    )
    return survey


def test_a_sent_survey_is_found_by_its_tokens_hash_with_its_entry_written(repos: Repos) -> None:
    ticket = solved(repos)
    survey = send(repos, ticket, token="hash-1")
    assert repos.surveys.by_token("hash-1") == survey == repos.surveys.get(survey.id)
    assert repos.surveys.by_token("hash-2") is None
    after, timeline = repos.tickets.get_with_timeline(ticket.id)
    assert after.version == ticket.version + 1 and [e.event for e in timeline][-1] == "survey.requested"
    with pytest.raises(NotFound):
        repos.surveys.get("nope")


def test_one_survey_per_solve_and_none_on_a_stale_ticket(repos: Repos) -> None:
    ticket = solved(repos)
    with pytest.raises(Conflict):
        send(repos, ticket, version=ticket.version - 1)
    send(repos, ticket)
    with pytest.raises(Duplicate):
        send(repos, repos.tickets.get(ticket.id))
    _, timeline = repos.tickets.get_with_timeline(ticket.id)
    assert [e.event for e in timeline].count("survey.requested") == 1
    assert len(repos.surveys.listing(SurveyQuery(), 10).items) == 1


def test_the_throttle_holds_at_commit_time(repos: Repos) -> None:
    send(repos, solved(repos, customer="C9"), at=T0)
    blocked = solved(repos, customer="C9")
    with pytest.raises(Throttled):
        send(repos, blocked, at=T0 + timedelta(days=3), throttle_since=T0 - timedelta(seconds=1))
    assert repos.tickets.get(blocked.id).version == blocked.version  # nothing written
    send(repos, blocked, at=T0 + timedelta(days=7), throttle_since=T0)  # surveyed exactly N days ago: allowed
    send(repos, solved(repos, customer="C9"), at=T0 + timedelta(days=8), throttle_since=None)  # no throttle
    send(repos, solved(repos, customer="C10"), at=T0, throttle_since=T0)  # never surveyed


def test_an_answer_needs_the_versions_it_was_based_on_and_updates_every_listing(repos: Repos) -> None:
    ticket = solved(repos)
    survey = send(repos, ticket)
    current = repos.tickets.get(ticket.id)
    answered = survey.answer(2, "Slow", ("slow",), T0 + timedelta(days=1))
    entry = TimelineEntry.system(replace(current, version=current.version + 1), "csat.answered", SYSTEM, T0)
    with pytest.raises(Conflict):
        repos.surveys.answer(
            answered, survey.version + 1, replace(current, version=current.version + 1), current.version, [entry]
        )
    with pytest.raises(Conflict):
        repos.surveys.answer(
            answered, survey.version, replace(current, version=current.version + 1), current.version - 1, [entry]
        )
    repos.surveys.answer(
        answered, survey.version, replace(current, version=current.version + 1), current.version, [entry]
    )
    assert repos.surveys.get(survey.id) == answered
    for query in (SurveyQuery(), SurveyQuery(team_id="T1"), SurveyQuery(agent_id="A1")):
        assert repos.surveys.listing(query, 10).items == [answered]
    assert repos.tickets.get(ticket.id).version == current.version + 1  # fmt: skip


def test_listings_by_team_agent_date_rating_and_answered_newest_first(repos: Repos) -> None:
    sent = []
    for day, (team, agent) in enumerate([("T1", "A1"), ("T1", "A2"), ("T2", "A1"), ("T2", None), (None, "A1")]):
        survey = send(repos, solved(repos, customer=f"C{day}", team=team, agent=agent), at=T0 + timedelta(days=day))
        sent.append(survey)
    rated = sent[1].answer(5, None, (), T0 + timedelta(days=6))
    ticket = repos.tickets.get(sent[1].ticket_id)
    repos.surveys.answer(rated, sent[1].version, replace(ticket, version=ticket.version + 1), ticket.version, [])
    sent[1] = rated

    def ids(limit: int = 10, **query: Any) -> list[str]:
        return [s.id for s in repos.surveys.listing(SurveyQuery(**query), limit).items]

    assert ids() == [s.id for s in reversed(sent)]
    assert ids(team_id="T1") == [sent[1].id, sent[0].id]
    assert ids(agent_id="A1") == [sent[4].id, sent[2].id, sent[0].id]
    assert ids(agent_id="A1", team_id="T2") == [sent[2].id]
    assert ids(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3)) == [sent[2].id, sent[1].id]
    assert ids(until=T0 + timedelta(days=1)) == [sent[0].id]
    assert ids(rating=5) == [sent[1].id] and ids(rating=4) == []
    assert ids(answered=True) == [sent[1].id]
    assert ids(answered=False) == [s.id for s in reversed(sent) if s is not rated]


def test_a_listing_pages_without_gaps_or_repeats(repos: Repos) -> None:
    sent = [send(repos, solved(repos, customer=f"C{n}"), at=T0 + timedelta(hours=n)).id for n in range(5)]
    seen, start = [], None
    while True:
        page = repos.surveys.listing(SurveyQuery(team_id="T1"), 2, start)
        seen += [s.id for s in page.items]
        if page.next_key is None:
            break
        start = page.next_key
    assert seen == list(reversed(sent))
