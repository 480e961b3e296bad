"""The survey mail: the outbound consumer turns ``survey.requested`` into one automatic mail to the requester,
in their language, whose five links open the survey with that rating chosen (and record nothing)."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.mailflow.outbound import Outcome
from chalicelib.surveys.sender import Sent
from tests import fakes
from tests.fakes.objects import InMemoryObjectStore
from tests.unit.mailflow.test_drafts import FakeSes, text_of, to_of
from tests.unit.surveys.conftest import Desk, agent_of, solved_ticket

LINK = re.compile(r"https://help\.example\.com/portal/survey/([A-Za-z0-9_-]{43})\?rating=([1-5])")


def survey_mail(desk: Desk, locale: str | None = None, subject: str = "Printer on fire") -> tuple[Any, Sent, Any]:
    """Solve a ticket, send its survey, and run the outbound consumer on every event since: (SES, sent, outcome)."""
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id, subject=subject)
    if locale:
        customer = desk.svc.customers.get(ticket.requester_id)
        desk.svc.customers.update(customer.id, customer.version, {"locale": locale})
    sent = desk.svc.surveys.sender().offer(ticket.id)
    assert isinstance(sent, Sent)
    desk.pump()
    ses = FakeSes()
    outbound = fakes.outbound(desk.svc, InMemoryObjectStore(), ses, desk.svc.signing_key, desk.clock)
    (requested,) = desk.of_type("survey.requested")
    return ses, sent, outbound.handle(requested)


def test_the_survey_mail_goes_to_the_requester_as_automatic_mail_with_five_rating_links(desk: Desk) -> None:
    ses, sent, outcome = survey_mail(desk)
    assert outcome is Outcome.SENT and len(ses.sent) == 1
    mail = ses.mail()
    assert to_of(mail) == ["maria@customer.example"]
    assert mail["Subject"] == "[#1] How did we do? Printer on fire"
    assert mail["Auto-Submitted"] == "auto-generated" and mail["X-Lambdesk-Kind"] == "survey"
    text, html = text_of(mail), text_of(mail, "html")
    assert 'we marked your request [#1] "Printer on fire" as solved' in text
    assert [int(r) for _, r in LINK.findall(text)] == [5, 4, 3, 2, 1]
    assert "5 - Very satisfied: https://help.example.com/portal/survey/" in text
    assert {t for t, _ in LINK.findall(text)} == {sent.token} == {t for t, _ in LINK.findall(html)}
    assert '<html lang="en">' in html and "1 &middot; Very dissatisfied" in html


def test_a_link_of_the_mail_opens_its_survey_and_records_nothing(desk: Desk) -> None:
    ses, sent, _ = survey_mail(desk)
    token = LINK.findall(text_of(ses.mail()))[0][0]
    opened = desk.svc.surveys.answers.open(token)
    assert opened.survey.id == sent.survey.id and not opened.survey.answered


def test_the_survey_mail_speaks_the_customers_language(desk: Desk) -> None:
    ses, _, _ = survey_mail(desk, locale="ru-RU")
    mail = ses.mail()
    assert mail["Subject"] == "[#1] Как мы справились? Printer on fire"
    text, html = text_of(mail), text_of(mail, "html")
    assert "Мы отметили ваше обращение [#1] «Printer on fire» как решённое." in text
    assert "5 - Отлично: https://help.example.com/portal/survey/" in text
    assert '<html lang="ru">' in html and "Спасибо!" in html


def test_the_html_of_the_survey_mail_escapes_the_subject(desk: Desk) -> None:
    ses, _, _ = survey_mail(desk, subject='<img src=x onerror="alert(1)">')
    html = text_of(ses.mail(), "html")
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_no_survey_mail_without_a_public_address_for_the_links(desk: Desk) -> None:
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id)
    desk.svc.surveys.sender().offer(ticket.id)
    desk.pump()
    desk.svc.settings = desk.svc.settings.replace(portal_url=None)
    outbound = fakes.outbound(desk.svc, InMemoryObjectStore(), FakeSes(), desk.svc.signing_key, desk.clock)
    assert outbound.handle(desk.of_type("survey.requested")[0]) is Outcome.IGNORED
