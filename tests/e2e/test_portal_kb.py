"""The portal's help articles in Chromium against the running local stack: a visitor searches from the home
page, opens an article and votes; a typo gets "did you mean"; a Russian browser reads the same pages; a
customer gets suggestions while writing a request and ends it with "this answered my question"; the
acknowledgement mail's "this solved it" link asks before it solves. axe-core on every page; screenshots at
phone and desktop width in test-artifacts/screenshots/ (portal-kb-*)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from devtools.seed_kb import ARTICLES as DEMO_ARTICLES
from tests.e2e.browser import PHONE, assert_accessible, screenshot
from tests.e2e.conftest import Stack, call
from tests.e2e.test_portal_customer import eventually, mail_in, mail_to, signed_in

pytestmark = pytest.mark.e2e
SOLVE_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/portal/kb/solve/kbs_[A-Za-z0-9_-]+)")
ARTICLES: list[dict[str, Any]] = [
    {
        "title": "Reset your PIN",
        "body": "Forgot your PIN? You can set a new one in the app:\n\n1. Open **Settings**.\n2. Choose *Card*, "
        "then *Reset PIN*.\n3. Enter the code we text you.\n\nThe new PIN works at once, also at ATMs.",
        "category": "Cards",
        "tags": ["pin", "security"],
    },
    {
        "title": "Change your PIN at an ATM",
        "body": "Any ATM of our network can change the PIN: insert the card and choose *PIN services*.",
        "category": "Cards",
        "tags": ["pin", "atm"],
    },
    {
        "title": "When will my card arrive?",
        "body": "A new card arrives within five working days. Track its delivery in the app.",
        "category": "Cards",
        "tags": ["delivery"],
    },
    {
        "title": "Top up by bank transfer",
        "body": "Send money from any bank account to the IBAN shown in the app.",
        "category": "Payments",
        "tags": ["top-up"],
    },
    {
        "title": "PIN audit checklist",
        "body": "Agents only: check the PIN audit log before a reset.",
        "visibility": "agents",
    },
]


def text_of(page: Page) -> str:
    return page.inner_text("main")


def no_sideways_scrolling(page: Page) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture(scope="module", autouse=True)
def articles(stack: Stack) -> None:
    for article in ARTICLES:
        status, body = call(stack, "POST", "/v1/kb/articles", {**article, "status": "published"})
        assert status == 201, body
    status, body = call(stack, "POST", "/v1/kb/articles", {"title": "PIN draft", "body": "A draft about the PIN."})
    assert status == 201, body
    status, body = call(stack, "POST", "/v1/kb/index/rebuild")
    # The stack starts with the demo's articles (devtools/seed_kb.py) besides these.
    assert status == 200 and body["articles"] == len(ARTICLES) + len(DEMO_ARTICLES), body


def test_a_visitor_searches_from_home_reads_an_article_and_votes(stack: Stack, page: Page) -> None:
    page.goto(stack.url + "/portal")
    page.get_by_label("Search help articles").fill("forgot pin")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("h2.count")).to_be_visible()
    found = page.locator(".kb-result-title").all_inner_texts()
    assert found[0] == "Reset your PIN" and "Change your PIN at an ATM" in found
    assert "PIN audit checklist" not in found and "PIN draft" not in found
    assert_accessible(page)
    no_sideways_scrolling(page)
    screenshot(page, "portal-kb-search-en")

    page.get_by_role("link", name="Reset your PIN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your PIN")
    assert page.locator(".kb-body strong").inner_text() == "Settings"
    assert page.locator(".kb-body ol li").count() == 3
    assert "Change your PIN at an ATM" in page.locator(".kb-related").inner_text()
    assert page.get_by_role("link", name="Help articles", exact=True).first.get_attribute("aria-current") == "page"
    assert_accessible(page)
    no_sideways_scrolling(page)
    screenshot(page, "portal-kb-article-en")

    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.get_by_role("heading", name="Thank you for your feedback.")).to_be_visible()
    assert page.url.endswith("/portal/kb/reset-your-pin?voted=1#helpful")
    assert page.get_by_role("button", name="Yes", exact=True).count() == 0
    assert_accessible(page)


def test_the_vote_is_a_plain_form_that_works_without_javascript(stack: Stack, open_page: Callable[..., Page]) -> None:
    page = open_page(javascript=False)
    page.goto(stack.url + "/portal/kb?q=atm")
    page.get_by_role("link", name="Change your PIN at an ATM").click()
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_role("heading", name="Thank you for your feedback.")).to_be_visible()
    assert_accessible(page)
    _, found = call(stack, "GET", "/v1/kb/search?q=atm", token=None)
    article_id = found["items"][0]["id"]
    _, feedback = call(stack, "GET", f"/v1/kb/articles/{article_id}/feedback")
    assert (feedback["helpful"], feedback["not_helpful"]) == (0, 1)


def test_a_typo_gets_did_you_mean_and_nothing_found_says_so(stack: Stack, page: Page) -> None:
    page.goto(stack.url + "/portal/kb?q=delivrey")
    assert "Showing results for:" in text_of(page)
    assert page.locator(".kb-result-title").all_inner_texts() == ["When will my card arrive?"]
    page.goto(stack.url + "/portal/kb?q=zzzz+qqqq")
    assert "No articles match “zzzz qqqq”." in text_of(page)
    assert_accessible(page)
    page.goto(stack.url + "/portal/kb/pin-audit-checklist")  # agents only: not found, like a missing page
    assert page.inner_text("h1") == "Page not found"


def test_a_russian_browser_reads_the_help_center_and_an_article(stack: Stack, open_page: Callable[..., Page]) -> None:
    page = open_page(locale="ru-RU")
    page.goto(stack.url + "/portal/kb")
    assert page.inner_text("h1") == "Справочные статьи"
    headings = page.locator("main h2").all_inner_texts()
    assert headings == ["Разделы", "На других языках"]  # noqa: RUF001 - Russian text
    ours, others = (page.locator("main ul.cards").nth(n).locator("h3").all_inner_texts() for n in (0, 1))
    # The demo's Russian category first; these articles' English ones after, each link marked with its language.
    # The demo's agents-only category is not shown to a visitor.
    assert ours == ["Аккаунт"]
    assert {"Cards", "Payments"} <= set(others) and "Internal" not in ours + others
    assert page.get_by_role("link", name="Cards").get_attribute("lang") == "en"
    assert_accessible(page)
    no_sideways_scrolling(page)
    screenshot(page, "portal-kb-home-ru")
    page.get_by_role("link", name="Cards").click()
    page.get_by_role("link", name="Reset your PIN").click()
    assert page.get_by_role("group", name="Статья была полезной?").is_visible()
    assert_accessible(page)
    screenshot(page, "portal-kb-article-ru")


def test_a_customer_gets_suggestions_while_writing_and_ends_the_request_without_a_ticket(
    stack: Stack, open_page: Callable[..., Page]
) -> None:
    email = "kim@customer.example"
    status, body = call(stack, "POST", "/v1/customers", {"name": "Kim", "emails": [email]})
    assert status == 201, body
    page = signed_in(stack, open_page, email)
    page.goto(stack.url + "/portal/tickets/new")
    page.get_by_label("Subject").press_sequentially("I forgot my pi", delay=30)
    suggestions = page.locator(".kb-suggestion")
    expect(suggestions.first).to_be_visible()
    titles = page.locator(".kb-suggestion .kb-result-title").all_inner_texts()
    assert 1 <= len(titles) <= 3 and any("Reset your PIN" in t for t in titles)
    assert not any("audit" in t or "draft" in t for t in titles)
    assert_accessible(page)
    no_sideways_scrolling(page)
    screenshot(page, "portal-kb-suggestions-en")

    page.get_by_role("button", name="This answered my question").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glad we could help")
    assert "we did not open a request" in text_of(page)
    assert_accessible(page)
    screenshot(page, "portal-kb-answered-en")
    _, listed = call(stack, "GET", f"/v1/tickets?view=requester&requester_email={email}&include_solved=true")
    assert listed["items"] == []


def test_the_acknowledgement_offers_articles_and_its_link_asks_before_it_solves(
    stack: Stack, open_page: Callable[..., Page]
) -> None:
    email = "sol@customer.example"
    mail_in(stack, email, "How do I reset my PIN?", "I forgot the PIN of my card.")
    link = mail_to(stack, email, SOLVE_LINK)
    page = open_page(locale="ru-RU")
    page.goto(stack.url + link)
    assert page.inner_text("h1") == "Статья помогла?"
    assert_accessible(page)
    screenshot(page, "portal-kb-solve-ru")
    _, listed = call(stack, "GET", f"/v1/tickets?view=requester&requester_email={email}&include_solved=true")
    [ticket] = listed["items"]
    assert ticket["status"] in ("new", "open")  # showing the page changed nothing
    page.get_by_role("button", name="Да, закрыть обращение").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ваше обращение закрыто")

    def solved() -> bool:
        _, again = call(stack, "GET", f"/v1/tickets/{ticket['id']}")
        return bool(again["ticket"]["status"] == "solved")

    eventually(solved, timeout=20)
    page.goto(stack.url + "/portal/kb/solve/kbs_unknown")
    assert page.inner_text("h1") == "Эта ссылка больше не работает"
