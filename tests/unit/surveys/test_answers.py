"""Answering a survey through its link's token: opening records nothing, an answer records the rating and
its events once, a change is recorded until the survey closes, and a foreign token finds nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core.errors import NotFound
from chalicelib.surveys.answers import Closed, SurveyClosed
from chalicelib.surveys.sender import Sent
from tests.unit.surveys.conftest import Desk, agent_of, solved_ticket, survey_events


@pytest.fixture
def sent(desk: Desk) -> Sent:
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id)
    desk.clock.advance(hours=1)
    result = desk.svc.surveys.sender().offer(ticket.id)
    assert isinstance(result, Sent)
    desk.pump()
    return result


def csat(desk: Desk) -> list[tuple[str, Any, Any, Any]]:
    return [
        (e["type"], e["data"]["rating"], e["data"]["previous_rating"], e["body_preview"])
        for e in survey_events(desk, "csat.answered") + desk.of_type("csat.negative")
    ]


def test_opening_the_link_records_nothing(desk: Desk, sent: Sent) -> None:
    version = desk.ticket(sent.survey.ticket_id).version
    for _ in range(3):  # a scanner, a preview, the customer
        opened = desk.svc.surveys.answers.open(sent.token)
    assert opened.survey == sent.survey and opened.closed is None and not opened.survey.answered
    assert desk.ticket(sent.survey.ticket_id).version == version and csat(desk) == []


def test_an_answer_is_recorded_with_its_event_and_shown_on_the_survey(desk: Desk, sent: Sent) -> None:
    answered = desk.svc.surveys.answers.answer(sent.token, 5, "Quick and kind", ("slow",))
    assert (answered.rating, answered.comment, answered.reasons) == (5, "Quick and kind", ())  # no reasons if happy
    assert desk.svc.survey_repo.get(sent.survey.id) == answered
    assert csat(desk) == [("csat.answered", 5, None, "Quick and kind")]
    (event,) = desk.of_type("csat.answered")
    assert event["actor"] == {"kind": "customer", "id": sent.survey.customer_id}
    assert event["data"]["assignee_id"] == sent.survey.assignee_id and event["data"]["team_id"] == sent.survey.team_id


def test_a_negative_answer_also_emits_csat_negative_with_its_reasons(desk: Desk, sent: Sent) -> None:
    desk.svc.surveys.answers.answer(sent.token, 1, "Took a week", ("slow", "not_solved"))
    assert csat(desk) == [("csat.answered", 1, None, "Took a week"), ("csat.negative", 1, None, "Took a week")]
    assert desk.of_type("csat.negative")[0]["data"]["reasons"] == ["not_solved", "slow"]


def test_the_rating_can_be_changed_and_negative_is_emitted_when_it_becomes_negative(desk: Desk, sent: Sent) -> None:
    answers = desk.svc.surveys.answers
    answers.answer(sent.token, 4, None, ())
    answers.answer(sent.token, 2, "On second thought", ("unclear",))
    answers.answer(sent.token, 1, "On second thought", ("unclear",))  # still negative: no second csat.negative
    assert csat(desk) == [
        ("csat.answered", 4, None, ""),
        ("csat.answered", 2, 4, "On second thought"),
        ("csat.answered", 1, 2, "On second thought"),
        ("csat.negative", 2, 4, "On second thought"),
    ]
    assert desk.svc.survey_repo.get(sent.survey.id).rating == 1


def test_posting_the_same_answer_again_records_nothing(desk: Desk, sent: Sent) -> None:
    answers = desk.svc.surveys.answers
    first = answers.answer(sent.token, 3, "Fine", ())
    again = answers.answer(sent.token, 3, "Fine", ())
    assert again == first and len(csat(desk)) == 1


def test_no_answer_after_fourteen_days(desk: Desk, sent: Sent) -> None:
    desk.clock.now = sent.survey.answerable_until - timedelta(seconds=1)
    desk.svc.surveys.answers.answer(sent.token, 4, None, ())
    desk.clock.now = sent.survey.answerable_until
    with pytest.raises(SurveyClosed) as closed:
        desk.svc.surveys.answers.answer(sent.token, 5, None, ())
    assert closed.value.why is Closed.EXPIRED and closed.value.survey.rating == 4
    assert desk.svc.surveys.answers.open(sent.token).closed is Closed.EXPIRED


def test_no_answer_once_the_ticket_is_closed(desk: Desk, sent: Sent) -> None:
    ticket = desk.ticket(sent.survey.ticket_id)
    desk.svc.tickets.update(agent_of(desk, "Closers")[1], ticket.id, ticket.version, {"status": "closed"})
    with pytest.raises(SurveyClosed) as closed:
        desk.svc.surveys.answers.answer(sent.token, 5, None, ())
    assert closed.value.why is Closed.TICKET_CLOSED and csat(desk) == []


@pytest.mark.parametrize("token", ["", "x" * 43, "short", "../../etc/passwd", "A" * 42 + "?"])
def test_a_foreign_or_malformed_token_finds_nothing(desk: Desk, sent: Sent, token: str) -> None:
    with pytest.raises(NotFound):
        desk.svc.surveys.answers.open(token)
    with pytest.raises(NotFound):
        desk.svc.surveys.answers.answer(token, 5, None, ())


def test_the_table_keeps_only_the_tokens_hash_and_the_timeline_no_token(desk: Desk, sent: Sent) -> None:
    (requested,) = desk.of_type("survey.requested")
    assert sent.token not in str(requested) and sent.token not in str(desk.svc.survey_repo.get(sent.survey.id))
    assert sent.token not in str(vars(desk.svc.survey_repo))
