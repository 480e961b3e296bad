"""The portal's pages in a real browser against the running local stack: languages, keyboard, CSP, axe.

Screenshots land in test-artifacts/screenshots/ (phone 375 px and desktop 1280 px): look at them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.e2e.browser import PHONE, assert_accessible, screenshot
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def test_the_home_page_in_english_reads_well_on_a_phone_and_a_desktop(stack: Stack, page: Page) -> None:
    page.goto(stack.url + "/")  # the site root redirects to the portal
    assert page.url == stack.url + "/portal"
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Help center"
    assert page.title() == "Help center · Lambdesk Support"
    assert page.get_by_role("link", name="Sign in to your requests").get_attribute("href") == "/portal/login"
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert_accessible(page)
    screenshot(page, "portal-home-en")


def test_the_home_page_speaks_russian_to_a_russian_browser(stack: Stack, open_page: Callable[..., Page]) -> None:
    page = open_page(locale="ru-RU")
    page.goto(stack.url + "/portal")
    assert page.get_attribute("html", "lang") == "ru"
    assert page.inner_text("h1") == "Справочный центр"
    assert page.get_by_role("navigation", name="Язык").is_visible()
    assert_accessible(page)
    screenshot(page, "portal-home-ru")


def test_the_language_switcher_works_without_javascript(stack: Stack, open_page: Callable[..., Page]) -> None:
    page = open_page(javascript=False)
    page.goto(stack.url + "/portal")
    page.get_by_role("link", name="Русский").click()
    assert page.url == stack.url + "/portal"
    assert page.inner_text("h1") == "Справочный центр"
    assert page.get_by_role("status").inner_text() == "Язык изменён."
    page.reload()  # the choice sticks; the message was shown once
    assert page.inner_text("h1") == "Справочный центр" and page.get_by_role("status").count() == 0
    page.get_by_role("link", name="English").click()
    assert page.inner_text("h1") == "Help center"


def test_htmx_runs_under_the_strict_csp_and_injected_inline_script_does_not(stack: Stack, page: Page) -> None:
    page.goto(stack.url + "/portal")
    assert page.evaluate("() => window.htmx && window.htmx.version") == "2.0.11"
    assert page.guard.problems() == []  # type: ignore[attr-defined]  # no CSP report from the page itself
    # Suppose an escaping bug let markup through: the CSP still refuses to run its inline handler.
    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=alert(1)>')")
    page.wait_for_timeout(300)
    assert page.guard.dialogs == []  # type: ignore[attr-defined]
    assert any("Content Security Policy" in e for e in page.guard.console_errors)  # type: ignore[attr-defined]
    page.guard.clear()  # type: ignore[attr-defined]


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(stack: Stack, page: Page) -> None:
    page.goto(stack.url + "/portal")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # type: ignore[index]  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_the_home_page_in_dark_mode_keeps_its_contrast(stack: Stack, open_page: Callable[..., Page]) -> None:
    page = open_page(color_scheme="dark")
    page.goto(stack.url + "/portal")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(14, 20, 27)"
    assert_accessible(page)
    screenshot(page, "portal-home-en-dark")


def test_an_error_page_is_a_page_of_the_site(stack: Stack, open_page: Callable[..., Page]) -> None:
    page = open_page(locale="ru-RU")
    response = page.goto(stack.url + "/portal/static/missing.css")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == "Страница не найдена"
    assert_accessible(page)
    screenshot(page, "error-404-ru")
    assert page.guard.console_errors == []  # type: ignore[attr-defined]  # no stylesheet or script of it is missing


SPECIMEN = """{% extends "layout.html" %}{% import "_forms.html" as forms with context %}
{% block title %}Form specimen{% endblock %}{% block content %}
<h1>New request</h1>
{{ forms.error_summary(errors, {"email": "Email address", "subject": "Subject"}) }}
<form method="post" action="#">
  {{ forms.csrf("token") }}
  {{ forms.input("email", "Email address", value="bob@", type="email", errors=errors,
                 hint="We reply to this address.", autocomplete="email") }}
  {{ forms.input("subject", "Subject", errors=errors) }}
  {{ forms.textarea("message", "Message", value="The printer is on fire.", required=False) }}
  {{ forms.button("Send request") }} {{ forms.button("Cancel", kind="secondary", type="button") }}
</form>
<h2>Your requests</h2>
<table class="stack"><thead><tr><th scope="col">Number</th><th scope="col">Subject</th><th scope="col">Status</th>
<th scope="col">Updated</th></tr></thead><tbody>
<tr><td data-label="Number">#1024</td><td data-label="Subject">Invoice shows the wrong VAT number</td>
<td data-label="Status">Open</td><td data-label="Updated">{{ when|relative }}</td></tr>
<tr><td data-label="Number">#1019</td><td data-label="Subject">Cannot sign in on my phone</td>
<td data-label="Status">Solved</td><td data-label="Updated">{{ when|date }}</td></tr>
</tbody></table>{% endblock %}"""


def test_the_form_building_blocks_are_accessible_on_a_phone(stack: Stack, page: Page) -> None:
    """The macros every form will use, rendered here and shown with the stack's stylesheet."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.web.messages import Message
    from chalicelib.web.rendering import base_context, environment

    now = datetime.now(UTC)
    errors = {"email": "Enter an email address like name@example.com", "subject": "Enter a subject"}
    html = (
        environment()
        .from_string(SPECIMEN)
        .render(
            {
                **base_context("en"),
                "base_path": stack.url,
                "errors": errors,
                "messages": [Message("Your reply was sent.", "success")],
                "when": now - timedelta(hours=3),
                "now": now,
            }
        )
    )
    page.goto(stack.url + "/portal")
    page.set_content(html)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert page.get_by_role("alert").first.inner_text().startswith("There are 2 problems with this form")
    assert_accessible(page)
    screenshot(page, "form-specimen")
