# ruff: noqa: RUF001 -- Russian pages are part of what is checked
"""The customer portal in Chromium against the running local stack: a customer mails in and answers through
the ticket link in the mail, signs in by link and by code, sends a new request with a file (straight to S3),
cannot reach another customer's ticket, and no XSS payload ever runs. axe-core on every page; screenshots of
each at phone and desktop width in test-artifacts/screenshots/ (portal-*)."""

from __future__ import annotations

import json
import re
import smtplib
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, assert_accessible, screenshot
from tests.e2e.conftest import Stack, call

pytestmark = pytest.mark.e2e
SUPPORT = "help@support.lambdesk.local"
T = TypeVar("T")
TICKET_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/portal/t/[A-Za-z0-9_-]+)")
SIGN_IN_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/portal/login/link/[A-Za-z0-9_-]+)")
XSS_SUBJECT = '<img src=x onerror=alert("subject")> Printer'
XSS_BODY = '<script>alert("body")</script><svg onload=alert("svg")> and "quotes" & ampersands'


def eventually(probe: Callable[[], T | None], timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("timed out waiting for the stack")


def mail_in(stack: Stack, sender: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, SUPPORT, subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@customer.example>"
    msg.set_content(body)
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.send_message(msg, to_addrs=[SUPPORT])


def outbox(stack: Stack) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stack.cli("mail", "outbox").splitlines() if line.strip()]


def mail_to(stack: Stack, address: str, pattern: re.Pattern[str], seen: int = 0) -> str:
    """The path in the newest mail to ``address`` matching ``pattern``, once more than ``seen`` such mails exist."""

    def find() -> str | None:
        found = [m for m in outbox(stack) if address in m["to"] and pattern.search(m["text"] or "")]
        return pattern.search(found[-1]["text"]).group(1) if len(found) > seen else None  # type: ignore[union-attr]

    return eventually(find)


def ticket_of(stack: Stack, email: str, subject: str | None = None) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        _, page = call(stack, "GET", f"/v1/tickets?view=requester&requester_email={email}&include_solved=true")
        return next((t for t in page["items"] if subject is None or t["subject"] == subject), None)

    return eventually(find)


def new_request(stack: Stack, email: str, subject: str) -> dict[str, Any]:
    status, body = call(stack, "POST", "/v1/tickets", {"subject": subject, "body": "Hello", "requester_email": email})
    assert status == 201, body
    ticket: dict[str, Any] = body["ticket"]
    return ticket


def signed_in(stack: Stack, open_page: Callable[..., Page], email: str, **options: Any) -> Page:
    """A browser signed in as ``email`` (through a one-time link as `lambdesk portal-link` prints it)."""
    link = stack.cli("portal-link", "--email", email).strip()
    page = open_page(**options)
    page.goto(link)
    page.get_by_role("button", name=re.compile("^(Sign in|Войти)$")).click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("signed in|Вы вошли"))
    return page


# Elements and runs of text (a long address in a heading) whose right edge is past the phone's width.
STICKING_OUT = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        const box = n.nodeType === Node.TEXT_NODE ? range.getBoundingClientRect() : n.getBoundingClientRect();
        const what = n.tagName || 'text "' + n.textContent.slice(0, 30) + '" in ' + n.parentElement.tagName;
        if (box.right > 376) out.push(what + ' ' + Math.round(box.right));
    }
    return out.slice(0, 5);
}"""


def looks_right(page: Page, name: str) -> None:
    """axe-core clean at desktop and phone width, no sideways scrolling on the phone, screenshots of both."""
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    widest = page.evaluate(STICKING_OUT)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], (name, widest)
    assert_accessible(page)
    screenshot(page, f"portal-{name}")


def test_a_customer_who_mailed_in_answers_through_the_ticket_link_and_the_agent_sees_it(
    stack: Stack, open_page: Callable[..., Page]
) -> None:
    mail_in(stack, "Rita Reader <rita@customer.example>", "Router keeps rebooting", "Every hour or so.")
    path = mail_to(stack, "rita@customer.example", TICKET_LINK)
    page = open_page()
    page.goto(stack.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Router keeps rebooting")
    expect(page.locator(".message-body").first).to_have_text("Every hour or so.")
    looks_right(page, "ticket-by-link")
    page.get_by_label("Your reply").fill("It just rebooted again at 10:02.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Your reply was sent.")
    expect(page.locator(".message.mine .message-body").last).to_have_text("It just rebooted again at 10:02.")
    ticket = ticket_of(stack, "rita@customer.example")
    _, detail = call(stack, "GET", f"/v1/tickets/{ticket['id']}")
    reply = detail["timeline"][-1]
    assert (reply["body"], reply["channel"], reply["author"]["kind"]) == (
        "It just rebooted again at 10:02.",
        "portal",
        "customer",
    )


def test_signing_in_with_the_mailed_code_and_with_the_mailed_link(stack: Stack, open_page: Callable[..., Page]) -> None:
    new_request(stack, "cora@customer.example", "Where is my parcel?")
    page = open_page()
    page.goto(stack.url + "/portal/login")
    looks_right(page, "login")
    page.get_by_label("Email address").fill("cora@customer.example")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    looks_right(page, "login-code")
    mail = eventually(lambda: next((m for m in outbox(stack) if m["to"] == ["cora@customer.example"] and
                                    SIGN_IN_LINK.search(m["text"] or "")), None))  # fmt: skip
    assert mail["auto_submitted"] == "auto-generated" and mail["ticket_id"] is None
    code = re.search(r"\b(\d{6})\b", mail["text"]).group(1)  # type: ignore[union-attr]
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_have_text("You are signed in.")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Hello, "))
    expect(page.get_by_role("link", name="Where is my parcel?")).to_be_visible()
    looks_right(page, "dashboard")

    # a second sign-in, by the link: a mail scanner's GET (JavaScript off, as most do) consumes nothing
    asker = open_page()
    asker.goto(stack.url + "/portal/login")
    asker.get_by_label("Email address").fill("cora@customer.example")
    asker.get_by_role("button", name="Email me a sign-in link").click()
    link = mail_to(stack, "cora@customer.example", SIGN_IN_LINK, seen=1)
    scanner = open_page(javascript=False)
    scanner.goto(stack.url + link)
    expect(scanner.get_by_role("button", name="Sign in")).to_be_visible()
    reader = open_page(locale="ru-RU")
    reader.goto(stack.url + link)
    expect(reader.get_by_role("heading", level=1)).to_have_text("Войти")
    looks_right(reader, "login-link-ru")
    reader.get_by_role("button", name="Войти").click()
    expect(reader.get_by_role("status")).to_have_text("Вы вошли.")
    scanner.goto(stack.url + link)  # the scanner comes back
    expect(scanner.get_by_role("heading", level=1)).to_have_text("This sign-in link no longer works")
    looks_right(scanner, "login-link-used")


def test_a_new_request_with_a_file_uploaded_straight_to_storage_without_javascript(
    stack: Stack, open_page: Callable[..., Page], tmp_path: Path
) -> None:
    new_request(stack, "fay@customer.example", "First request")
    page = signed_in(stack, open_page, "fay@customer.example", javascript=False)
    page.get_by_role("link", name="New request").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New request")  # the click only starts the navigation
    looks_right(page, "new-request")
    shot = tmp_path / "error screen.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    page.get_by_label("Add a file").set_input_files(str(shot))
    page.get_by_role("button", name="Upload").click()  # a POST to the bucket (moto), which sends us back
    expect(page.get_by_role("status")).to_have_text("The file is attached. Send the form to add it.")
    expect(page.locator(".attachments .file-list")).to_contain_text("error screen.png")
    page.get_by_label("Subject").fill("Export fails with 502")
    page.get_by_label("What kind of request is it?").select_option("incident")
    page.get_by_label("How can we help?").fill("Since this morning. Screenshot attached.")
    looks_right(page, "new-request-with-file")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_contain_text("We have your request")
    expect(page.get_by_role("heading", level=1)).to_have_text("Export fails with 502")
    expect(page.get_by_role("link", name="error screen.png")).to_be_visible()
    looks_right(page, "ticket")
    ticket = ticket_of(stack, "fay@customer.example", "Export fails with 502")
    assert ticket["channel"] == "portal" and ticket["type"] == "incident"
    _, detail = call(stack, "GET", f"/v1/tickets/{ticket['id']}")
    [attachment] = [a for e in detail["timeline"] for a in e["attachments"]]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "error screen.png",
        "image/png",
        72,
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="error screen.png").click()
    assert download.value.suggested_filename == "error screen.png"
    assert Path(download.value.path()).read_bytes() == shot.read_bytes()


def test_with_javascript_what_was_typed_survives_an_upload_and_the_list_filters_as_you_type(
    stack: Stack, open_page: Callable[..., Page], tmp_path: Path
) -> None:
    for subject in ("Invoice 2291 wrong", "Password reset mail never arrives"):
        new_request(stack, "gus@customer.example", subject)
    ticket_of(stack, "gus@customer.example", "Password reset mail never arrives")
    page = signed_in(stack, open_page, "gus@customer.example")
    page.goto(stack.url + "/portal/tickets/new")
    page.get_by_label("Subject").fill("Typed before the upload")
    notes = tmp_path / "notes.txt"
    notes.write_text("log lines")
    # With JavaScript a chosen file goes to storage at once: there is no Upload button to forget.
    expect(page.get_by_role("button", name="Upload")).to_be_hidden()
    page.get_by_label("Add a file").set_input_files(str(notes))
    expect(page.locator(".attachments .file-list")).to_contain_text("notes.txt")
    expect(page.get_by_label("Subject")).to_have_value("Typed before the upload")
    page.goto(stack.url + "/portal/tickets")
    expect(page.locator(".ticket-row")).to_have_count(2)
    page.get_by_label("Search by subject").fill("password")
    expect(page.locator(".ticket-row")).to_have_count(1)
    expect(page.locator(".ticket-row")).to_contain_text("Password reset mail never arrives")
    assert page.evaluate("() => document.querySelector('#f-q') === document.activeElement")  # swapped in place
    looks_right(page, "tickets-search")


def test_with_javascript_a_file_chosen_for_a_reply_goes_with_the_reply(
    stack: Stack, open_page: Callable[..., Page], tmp_path: Path
) -> None:
    """The trap a newcomer fell into: a reply typed, a file chosen, Send pressed; the file, never uploaded,
    was silently left out. Now choosing the file sends it to storage at once and the typed reply survives."""
    ticket = new_request(stack, "hal@customer.example", "Printer jams")
    page = signed_in(stack, open_page, "hal@customer.example")
    page.goto(f"{stack.url}/portal/tickets/{ticket['number']}")
    page.get_by_label("Your reply").fill("The jam log is attached.")
    log = tmp_path / "jam.log"
    log.write_text("E-42 paper jam in tray 2")
    page.get_by_label("Add a file").set_input_files(str(log))
    expect(page.locator(".attachments .file-list")).to_contain_text("jam.log")
    expect(page.get_by_label("Your reply")).to_have_value("The jam log is attached.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Your reply was sent.")
    expect(page.get_by_role("link", name="jam.log")).to_be_visible()
    _, detail = call(stack, "GET", f"/v1/tickets/{ticket['id']}")
    replies = [e for e in detail["timeline"] if e["body"] == "The jam log is attached."]
    assert [[a["filename"] for a in e["attachments"]] for e in replies] == [["jam.log"]]
    # A file that is chosen without a change event (the upload did not start): Send uploads it first, and
    # the reply, kept meanwhile, goes once the file is attached.
    page.get_by_label("Your reply").fill("And the photo.")
    page.evaluate(
        """() => {
        const files = new DataTransfer();
        files.items.add(new File(["photo"], "tray.txt", {type: "text/plain"}));
        document.querySelector("#f-file").files = files.files;
    }"""
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".attachments .file-list")).to_contain_text("tray.txt")
    expect(page.get_by_label("Your reply")).to_have_value("And the photo.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Your reply was sent.")
    _, detail = call(stack, "GET", f"/v1/tickets/{ticket['id']}")
    photo = [e for e in detail["timeline"] if e["body"] == "And the photo."]
    assert [[a["filename"] for a in e["attachments"]] for e in photo] == [["tray.txt"]]


def test_times_are_in_the_browsers_time_zone(stack: Stack, open_page: Callable[..., Page]) -> None:
    ticket = new_request(stack, "ida@customer.example", "What time is it")
    page = signed_in(stack, open_page, "ida@customer.example", timezone="Asia/Tokyo")
    page.goto(f"{stack.url}/portal/tickets/{ticket['number']}")
    at = datetime.fromisoformat(str(page.locator(".message time").first.get_attribute("datetime")))
    tokyo = at.astimezone(ZoneInfo("Asia/Tokyo"))
    shown = page.locator(".message time").first.inner_text()
    assert f"{tokyo.hour % 12 or 12}:{tokyo.minute:02d}" in shown, (shown, tokyo)
    page.goto(f"{stack.url}/portal/profile")
    expect(page.get_by_label("Time zone")).to_contain_text("As my browser says (Asia/Tokyo)")


def test_customer_b_cannot_open_customer_as_ticket_by_number_nor_by_a_revoked_link(
    stack: Stack, open_page: Callable[..., Page]
) -> None:
    mail_in(stack, "Abe <abe@customer.example>", "Abe's private matter", "Only for Abe.")
    abes_link = mail_to(stack, "abe@customer.example", TICKET_LINK)
    abes = ticket_of(stack, "abe@customer.example")
    new_request(stack, "bea@customer.example", "Bea's own request")
    bea = signed_in(stack, open_page, "bea@customer.example")
    response = bea.goto(f"{stack.url}/portal/tickets/{abes['number']}")
    assert response is not None and response.status == 404
    expect(bea.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert "private matter" not in bea.content()
    looks_right(bea, "not-found")
    status, _ = call(stack, "DELETE", f"/v1/tickets/{abes['id']}/portal-links")
    assert status == 204
    response = bea.goto(stack.url + abes_link)
    assert response is not None and response.status == 404
    expect(bea.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    looks_right(bea, "link-gone")


def test_xss_sent_by_mail_and_through_the_forms_never_runs(stack: Stack, open_page: Callable[..., Page]) -> None:
    mail_in(stack, "Xena <xena@customer.example>", XSS_SUBJECT, XSS_BODY)
    path = mail_to(stack, "xena@customer.example", TICKET_LINK)
    page = open_page()
    page.goto(stack.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(XSS_SUBJECT)
    expect(page.locator(".message-body").first).to_contain_text('<script>alert("body")</script>')
    page.get_by_label("Your reply").fill(XSS_BODY)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".message.mine .message-body").last).to_contain_text("<svg onload=")
    signed = signed_in(stack, open_page, "xena@customer.example")
    signed.goto(stack.url + "/portal/tickets/new")
    signed.get_by_label("Subject").fill(XSS_SUBJECT)
    signed.get_by_label("How can we help?").fill(XSS_BODY)
    signed.get_by_role("button", name="Send request").click()
    expect(signed.get_by_role("heading", level=1)).to_have_text(XSS_SUBJECT)
    signed.goto(stack.url + "/portal/tickets?status=all&q=printer")
    expect(signed.locator(".ticket-row")).to_have_count(2)
    page.wait_for_timeout(300)
    assert page.guard.dialogs == [] and signed.guard.dialogs == []  # type: ignore[attr-defined]


def test_the_profile_solving_and_reopening_in_russian(stack: Stack, open_page: Callable[..., Page]) -> None:
    new_request(stack, "ivan@customer.example", "Не приходит счёт")
    page = signed_in(stack, open_page, "ivan@customer.example", locale="ru-RU")
    page.get_by_role("link", name="Профиль").click()
    page.get_by_label("Имя").fill("Иван Петров")
    page.get_by_label("Часовой пояс").select_option("Europe/Riga")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Профиль сохранён.")
    looks_right(page, "profile-ru")
    page.get_by_role("link", name="Мои обращения").click()
    page.get_by_role("link", name="Не приходит счёт").click()
    page.get_by_role("button", name="Вопрос решён").click()
    expect(page.get_by_role("status")).to_have_text("Отмечено как решённое. Спасибо, что сообщили.")
    expect(page.locator(".ticket-facts .badge")).to_have_text("Решено")
    looks_right(page, "ticket-solved-ru")
    page.get_by_role("button", name="Открыть снова").click()
    expect(page.locator(".ticket-facts .badge")).to_have_text("Открыто")
    ticket = ticket_of(stack, "ivan@customer.example")
    assert ticket["status"] == "open"


def test_the_home_pages_and_signing_out_everywhere(stack: Stack, open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.goto(stack.url + "/portal")
    looks_right(page, "home")
    new_request(stack, "hal@customer.example", "Laptop")
    one = signed_in(stack, open_page, "hal@customer.example")
    two = signed_in(stack, open_page, "hal@customer.example", color_scheme="dark")
    two.goto(stack.url + "/portal/tickets?status=all")
    looks_right(two, "tickets-dark")
    one.goto(stack.url + "/portal/profile")
    looks_right(one, "profile")
    one.get_by_role("button", name="Sign out everywhere").click()
    expect(one.get_by_role("status")).to_have_text("You are signed out on every device.")
    two.goto(stack.url + "/portal/tickets")
    expect(two.get_by_role("heading", level=1)).to_have_text("Sign in")
