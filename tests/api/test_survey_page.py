"""The survey page through Chalice: GET records nothing, POST (with its CSRF token) records and can change the
answer until the survey closes (410), a foreign token is a 404, and an agent's credentials are refused."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from chalicelib.surveys.sender import Sent
from tests.api.survey_world import World
from tests.api.test_web_pages import assert_html_page, cookies_set, text
from tests.conftest import make_token

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def page(w: World, sent: Sent, query: str = "", **headers: str) -> Any:
    return w.http.get(f"/portal/survey/{sent.token}{query}", headers=headers)


def post(w: World, sent: Sent, fields: list[tuple[str, str]], cookie: str, **headers: str) -> Any:
    body = urlencode(fields)
    return w.http.post(f"/portal/survey/{sent.token}", body=body, headers={**FORM, "Cookie": cookie, **headers})


def form_token(w: World, sent: Sent) -> tuple[str, str]:
    """The page's CSRF token and the pre-session cookie it is bound to (what a browser keeps)."""
    shown = page(w, sent)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(shown))
    assert token is not None
    return token.group(1), cookies_set(shown)[0].split(";")[0]


def answer(w: World, sent: Sent, rating: str, comment: str = "", *reasons: str) -> Any:
    csrf, cookie = form_token(w, sent)
    fields = [("csrf_token", csrf), ("rating", rating), ("comment", comment)] + [("reason", r) for r in reasons]
    return post(w, sent, fields, cookie)


def recorded(w: World, sent: Sent) -> tuple[int, list[str]]:
    ticket, timeline = w.svc.ticket_repo.get_with_timeline(sent.survey.ticket_id)
    return ticket.version, [e.event for e in timeline if e.event.startswith("csat.")]


def test_opening_a_rating_link_shows_the_form_with_that_rating_chosen_and_records_nothing(world: World) -> None:
    sent = world.survey()
    before = recorded(world, sent)
    for _ in range(3):  # a mail scanner, a link preview, the customer
        shown = page(world, sent, "?rating=4")
    assert shown.status_code == 200
    assert_html_page(shown)
    html = text(shown)
    assert '<input type="radio" name="rating" value="4" required checked>' in html
    assert html.count(" checked>") == 1 and '<details class="survey-reasons">' in html  # reasons folded
    assert shown.headers["Cache-Control"] == "no-store" and "Send my rating" in html
    assert recorded(world, sent) == before and not world.svc.survey_repo.get(sent.survey.id).answered


def test_a_low_rating_link_opens_the_reasons(world: World) -> None:
    html = text(page(world, world.survey(), "?rating=2"))
    assert '<details class="survey-reasons" open>' in html and 'value="slow"' in html


def test_posting_the_form_records_the_answer_and_the_page_thanks_and_offers_a_change(world: World) -> None:
    sent = world.survey()
    reply = answer(world, sent, "2", "Took a week", "slow", "unclear")
    assert reply.status_code == 303 and reply.headers["Location"] == f"/portal/survey/{sent.token}?saved=1"
    assert recorded(world, sent)[1] == ["csat.answered", "csat.negative"]
    thanked = text(world.http.get(reply.headers["Location"]))
    assert "Thank you! We saved your rating: 2 of 5." in thanked and "Update my rating" in thanked
    assert "Took a week</textarea>" in thanked and 'value="slow" checked' in thanked
    survey = world.svc.survey_repo.get(sent.survey.id)
    assert (survey.rating, survey.comment, survey.reasons) == (2, "Took a week", ("slow", "unclear"))


def test_the_answer_can_be_changed_within_the_window(world: World) -> None:
    sent = world.survey()
    answer(world, sent, "2")
    world.clock.now += timedelta(days=3)
    assert answer(world, sent, "5", "They called me back").status_code == 303
    survey = world.svc.survey_repo.get(sent.survey.id)
    assert (survey.rating, survey.comment, survey.reasons) == (5, "They called me back", ())
    assert recorded(world, sent)[1] == ["csat.answered", "csat.negative", "csat.answered"]


def test_the_ticket_shows_the_satisfaction_to_agents(world: World) -> None:
    sent = world.survey()
    api = world.api(world.agent)
    assert api.get(f"/v1/tickets/{sent.survey.ticket_id}").json["satisfaction"] is None
    answer(world, sent, "4", "Good")
    detail = api.get(f"/v1/tickets/{sent.survey.ticket_id}").json
    satisfaction = detail["satisfaction"]
    assert (satisfaction["rating"], satisfaction["comment"]) == (4, "Good")
    assert datetime.fromisoformat(satisfaction["at"]) == world.clock.now
    events = [e for e in detail["timeline"] if e["event"] == "csat.answered"]
    assert events[0]["data"]["rating"] == 4 and events[0]["body"] == "Good"


def test_after_fourteen_days_the_survey_is_gone(world: World) -> None:
    sent = world.survey()
    csrf, cookie = form_token(world, sent)
    world.clock.now = sent.survey.answerable_until
    for reply in (page(world, sent, "?rating=5"), post(world, sent, [("csrf_token", csrf), ("rating", "5")], cookie)):
        assert reply.status_code == 410
        assert_html_page(reply)
        assert "This survey has closed" in text(reply)
    assert recorded(world, sent)[1] == []


def test_once_the_ticket_is_closed_the_survey_is_gone_and_says_what_was_answered(world: World) -> None:
    sent = world.survey()
    answer(world, sent, "4")
    csrf, cookie = form_token(world, sent)
    ticket = world.svc.ticket_repo.get(sent.survey.ticket_id)
    world.svc.tickets.update(_agent(world), ticket.id, ticket.version, {"status": "closed"})
    reply = post(world, sent, [("csrf_token", csrf), ("rating", "1")], cookie)
    assert reply.status_code == 410 and "Your rating: 4 of 5. Thank you!" in text(reply)
    assert page(world, sent).status_code == 410 and world.svc.survey_repo.get(sent.survey.id).rating == 4


def _agent(w: World) -> Any:
    from chalicelib.domain.timeline import Actor, ActorKind

    return Actor(ActorKind.AGENT, w.agent.id)


def test_an_unknown_or_foreign_token_is_a_404_page(world: World) -> None:
    world.survey()
    for token in ("A" * 43, "not-a-token", "%2e%2e"):
        reply = world.http.get(f"/portal/survey/{token}?rating=5")
        assert reply.status_code == 404 and "Page not found" in text(reply)


def test_an_agents_credentials_are_refused_and_record_nothing(world: World) -> None:
    sent = world.survey()
    csrf, cookie = form_token(world, sent)
    bearer = {"Authorization": f"Bearer {make_token(world.agent)}"}
    shown = page(world, sent, "?rating=5", **bearer)
    posted = post(world, sent, [("csrf_token", csrf), ("rating", "5")], cookie, **bearer)
    for reply in (shown, posted):
        assert reply.status_code == 403 and "Surveys are for customers" in text(reply)
    assert recorded(world, sent)[1] == [] and not world.svc.survey_repo.get(sent.survey.id).answered


def test_a_post_without_the_pages_csrf_token_is_refused(world: World) -> None:
    sent = world.survey()
    _, cookie = form_token(world, sent)
    other, _ = form_token(world, world.survey(email="other@customer.example"))
    for fields, sent_cookie in ([("rating", "5")], cookie), ([("csrf_token", other), ("rating", "5")], "x=y"):
        assert post(world, sent, fields, sent_cookie).status_code == 403
    assert recorded(world, sent)[1] == []


def test_a_post_without_a_rating_shows_the_form_again_naming_the_field(world: World) -> None:
    sent = world.survey()
    reply = answer(world, sent, "", "Hmm", "bogus")
    assert reply.status_code == 400
    html = text(reply)
    assert 'role="alert"' in html and 'href="#f-rating"' in html and 'href="#f-reason"' in html
    assert "Hmm</textarea>" in html and recorded(world, sent)[1] == []


def test_the_page_speaks_the_customers_language_unless_they_chose_another(world: World) -> None:
    sent = world.survey(locale="ru")
    html = text(page(world, sent, "?rating=5"))
    assert '<html lang="ru"' in html and "Как мы справились?" in html and "Отлично" in html
    assert '<html lang="en"' in text(page(world, sent, **{"Cookie": "__Host-lang=en"}))
    english = world.survey(email="john@customer.example")
    assert "Как мы справились?" in text(page(world, english, **{"Accept-Language": "ru-RU"}))
