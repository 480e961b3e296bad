"""The live chat in two real browsers against the running local stack (sockets through the local bridge).

A customer on the portal and an agent on the chat console (signed in with a mailed link and a TOTP code):
messages both ways, typing, a forced disconnect during which 20 agent messages arrive (all shown after the
reconnect, in order, once), XSS that never runs (the page guard fails the test on any dialog), and with
nobody present the widget's message form that makes a ticket. Screenshots: test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, assert_accessible, screenshot
from tests.e2e.conftest import Stack, call

pytestmark = pytest.mark.e2e
AGENT_EMAIL = "ada@lambdesk.local"
AT_THE_END = "log => log.scrollTop + log.clientHeight >= log.scrollHeight - 2"
XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_with_nobody_present_the_widget_is_a_message_form_that_makes_a_ticket(
    stack: Stack, open_page: Callable[..., Page]
) -> None:
    page = open_page()
    page.goto(stack.url + "/portal")
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_text("Nobody can chat right now")).to_be_visible()
    page.get_by_label("Your name").fill("Olga")
    page.get_by_label("Email").fill("olga@example.com")
    leave_message(page, "Please call me back about order 77")
    assert subjects_of(stack, "olga@example.com") == ["Please call me back about order 77"]


def leave_message(page: Page, text: str) -> None:
    """Send the widget's message form (nobody present) and wait for its thanks."""
    page.get_by_label("Message").fill(text)
    assert_accessible(page)
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("status").filter(has_text="We will answer by email")).to_be_visible()


def subjects_of(stack: Stack, email: str) -> list[str]:
    status, found = call(stack, "GET", f"/v1/tickets?view=requester&requester_email={email}")
    assert status == 200, found
    return sorted(t["subject"] for t in found["items"])


def test_a_signed_in_customer_is_not_asked_who_they_are(stack: Stack, open_page: Callable[..., Page]) -> None:
    from tests.e2e.test_portal_customer import new_request, signed_in

    new_request(stack, "pia@customer.example", "An earlier question")
    page = signed_in(stack, open_page, "pia@customer.example")
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_text("Nobody can chat right now")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_count(0)
    expect(page.get_by_label("Email")).to_have_count(0)
    expect(page.get_by_label("Message")).to_be_focused()
    leave_message(page, "The parcel tracking page is blank")
    assert subjects_of(stack, "pia@customer.example") == ["An earlier question", "The parcel tracking page is blank"]


def sign_in_agent(stack: Stack, page: Page) -> None:
    page.goto(stack.url + "/portal/agent/chat")
    assert page.url.endswith("/portal/agent/sign-in")
    page.get_by_label("Work email").fill(AGENT_EMAIL)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status").first).to_contain_text("sign-in link is on its way")
    mails = [json.loads(line) for line in stack.cli("mail", "outbox").splitlines()]
    link = next(m for m in reversed(mails) if m["ticket_id"] == "agent-sign-in")["text"]
    url = re.search(r"https?://\S+", link)
    assert url is not None, link
    page.goto(url.group(0))
    page.get_by_role("button", name="Continue signing in").click()
    secret = page.locator(".totp-secret").inner_text()
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Chat console")).to_be_visible()
    expect(page.get_by_text("Nobody is waiting.")).to_be_visible()


def test_a_chat_between_the_portal_and_the_console(stack: Stack, open_page: Callable[..., Page]) -> None:
    agent = open_page()
    sign_in_agent(stack, agent)
    assert_accessible(agent)
    agent.wait_for_timeout(1500)  # the console's socket is open and has sent its first heartbeat

    customer = open_page()
    customer.goto(stack.url + "/portal")
    customer.get_by_role("button", name="Chat with us").click()
    customer.get_by_label("Your name").fill("Cat")
    customer.get_by_label("Message").fill("Hello, my parcel is late")
    customer.get_by_role("button", name="Start chat").click()

    agent.get_by_role("button", name=re.compile("^Accept")).first.click()
    expect(customer.get_by_text("Ada Admin joined the chat.")).to_be_visible()
    chat = agent.locator("lambdesk-agent-chat section").first
    expect(agent.locator("lambdesk-agent-chat > .lc-status")).to_have_text("")  # the offer's line is gone
    expect(chat.locator(".lc-log")).to_contain_text("Hello, my parcel is late")

    customer.get_by_role("textbox", name="Message").fill("Order 1234")
    expect(chat.locator(".lc-typing")).to_have_text("The customer is typing…")
    customer.get_by_role("button", name="Send", exact=True).click()
    expect(chat.locator(".lc-log")).to_contain_text("Order 1234")
    chat.get_by_role("textbox", name="Message").fill("Let me look")
    chat.get_by_role("button", name="Send", exact=True).click()
    expect(customer.locator(".lc-log")).to_contain_text("Let me look")
    assert_accessible(customer)

    # A forced disconnect: the customer is offline while 20 agent messages arrive.
    customer.guard.allow("net::ERR_INTERNET_DISCONNECTED")  # type: ignore[attr-defined]  # fetches while offline
    customer.context.set_offline(True)
    customer.evaluate("() => document.querySelector('lambdesk-chat').chat.socket.close()")
    for n in range(1, 21):
        chat.get_by_role("textbox", name="Message").fill(f"update {n}")
        chat.get_by_role("button", name="Send", exact=True).click()
    expect(chat.locator(".lc-msg:not(.lc-pending)").filter(has_text="update 20")).to_have_count(1)
    customer.context.set_offline(False)
    customer.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(customer.locator(".lc-log")).to_contain_text("update 20", timeout=120_000)
    shown = customer.locator(".lc-agent .lc-text").all_inner_texts()
    updates = [text for text in shown if text.startswith("update ")]
    assert updates == [f"update {n}" for n in range(1, 21)], shown
    sent = [text for text in chat.locator(".lc-agent .lc-text").all_inner_texts() if text.startswith("update ")]
    assert sent == updates, sent  # once each on the agent's side too, even when a message came back on a second socket
    assert chat.locator(".lc-log").evaluate(AT_THE_END), "the console's log does not show its newest message"

    # XSS in a message is shown as text on both sides and never runs (the guard fails on any dialog).
    customer.get_by_role("textbox", name="Message").fill(XSS)
    customer.get_by_role("button", name="Send", exact=True).click()
    expect(chat.locator(".lc-log")).to_contain_text("onerror", timeout=30_000)
    assert agent.locator("lambdesk-agent-chat img").count() == 0 and customer.locator("lambdesk-chat img").count() == 0
    screenshot(customer, "chat-customer")
    screenshot(agent, "chat-console")
    customer.set_viewport_size(PHONE)
    assert customer.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
