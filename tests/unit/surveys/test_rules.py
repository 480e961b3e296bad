"""The survey rules without I/O: settings documents, include/exclude rules, who had the ticket at solve time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.core.errors import FieldError
from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.surveys.config import settings_from_doc, settings_to_doc
from chalicelib.surveys.rules import Criteria, Skip, SurveySettings, at_solve, check, due_at

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
AGENT = Actor(ActorKind.AGENT, "A1")


def ticket(**fields: object) -> Ticket:
    base = Ticket("T1", 7, "Printer", "C1", Channel.EMAIL, T0, T0, team_id="TEAM1", assignee_id="A1")
    return replace(base, **fields)  # type: ignore[arg-type]


def solved(**fields: object) -> Ticket:
    return ticket(status=Status.SOLVED, solved_at=T0, **fields)


def reply(t: Ticket) -> TimelineEntry:
    return TimelineEntry.post(t, EntryKind.MESSAGE, AGENT, T0, "Fixed")


def test_the_defaults_are_on_a_day_later_and_a_week_of_quiet() -> None:
    assert settings_from_doc({}) == SurveySettings(True, 24, 7)
    assert due_at(solved(), SurveySettings()) == T0 + timedelta(hours=24)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delay_hours": 73}, "delay_hours"),
        ({"delay_hours": -1}, "delay_hours"),
        ({"delay_hours": True}, "delay_hours"),
        ({"throttle_days": 366}, "throttle_days"),
        ({"enabled": "yes"}, "enabled"),
        ({"include": {"channels": ["fax"]}}, "include.channels"),
        ({"exclude": {"tags": [""]}}, "exclude.tags"),
        ({"exclude": {"colours": ["red"]}}, "exclude.colours"),
        ({"include": []}, "include"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_settings_document_names_its_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(FieldError) as error:
        settings_from_doc(body)
    assert error.value.path == field


def test_a_settings_document_reads_back_as_it_was_written() -> None:
    body = {
        "enabled": False,
        "delay_hours": 72,
        "throttle_days": 0,
        "include": {"tags": ["vip"], "team_ids": [], "organization_ids": ["O1"], "channels": ["portal"]},
        "exclude": {"tags": [], "team_ids": ["TEAM9"], "organization_ids": [], "channels": []},
    }
    assert settings_to_doc(settings_from_doc(body)) == body


def test_include_rules_need_every_list_given_and_exclude_rules_any() -> None:
    include = Criteria(tags=frozenset({"vip", "gold"}), channels=frozenset({Channel.EMAIL}))
    assert include.admits(solved(tags=("gold",)))
    assert not include.admits(solved(tags=("gold",), channel=Channel.PORTAL))
    assert not include.admits(solved(tags=()))
    assert Criteria().admits(solved()) and not Criteria().catches(solved())
    exclude = Criteria(team_ids=frozenset({"TEAM2"}), organization_ids=frozenset({"ORG1"}))
    assert exclude.catches(solved(organization_id="ORG1")) and exclude.catches(solved(team_id="TEAM2"))
    assert not exclude.catches(solved(organization_id="ORG2"))


@pytest.mark.parametrize(
    ("t", "settings", "with_reply", "expected"),
    [
        (solved(), SurveySettings(), True, None),
        (ticket(status=Status.OPEN), SurveySettings(), True, Skip.NOT_SOLVED),
        (solved(merged_into_id="T2"), SurveySettings(), True, Skip.MERGED),
        (solved(), SurveySettings(enabled=False), True, Skip.DISABLED),
        (solved(channel=Channel.CHAT), SurveySettings(), True, Skip.CHANNEL),
        (solved(channel=Channel.API), SurveySettings(), True, Skip.CHANNEL),
        (solved(), SurveySettings(exclude=Criteria(tags=frozenset({"spam"}))), True, None),
        (solved(tags=("spam",)), SurveySettings(exclude=Criteria(tags=frozenset({"spam"}))), True, Skip.RULES),
        (solved(), SurveySettings(), False, Skip.NO_AGENT_REPLY),
    ],
)
def test_what_a_due_ticket_is_checked_for(
    t: Ticket, settings: SurveySettings, with_reply: bool, expected: Skip
) -> None:
    assert check(t, [reply(t)] if with_reply else [], settings) == expected


def test_a_customer_message_or_a_note_is_not_a_public_agent_reply() -> None:
    t = solved()
    customer = TimelineEntry.post(t, EntryKind.MESSAGE, Actor(ActorKind.CUSTOMER, "C1"), T0, "Hi")
    note = TimelineEntry.post(t, EntryKind.NOTE, AGENT, T0, "Internal")
    assert check(t, [customer, note], SurveySettings()) is Skip.NO_AGENT_REPLY


def test_who_had_the_ticket_at_solve_time_undoes_later_changes() -> None:
    from chalicelib.domain.timeline import Change

    def changed(version: int, *changes: Change) -> TimelineEntry:
        t = replace(ticket(), version=version)
        return TimelineEntry.system(t, "ticket.updated", AGENT, T0, list(changes))

    timeline = [
        changed(2, Change("assignee_id", None, "A1")),
        changed(3, Change("status", "open", "solved"), Change("team_id", "TEAM0", "TEAM1")),  # solved with a move
        changed(4, Change("assignee_id", "A1", "A2")),
        changed(5, Change("team_id", "TEAM1", "TEAM2"), Change("assignee_id", "A2", "A3")),
    ]
    now = solved(assignee_id="A3", team_id="TEAM2")
    assert at_solve(now, timeline) == at_solve(now, list(reversed(timeline)))
    found = at_solve(now, timeline)
    assert (found.assignee_id, found.team_id) == ("A1", "TEAM1")
    assert at_solve(solved(), []) == at_solve(solved(), [changed(2, Change("priority", "low", "high"))])
