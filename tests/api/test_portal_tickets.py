"""The portal's ticket pages through the app: lists, isolation, one ticket without agent-only data, new
requests, replies, solving and reopening, ticket links and their revocation, files, the profile."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.people import Identity, IdentityKind
from chalicelib.domain.tickets import Channel, Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.tickets.service import NewTicket
from tests.api.portal_support import Browser, hidden, html, local, sign_in, visible_text

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def customer(portal: Any, email: str, name: str, **changes: Any) -> Any:
    found = portal.svc.customers.resolve_email(email, name)
    return portal.svc.customers.update(found.id, found.version, changes) if changes else found


def ticket_of(portal: Any, who: Any, subject: str, body: str = "Hello", **fields: Any) -> Any:
    new = NewTicket(subject, body, fields.pop("channel", Channel.EMAIL), requester_id=who.id, **fields)
    ticket, _ = portal.svc.tickets.create(Actor(ActorKind.CUSTOMER, who.id), new)
    return ticket


@pytest.fixture
def ann(portal: Any) -> tuple[Any, Browser]:
    person = customer(portal, "ann@acme.example", "Ann")
    browser = portal.browser()
    sign_in(browser, portal.mailbox, person.email)
    return person, browser


def test_my_requests_lists_only_my_tickets_filtered_and_searched(portal: Any, ann: tuple[Any, Browser]) -> None:
    person, browser = ann
    other = customer(portal, "bob@acme.example", "Bob")
    ticket_of(portal, person, "Printer on fire")
    solved = ticket_of(portal, person, "Old printer question")
    agent = Actor(ActorKind.AGENT, portal.svc.directory.create_agent("a@desk.example", "Al").id)
    portal.svc.tickets.update(agent, solved.id, solved.version, {"status": Status.SOLVED})
    ticket_of(portal, other, "Bob's secret invoice")
    listed = visible_text(html(browser.get("/portal/tickets")))
    assert "Printer on fire" in listed and "Old printer question" not in listed and "secret" not in listed
    assert "Old printer question" in visible_text(html(browser.get("/portal/tickets?status=solved")))
    found = visible_text(html(browser.get("/portal/tickets?status=all&q=printer+old")))
    assert "Old printer question" in found and "Printer on fire" not in found
    assert "No request matches “nothing”" in visible_text(html(browser.get("/portal/tickets?q=nothing")))
    assert "secret" not in visible_text(html(browser.get("/portal/tickets?status=all&scope=organization")))


def test_another_customers_ticket_number_is_not_found_like_a_missing_one(portal: Any, ann: tuple[Any, Browser]) -> None:
    _, browser = ann
    bob = customer(portal, "bob@else.example", "Bob")
    bobs = ticket_of(portal, bob, "Bob's private matter")
    for path in (f"/portal/tickets/{bobs.number}", "/portal/tickets/999999", "/portal/tickets/abc"):
        reply = browser.get(path)
        assert reply.status_code == 404 and "Page not found" in html(reply) and "private" not in html(reply)
    assert browser.post(f"/portal/tickets/{bobs.number}/reply", {"message": "hi"}).status_code == 404
    assert browser.post(f"/portal/tickets/{bobs.number}/solve", {}).status_code == 404
    assert portal.svc.tickets.get(bobs.id)[0].version == bobs.version


def test_a_manager_sees_and_answers_the_organizations_tickets_a_colleague_does_not(portal: Any) -> None:
    acme = portal.svc.customers.create_organization("Acme", ["acme.example"])
    boss = customer(portal, "boss@acme.example", "Bea Boss", manager=True)
    worker = customer(portal, "worker@acme.example", "Will")
    outsider = customer(portal, "out@else.example", "Olga")
    assert boss.organization_id == worker.organization_id == acme.id
    wills = ticket_of(portal, worker, "Will's laptop")
    ticket_of(portal, outsider, "Olga's thing")
    manager, colleague = portal.browser(), portal.browser()
    sign_in(manager, portal.mailbox, boss.email)
    sign_in(colleague, portal.mailbox, "bob2@acme.example")
    org = visible_text(html(manager.get("/portal/tickets?scope=organization")))
    assert "Will's laptop" in org and "Olga" not in org and "My organization's" in org
    page = visible_text(html(manager.get(f"/portal/tickets/{wills.number}")))
    assert "Will's laptop" in page and "Will" in page
    manager.post(f"/portal/tickets/{wills.number}/reply", {"message": "I will check with IT."})
    _, timeline = portal.svc.tickets.get(wills.id)
    assert timeline[-1].author == Actor(ActorKind.CUSTOMER, boss.id) and timeline[-1].channel == "portal"
    assert colleague.get(f"/portal/tickets/{wills.number}").status_code == 404
    assert "My organization's" not in visible_text(html(colleague.get("/portal/tickets")))


def test_a_ticket_page_shows_the_public_conversation_and_nothing_agent_only(
    portal: Any, ann: tuple[Any, Browser]
) -> None:
    person, browser = ann
    agent = portal.svc.directory.create_agent("secret.agent@desk.example", "Agent Smith")
    ticket = ticket_of(portal, person, "Refund please", ccs=("cc.person@elsewhere.example",), tags=("vip-escalation",))
    act = Actor(ActorKind.AGENT, agent.id)
    ticket = portal.svc.tickets.update(act, ticket.id, ticket.version, {"assignee_id": agent.id})
    ticket = portal.svc.tickets.note(act, ticket.id, ticket.version, "INTERNAL: customer is a known fraudster")
    portal.svc.tickets.reply(act, ticket.id, ticket.version, "We are on it, Ann.")
    page = html(browser.get(f"/portal/tickets/{ticket.number}"))
    text = visible_text(page)
    assert "Refund please" in text and "Hello" in text and "We are on it, Ann." in text
    for secret in (
        "INTERNAL",
        "fraudster",
        "cc.person@elsewhere.example",
        "Agent Smith",
        "secret.agent",
        "vip-escalation",
        "normal",
        "priority",
        ticket.id,
    ):
        assert secret not in page, secret
    assert "Lambdesk Support" in text and "You" in text


def test_a_new_request_becomes_a_portal_ticket_acknowledged_once_even_if_sent_twice(
    portal: Any, ann: tuple[Any, Browser]
) -> None:
    person, browser = ann
    form = html(browser.get("/portal/tickets/new"))
    [submission] = hidden(form, "submission")
    fields = {
        "subject": "Cannot export",
        "message": "Export fails\nwith 502.",
        "type": "incident",
        "submission": submission,
    }
    first = browser.post("/portal/tickets/new", fields)
    again = browser.post("/portal/tickets/new", fields)  # a double click, a resent form
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    [ticket] = portal.svc.tickets.requester_view(person.email, 10, None, False).items
    assert ticket.channel is Channel.PORTAL and str(ticket.type) == "incident" and ticket.subject == "Cannot export"
    _, timeline = portal.svc.tickets.get(ticket.id)
    created = next(e for e in timeline if e.event == "ticket.created")
    assert created.data["acknowledge"] is True and created.author == Actor(ActorKind.CUSTOMER, person.id)
    page = html(browser.follow(first))
    assert "Thank you. We have your request" in page and "Export fails\nwith 502." in page


def test_a_refused_new_request_keeps_what_was_typed_and_names_the_fields(portal: Any, ann: tuple[Any, Browser]) -> None:
    _, browser = ann
    browser.get("/portal/tickets/new")
    reply = browser.post("/portal/tickets/new", {"subject": "", "message": "Kept text", "type": "nonsense"})
    page = html(reply)
    assert reply.status_code == 400 and 'href="#f-subject"' in page and "Kept text" in page
    assert "Enter a value." in page


def test_replies_solving_and_reopening_from_the_ticket_page(portal: Any, ann: tuple[Any, Browser]) -> None:
    person, browser = ann
    ticket = ticket_of(portal, person, "Login broken")
    path = f"/portal/tickets/{ticket.number}"
    browser.get(path)
    assert browser.post(path + "/reply", {"message": XSS}).headers["Location"] == path + "#latest"
    page = html(browser.follow())
    assert "Your reply was sent." in page and "<script>alert" not in page and "&lt;script&gt;" in page
    browser.post(path + "/solve", {})
    assert portal.svc.tickets.get(ticket.id)[0].status is Status.SOLVED
    page = html(browser.follow())
    assert "Marked as solved" in page and "Reopen" in page and "Mark as solved" not in page
    browser.post(path + "/reopen", {})
    assert portal.svc.tickets.get(ticket.id)[0].status is Status.OPEN
    agent = Actor(ActorKind.AGENT, portal.svc.directory.create_agent("c@desk.example", "Cy").id)
    current = portal.svc.tickets.get(ticket.id)[0]
    current = portal.svc.tickets.update(agent, ticket.id, current.version, {"status": Status.SOLVED})
    portal.svc.tickets.update(agent, ticket.id, current.version, {"status": Status.CLOSED})
    page = html(browser.get(path))
    assert "This request is closed." in page and 'id="reply-form"' not in page and "Reopen" not in page
    assert browser.post(path + "/reopen", {}).status_code == 303
    assert portal.svc.tickets.get(ticket.id)[0].status is Status.CLOSED  # closed is final


def test_a_ticket_link_opens_one_ticket_for_reading_replying_and_solving_until_revoked(
    portal: Any, contract: Any
) -> None:
    from chalicelib.domain.people import Role
    from tests.api.contract import Api

    admin_api = Api(portal.http, contract).as_(portal.svc.directory.create_agent("ad@desk.example", "Ad", Role.ADMIN))
    person = customer(portal, "lin@customer.example", "Lin")
    ticket = ticket_of(portal, person, "Link me")
    other = ticket_of(portal, person, "Another one")
    token = portal.svc.ticket_links.mint(ticket.id, person.id)
    stranger = portal.browser()
    page = html(stranger.get(f"/portal/t/{token}"))
    assert "Link me" in page and "Another one" not in page and "You opened this request from a link" in page
    assert stranger.get(f"/portal/tickets/{other.number}").status_code == 303  # the link signs nobody in
    stranger.post(f"/portal/t/{token}/reply", {"message": "Replying from the mail's link"})
    _, timeline = portal.svc.tickets.get(ticket.id)
    assert timeline[-1].body_text == "Replying from the mail's link" and timeline[-1].author.id == person.id
    revoked = admin_api.delete(f"/v1/tickets/{ticket.id}/portal-links")
    assert revoked.status == 204
    gone = stranger.get(f"/portal/t/{token}")
    assert gone.status_code == 404 and "This link no longer works" in html(gone)
    stranger.get("/portal/login")
    assert stranger.post(f"/portal/t/{token}/reply", {"message": "late"}).status_code == 404
    fresh = portal.svc.ticket_links.mint(ticket.id, person.id)
    assert fresh != token and portal.browser().get(f"/portal/t/{fresh}").status_code == 200
    assert admin_api.delete("/v1/tickets/01NOSUCHTICKET00000000000/portal-links").status == 404


def test_made_up_or_mangled_ticket_links_are_not_found(portal: Any) -> None:
    browser = portal.browser()
    for token in ("1", "x" * 43, "../../portal/tickets", "A" * 200):
        assert browser.get(f"/portal/t/{token}").status_code == 404


def upload(portal: Any, browser: Browser, page_path: str, filename: str, data: bytes) -> Any:
    """What a browser does with the page's upload box: post the file to "S3", follow S3's redirect back."""
    page = html(browser.get(page_path))
    assert 'enctype="multipart/form-data"' in page and "https://uploads.s3.example" in page
    store = portal.svc.upload_store
    back = store.receive(portal.svc.settings.bucket, filename, data)
    return browser.get(local(back))


def test_a_file_goes_to_storage_comes_back_attached_and_is_kept_with_the_request(
    portal: Any, ann: tuple[Any, Browser]
) -> None:
    person, browser = ann
    done = upload(portal, browser, "/portal/tickets/new", "screen shot.png", b"\x89PNG fake")
    assert done.status_code == 303
    back = done.headers["Location"]
    assert urlsplit(back).path == "/portal/tickets/new" and "file" in parse_qs(urlsplit(back).query)
    page = html(browser.follow())
    assert "screen shot.png" in page and "The file is attached" in page
    assert "form-action 'self' https://uploads.s3.example" in browser.last.headers["Content-Security-Policy"]
    [ref] = hidden(page, "file")
    [submission] = hidden(page, "submission")
    browser.post(
        "/portal/tickets/new",
        [("subject", "With a file"), ("message", "See attached"), ("file", ref), ("submission", submission)],
    )
    [ticket] = portal.svc.tickets.requester_view(person.email, 10, None, False).items
    _, timeline = portal.svc.tickets.get(ticket.id)
    [stored] = next(e for e in timeline if e.event == "message.added").data["attachments"]
    assert stored["key"].startswith(f"attachments/portal/{person.id}/") and stored["content_type"] == "image/png"
    assert stored["filename"] == "screen shot.png" and stored["size"] == 9
    page = html(browser.follow())
    link = re.search(r'href="(/portal/tickets/\d+/files/[^"]+)"', page)
    assert link is not None
    download = browser.get(link.group(1))
    assert download.status_code == 303
    assert (
        "disposition=attachment" in download.headers["Location"] and "type=image%2Fpng" in download.headers["Location"]
    )


def test_html_and_oversized_files_are_refused_and_deleted(portal: Any, ann: tuple[Any, Browser]) -> None:
    _, browser = ann
    refused = upload(portal, browser, "/portal/tickets/new", "page.html", b"<script>alert(1)</script>")
    assert refused.status_code == 400 and "Attach a picture, a PDF" in html(refused)
    big = upload(portal, browser, "/portal/tickets/new", "huge.pdf", b"x" * (10 * 1024 * 1024 + 1))
    assert big.status_code == 400 and "larger than 10 MB" in html(big)
    assert [k for (_, k) in portal.svc.repos.objects.objects if k.startswith("uploads/")] == []


def test_another_browsers_file_reference_is_refused(portal: Any, ann: tuple[Any, Browser]) -> None:
    _, browser = ann
    upload(portal, browser, "/portal/tickets/new", "mine.pdf", b"%PDF")
    [ref] = hidden(html(browser.follow()), "file")
    eve = portal.browser()
    sign_in(eve, portal.mailbox, customer(portal, "eve@else.example", "Eve").email)
    eve.get("/portal/tickets/new")
    stolen = eve.post("/portal/tickets/new", [("subject", "x"), ("message", "y"), ("file", ref)])
    assert stolen.status_code == 400 and "The file did not arrive" in html(stolen)


def test_the_profile_sets_name_language_time_zone_and_mail_updates(portal: Any, ann: tuple[Any, Browser]) -> None:
    person, browser = ann
    browser.get("/portal/profile")
    saved = browser.post(
        "/portal/profile", {"name": "Ann Smith", "language": "ru", "time_zone": "Europe/Riga", "mail_updates": "no"}
    )
    assert saved.status_code == 303
    stored = portal.svc.customers.get(person.id)
    assert (stored.name, stored.locale, stored.time_zone, stored.mail_updates) == (
        "Ann Smith",
        "ru",
        "Europe/Riga",
        False,
    )
    page = html(browser.follow())
    assert '<html lang="ru"' in page and "Профиль сохранён." in page
    bad = browser.post(
        "/portal/profile", {"name": "Ann", "language": "xx", "time_zone": "Mars/Base", "mail_updates": "no"}
    )
    assert bad.status_code == 400


def test_times_are_shown_in_the_customers_time_zone(portal: Any) -> None:
    person = customer(portal, "tz@customer.example", "Tia", time_zone="Asia/Tokyo")
    ticket = ticket_of(portal, person, "Time check")
    browser = portal.browser()
    sign_in(browser, portal.mailbox, person.email)
    page = html(browser.get(f"/portal/tickets/{ticket.number}"))
    created = portal.svc.tickets.get(ticket.id)[1][1].at
    from zoneinfo import ZoneInfo

    local_time = created.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f'datetime="{created.isoformat()}"' in page
    assert local_time.strftime("%-I:%M") in page


def test_a_merged_ticket_points_to_where_the_conversation_continues(portal: Any, ann: tuple[Any, Browser]) -> None:
    person, browser = ann
    source, target = ticket_of(portal, person, "Duplicate"), ticket_of(portal, person, "Original")
    agent = Actor(ActorKind.AGENT, portal.svc.directory.create_agent("m@desk.example", "Mo").id)
    portal.svc.ticket_relations.merge(agent, source.id, target.id, source.version)
    page = html(browser.get(f"/portal/tickets/{source.number}"))
    assert f"continues in request #{target.number}" in page and 'id="reply-form"' not in page
    assert "Duplicate" not in visible_text(html(browser.get("/portal/tickets")))


def test_the_identity_of_an_email_identity_is_case_insensitive_for_sign_in(portal: Any) -> None:
    person = customer(portal, "case@customer.example", "Case")
    browser = portal.browser()
    sign_in(browser, portal.mailbox, "CASE@Customer.Example")
    assert portal.svc.customers.find(Identity.of(IdentityKind.EMAIL, "case@customer.example")).id == person.id
    assert "Hello, Case" in browser.page()


def test_times_are_shown_in_the_browsers_zone_unless_the_profile_names_one(
    portal: Any, ann: tuple[Any, Browser]
) -> None:
    """portal.js tells the server the browser's zone in a cookie (``/`` spelled ``~``); the profile's wins."""
    from chalicelib.web import formatting
    from chalicelib.web.cookies import cookie_name

    person, browser = ann
    ticket = ticket_of(portal, person, "Clock check")

    def shown() -> str:
        page = html(browser.get(f"/portal/tickets/{ticket.number}"))
        found = re.search(r'<time datetime="[^"]+">([^<]+)</time>', page)
        assert found is not None, page
        return unescape(found.group(1))

    def in_zone(zone: str) -> str:
        return formatting.format_datetime(ticket.created_at, "en", zone, "short")

    assert in_zone("Asia/Tokyo") != in_zone("UTC")
    assert shown() == in_zone("UTC")
    browser.cookies[cookie_name("tz")] = "Asia~Tokyo"
    assert shown() == in_zone("Asia/Tokyo")
    assert "As my browser says (Asia/Tokyo)" in visible_text(html(browser.get("/portal/profile")))
    for nonsense in ("Mars~Olympus", "Asia", "..~etc~passwd", "Asia~Tokyo~Extra~Deep"):
        browser.cookies[cookie_name("tz")] = nonsense
        assert shown() == in_zone("UTC"), nonsense
    browser.cookies[cookie_name("tz")] = "Asia~Tokyo"
    found = portal.svc.customers.get(person.id)
    portal.svc.customers.update(found.id, found.version, {"time_zone": "Europe/Riga"})
    assert shown() == in_zone("Europe/Riga")
