"""Satisfaction surveys on the running local stack, in a real browser: ``lambdesk sweep --at +25h`` makes a
solved ticket's survey due, the survey mail's link opens the page (which records nothing), the form records
the answer and can change it, in English and Russian, without JavaScript, with no serious axe violation.

Screenshots land in test-artifacts/screenshots/ (phone 375 px and desktop 1280 px).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.browser import PHONE, assert_accessible, screenshot
from tests.e2e.conftest import Stack, call

pytestmark = pytest.mark.e2e
LINK = r"(http://127\.0\.0\.1:\d+/portal/survey/[A-Za-z0-9_-]{43})\?rating=(\d)"


def eventually(probe: Callable[[], Any], seconds: float = 90, every: float = 1.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(every)


def events(stack: Stack, ticket_id: str, kind: str) -> list[dict[str, Any]]:
    status, detail = call(stack, "GET", f"/v1/tickets/{ticket_id}")
    assert status == 200
    return [e for e in detail["timeline"] if e["event"] == kind]


def solved_ticket(stack: Stack, email: str) -> str:
    """A mail ticket the demo admin answers and solves through the API."""
    status, created = call(
        stack, "POST", "/v1/tickets", {"subject": "Label printer jams", "body": "Every third label", "channel": "email",
                                       "requester_email": email, "requester_name": "Vera"},
    )  # fmt: skip
    assert status == 201
    ticket = created["ticket"]
    reply = {"body": "Cleaned the rollers: it prints again.", "status": "solved", "version": ticket["version"]}
    status, _ = call(stack, "POST", f"/v1/tickets/{ticket['id']}/replies", reply)
    assert status == 201
    return str(ticket["id"])


def survey_link(stack: Stack, ticket_id: str) -> dict[int, str]:
    """Sweep as if a day and an hour later until the ticket's survey went out, then read its mail's links."""

    def swept() -> bool:
        stack.cli("sweep", "--at", "+25h")
        return bool(events(stack, ticket_id, "survey.requested"))

    assert eventually(swept, every=2.0), "no survey.requested after sweeping at +25h"

    def mail() -> dict[str, Any] | None:
        sent = [json.loads(line) for line in stack.cli("mail", "outbox").splitlines() if line.strip()]
        return next((m for m in sent if m["ticket_id"] == ticket_id and "How did we do?" in m["subject"]), None)

    found = eventually(mail)
    assert found, "the survey mail was not sent"
    assert found["headers"]["X-Lambdesk-Kind"] == "survey" and found["auto_submitted"] == "auto-generated"
    return {int(rating): f"{page}?rating={rating}" for page, rating in re.findall(LINK, found["text"])}


def test_the_demo_desk_has_answered_surveys(stack: Stack) -> None:
    status, answered = call(stack, "GET", "/v1/surveys?answered=true")
    assert status == 200
    assert sorted(s["rating"] for s in answered["items"]) == [2, 5]
    status, export = call(stack, "GET", "/v1/surveys?rating=2")
    (negative,) = export["items"]
    assert negative["reasons"] == ["slow"] and events(stack, negative["ticket_id"], "csat.negative")


def test_a_survey_is_mailed_a_day_after_the_solve_and_answered_in_the_browser(
    stack: Stack, open_page: Callable[..., Page]
) -> None:
    ticket_id = solved_ticket(stack, "vera@customer.example")
    links = survey_link(stack, ticket_id)
    assert sorted(links) == [1, 2, 3, 4, 5]

    page = open_page(javascript=False)  # a mail scanner, then the customer: GET records nothing
    for _ in range(2):
        page.goto(links[2])
    assert page.title() == "How did we do? · Lambdesk Support"
    assert page.get_by_role("radio", name="2 Dissatisfied").is_checked()
    assert events(stack, ticket_id, "csat.answered") == []
    assert_accessible(page)
    screenshot(page, "survey-en")
    page.get_by_text("It took too long").click()
    page.get_by_label("Anything else you would like to tell us?").fill("Two days without a printer.")
    page.get_by_role("button", name="Send my rating").click()
    assert page.get_by_role("status").inner_text().startswith("Thank you! We saved your rating: 2 of 5.")
    assert_accessible(page)
    detail = eventually(lambda: events(stack, ticket_id, "csat.negative"), seconds=20)
    assert detail and detail[0]["data"]["reasons"] == ["slow"]

    page.get_by_role("radio", name="5 Very satisfied").check()  # changed within the window
    page.get_by_role("button", name="Update my rating").click()
    assert "5 of 5" in page.get_by_role("status").inner_text()
    status, ticket = call(stack, "GET", f"/v1/tickets/{ticket_id}")
    assert status == 200
    assert ticket["satisfaction"]["rating"] == 5 and ticket["satisfaction"]["comment"] == "Two days without a printer."


def test_the_survey_page_reads_well_in_russian_on_a_phone(stack: Stack, open_page: Callable[..., Page]) -> None:
    ticket_id = solved_ticket(stack, "olga@customer.example")
    links = survey_link(stack, ticket_id)
    page = open_page(locale="ru-RU")
    page.goto(links[1])
    assert page.get_attribute("html", "lang") == "ru" and page.inner_text("h1") == "Как мы справились?"
    assert page.get_by_role("radio", name="1 Очень плохо").is_checked()
    assert page.locator("details.survey-reasons").get_attribute("open") is not None  # a low rating asks why
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "survey-ru")
    assert events(stack, ticket_id, "csat.answered") == []
