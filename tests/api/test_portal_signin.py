# ruff: noqa: RUF001 -- Russian pages are part of what is checked
"""Signing in to the portal through the app (chalice.test.Client): the sign-in mail, its link and code, the
session cookie, scanner safety, CSRF, rate limits, signing out (everywhere)."""

from __future__ import annotations

import re
from typing import Any

from tests.api.portal_support import PORTAL_URL, html, link_and_code, sign_in, text_of, visible_text


def test_the_anonymous_home_page_offers_sign_in_and_sets_no_cookie(portal: Any) -> None:
    reply = portal.browser().get("/portal")
    assert reply.status_code == 200 and "Sign in to your requests" in html(reply)
    assert "Set-Cookie" not in reply.headers
    assert reply.headers["Cache-Control"] == "private, no-cache"


def test_pages_of_a_customer_send_an_anonymous_visitor_to_sign_in_and_back(portal: Any) -> None:
    for path in ("/portal/tickets", "/portal/tickets/new", "/portal/tickets/1", "/portal/profile"):
        reply = portal.browser().get(path)
        assert (reply.status_code, reply.headers["Location"]) == (303, f"/portal/login?next={path}")


def test_signing_in_with_the_code_starts_a_session_with_a_host_only_http_only_cookie(portal: Any) -> None:
    browser = portal.browser()
    browser.get("/portal/login")
    sent = browser.post("/portal/login", {"email": " Ann@Customer.Example ", "next": "/portal/tickets"})
    assert sent.status_code == 303 and sent.headers["Location"] == "/portal/login/code?next=/portal/tickets"
    assert "__Host-signin" in browser.cookies and browser.session() is None
    assert "We sent a sign-in link and a six-digit code" in html(browser.follow())
    [queued] = portal.svc.mail_queue.messages
    assert queued["type"] == "portal.sign_in" and queued["email"] == "ann@customer.example"
    assert set(queued) == {"id", "type", "occurred_at", "attempt", "email", "locale"}  # no link, no code in the queue
    [mail] = portal.mailbox.deliver()
    assert [a.addr_spec for a in mail["To"].addresses] == ["ann@customer.example"]
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Subject"] == "Sign in to Lambdesk Support"
    link, code = link_and_code(mail)
    assert link.startswith("/portal/login/link/") and f"{PORTAL_URL}{link}" in text_of(mail, "html")
    landed = browser.post("/portal/login/code", {"code": f"{code[:3]} {code[3:]}", "next": "/portal/tickets"})
    assert (landed.status_code, landed.headers["Location"]) == (303, "/portal/tickets")
    set_cookies = landed.headers["Set-Cookie"]
    session = next(c for c in set_cookies if c.startswith("__Host-session="))
    assert all(part in session for part in ("Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=2592000"))
    assert "__Host-signin" not in browser.cookies
    assert "You are signed in." in html(browser.follow())


def test_the_sign_in_mail_speaks_the_browsers_language(portal: Any) -> None:
    browser = portal.browser("ru-RU,ru;q=0.9")
    browser.get("/portal/login")
    browser.post("/portal/login", {"email": "ivan@customer.example"})
    [mail] = portal.mailbox.deliver()
    assert mail["Subject"] == "Вход в Lambdesk Support"
    assert "Или введите этот код на странице входа:" in text_of(mail)
    assert "Ссылка и код действуют один раз, 15 минут." in text_of(mail)
    assert '<html lang="ru">' in text_of(mail, "html")


def test_an_unknown_address_gets_the_same_answer_and_becomes_a_customer_only_by_signing_in(portal: Any) -> None:
    from chalicelib.domain.people import Identity, IdentityKind

    known = portal.svc.customers.resolve_email("kim@customer.example", "Kim")
    answers = []
    for email in (known.email, "newcomer@customer.example"):
        browser = portal.browser()
        browser.get("/portal/login")
        reply = browser.post("/portal/login", {"email": email})
        answers.append((reply.status_code, reply.headers["Location"], visible_text(html(browser.follow()))))
    assert answers[0] == answers[1]
    nobody = Identity.of(IdentityKind.EMAIL, "newcomer@customer.example")
    assert portal.svc.customers.find(nobody) is None
    assert len(portal.mailbox.deliver()) == 2
    sign_in(portal.browser(), portal.mailbox, "newcomer@customer.example")
    assert portal.svc.customers.find(nobody) is not None


def test_a_scanners_get_of_the_sign_in_link_consumes_nothing_and_only_the_button_signs_in(portal: Any) -> None:
    asker = portal.browser()
    asker.get("/portal/login")
    asker.post("/portal/login", {"email": "lea@customer.example"})
    link, _ = link_and_code(portal.mailbox.deliver()[0])
    for _ in range(3):  # Safe Links, Proofpoint and a headless browser all open it
        scanned = portal.browser().get(link)
        assert scanned.status_code == 200 and "l•••@customer.example" in html(scanned)
        assert "lea@customer.example" not in html(scanned)
    reader = portal.browser()
    reader.get(link)
    signed = reader.post(link, {})
    assert signed.status_code == 303 and reader.session()
    again = portal.browser()
    assert again.get(link).status_code == 410
    again.get("/portal/login")  # a page with a form: the POST below carries a valid token
    assert again.post(link, {}).status_code == 410 and again.session() is None


def test_the_link_and_the_code_of_one_mail_sign_in_once_between_them(portal: Any) -> None:
    asker = portal.browser()
    asker.get("/portal/login")
    asker.post("/portal/login", {"email": "max@customer.example"})
    asker.follow()
    link, code = link_and_code(portal.mailbox.deliver()[0])
    phone = portal.browser()
    phone.get(link)
    assert phone.post(link, {}).status_code == 303
    refused = asker.post("/portal/login/code", {"code": code})
    assert refused.status_code == 400 and "This code no longer works" in html(refused)


def test_wrong_codes_say_how_many_tries_are_left_and_the_fifth_locks_the_attempt(portal: Any) -> None:
    browser = portal.browser()
    browser.get("/portal/login")
    browser.post("/portal/login", {"email": "eve@customer.example"})
    browser.follow()
    _, code = link_and_code(portal.mailbox.deliver()[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    first = browser.post("/portal/login/code", {"code": wrong})
    assert first.status_code == 400 and "(4 tries left)" in html(first)
    assert 'aria-invalid="true"' in html(first)
    for _ in range(4):
        browser.post("/portal/login/code", {"code": wrong})
    locked = browser.post("/portal/login/code", {"code": code})
    assert locked.status_code == 400 and "This code no longer works" in html(locked) and browser.session() is None


def test_a_malformed_code_is_explained_and_costs_no_try(portal: Any) -> None:
    browser = portal.browser()
    browser.get("/portal/login")
    browser.post("/portal/login", {"email": "ola@customer.example"})
    browser.follow()
    _, code = link_and_code(portal.mailbox.deliver()[0])
    for typo in ("12345", "abcdef", "١٢٣٤٥٦"):
        reply = browser.post("/portal/login/code", {"code": typo})
        assert reply.status_code == 400 and "Enter the six digits from the mail." in html(reply)
    assert browser.post("/portal/login/code", {"code": code}).status_code == 303


def test_a_bad_address_is_named_in_the_form_and_nothing_is_queued(portal: Any) -> None:
    browser = portal.browser()
    browser.get("/portal/login")
    for typed in ("not-an-address", "two words@example.com", "x@localhost"):
        reply = browser.post("/portal/login", {"email": typed})
        assert reply.status_code == 400
        assert 'href="#f-email"' in html(reply) and "Enter an email address like name@example.com." in html(reply)
    assert portal.svc.mail_queue.messages == []


def test_every_sign_in_post_needs_the_csrf_token_of_this_browser(portal: Any) -> None:
    browser, other = portal.browser(), portal.browser()
    browser.get("/portal/login")
    other.get("/portal/login")
    assert browser.post("/portal/login", {"email": "a@customer.example"}, csrf=False).status_code == 403
    foreign = browser.post("/portal/login", {"email": "a@customer.example", "csrf_token": other.token()})
    assert foreign.status_code == 403 and "This form has expired" in html(foreign)
    assert browser.post("/portal/login/code", {"code": "123456"}, csrf=False).status_code == 403
    assert portal.svc.mail_queue.messages == []


def test_sign_in_mail_is_rate_limited_per_address_and_per_ip(portal: Any) -> None:
    browser = portal.browser()
    browser.get("/portal/login")
    statuses = [browser.post("/portal/login", {"email": "spam@customer.example"}).status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]
    assert "Too many attempts" in html(browser.last)
    assert len(portal.svc.mail_queue.messages) == 5
    others = [browser.post("/portal/login", {"email": f"u{n}@customer.example"}).status_code for n in range(16)]
    assert others.count(429) == 1 and others[-1] == 429  # 20 per IP and hour: 5 + 15 went out


def test_signing_out_ends_the_session_and_out_everywhere_ends_every_session(portal: Any) -> None:
    portal.svc.customers.resolve_email("zoe@customer.example", "Zoe")
    laptop, phone, tablet = portal.browser(), portal.browser(), portal.browser()
    for browser in (laptop, phone, tablet):
        sign_in(browser, portal.mailbox, "zoe@customer.example")
        assert "Hello, Zoe" in browser.page()
    phone.get("/portal")
    phone.post("/portal/logout", {})
    assert phone.follow().status_code == 200 and "You are signed out." in phone.page()
    assert "Hello, Zoe" not in phone.get("/portal").body.decode()
    laptop.get("/portal/profile")
    laptop.post("/portal/profile/sign-out-everywhere", {})
    assert "You are signed out on every device." in html(laptop.follow())
    tablet_cookie = dict(tablet.cookies)
    assert tablet.get("/portal/tickets").status_code == 303  # the tablet's session died too
    assert tablet_cookie["__Host-session"]
    sign_in(tablet, portal.mailbox, "zoe@customer.example")
    assert tablet.get("/portal/tickets").status_code == 200  # a new sign-in works again


def test_a_customer_with_several_addresses_is_one_person_whichever_they_sign_in_with(portal: Any) -> None:
    from chalicelib.domain.people import Identity, IdentityKind
    from chalicelib.domain.tickets import Channel
    from chalicelib.domain.timeline import Actor, ActorKind
    from chalicelib.tickets.service import NewTicket

    emails = [Identity.of(IdentityKind.EMAIL, "pat@work.example"), Identity.of(IdentityKind.EMAIL, "pat@home.example")]
    pat = portal.svc.customers.create("Pat", emails)
    portal.svc.tickets.create(
        Actor(ActorKind.CUSTOMER, pat.id),
        NewTicket("Sent from work", "Hello", Channel.EMAIL, requester_email="pat@work.example"),
    )
    home = portal.browser()
    sign_in(home, portal.mailbox, "pat@home.example")
    assert "Sent from work" in html(home.get("/portal/tickets"))


def test_the_sign_in_pages_and_their_errors_speak_russian(portal: Any) -> None:
    browser = portal.browser("ru")
    page = html(browser.get("/portal/login"))
    assert "<h1>Войти</h1>" in page and "Прислать ссылку для входа" in page
    wrong = html(browser.post("/portal/login", {"email": "nope"}))
    assert "Введите адрес вида name@example.com." in wrong
    assert re.search(r"В форме 1 ошибка", wrong)
