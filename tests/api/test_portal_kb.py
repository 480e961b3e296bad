"""The portal's knowledge base pages through the app: who sees which article (agents-only and drafts never),
search with "did you mean" and no results, the helpful vote (POST with CSRF, once per reader), suggestions
and "this answered my question" on the new-request form, and the acknowledgement mail's "this solved it"
links with their confirm page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.kb import ArticleStatus, Visibility
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.events.envelope import envelope
from chalicelib.kb.service import Editor, NewArticle
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.api.portal_support import PORTAL_URL, Browser, FakeSes, html, local, sign_in, text_of, visible_text
from tests.fakes.objects import InMemoryObjectStore

ADMIN = Editor("admin-1", admin=True)
PUBLISHED = ArticleStatus.PUBLISHED


@pytest.fixture
def kb(portal: Any, tmp_path: Path) -> Iterator[Any]:
    """The portal with four articles about PINs: public, customers only, agents only, and a draft."""
    parts = portal.svc.kb
    parts.cache.check_seconds = 0.0
    parts.cache.directory = tmp_path / "kb"

    def write(title: str, body: str, visibility: Visibility, status: ArticleStatus = PUBLISHED, **kw: Any) -> Any:
        return parts.articles.create(ADMIN, NewArticle(title, body, visibility=visibility, status=status, **kw))

    write("Reset your PIN", "Open **Settings**, then *Card* and choose a new PIN.", Visibility.PUBLIC, category="cards")
    write("PIN limits for members", "Members may change their PIN five times a day.", Visibility.CUSTOMERS)
    write("PIN escalation for agents", "Agents check the PIN audit log.", Visibility.AGENTS)
    write("PIN draft article", "A PIN draft nobody should see.", Visibility.PUBLIC, ArticleStatus.DRAFT)
    write("Card delivery", "A new card arrives within five working days.", Visibility.PUBLIC, category="cards")
    parts.builder().refresh(force=True)
    yield portal


def presession(browser: Browser) -> bool:
    return any(name.endswith("presession") for name in browser.cookies)


def article_titles(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'class="kb-result-title"[^>]*>(.*?)</a>', page)]


def test_anonymous_visitors_see_public_articles_only(kb: Any) -> None:
    browser = kb.browser()
    home = browser.get("/portal/kb")
    assert home.status_code == 200 and "cards" in visible_text(html(home))
    assert not presession(browser)  # a page without forms sets no cookie
    found = article_titles(html(browser.get("/portal/kb?q=pin")))
    assert found == ["Reset your PIN"]
    assert article_titles(html(browser.get("/portal/kb?category=cards"))) == ["Card delivery", "Reset your PIN"]
    read = browser.get("/portal/kb/reset-your-pin")
    assert read.status_code == 200 and "<strong>Settings</strong>" in html(read)
    for slug in ("pin-limits-for-members", "pin-escalation-for-agents", "pin-draft-article", "nope"):
        gone = browser.get(f"/portal/kb/{slug}")
        assert gone.status_code == 404 and "Page not found" in html(gone) and "PIN" not in visible_text(html(gone))


def test_signed_in_customers_also_see_customers_articles_never_agents_or_drafts(kb: Any) -> None:
    browser = kb.browser()
    sign_in(browser, kb.mailbox, "ann@acme.example")
    found = article_titles(html(browser.get("/portal/kb?q=pin")))
    assert sorted(found) == ["PIN limits for members", "Reset your PIN"]
    assert browser.get("/portal/kb/pin-limits-for-members").status_code == 200
    assert browser.get("/portal/kb/pin-escalation-for-agents").status_code == 404
    assert browser.get("/portal/kb/pin-draft-article").status_code == 404
    text = visible_text(html(browser.get("/portal/kb?q=escalation+audit+draft+nobody")))
    assert "agents" not in text and "nobody should see" not in text


def test_search_offers_a_spelling_and_says_when_nothing_matches(kb: Any) -> None:
    browser = kb.browser()
    typo = html(browser.get("/portal/kb?q=delivrey"))
    assert "Showing results for:" in typo and ">delivery</a>" in typo
    assert article_titles(typo) == ["Card delivery"]
    nothing = visible_text(html(browser.get("/portal/kb?q=zzzz+qqqq")))
    assert "No articles match “zzzz qqqq”." in nothing and "Sign in to ask our team" in nothing
    russian = kb.browser("ru")
    assert "Ничего не найдено" in visible_text(html(russian.get("/portal/kb?q=zzzz")))


def test_a_vote_is_a_post_with_csrf_counted_once_per_reader(kb: Any) -> None:
    svc = kb.svc
    article_id = svc.kb.repo.article_id_for_slug("en", "reset-your-pin")
    browser = kb.browser()
    page = html(browser.get("/portal/kb/reset-your-pin"))
    assert "Was this article helpful?" in page and presession(browser)
    forged = browser.post("/portal/kb/reset-your-pin/vote", {"helpful": "yes", "csrf_token": "forged"})
    assert forged.status_code == 403
    other = kb.browser()  # a token of another browser is no good here
    stolen = other.post("/portal/kb/reset-your-pin/vote", {"helpful": "yes", "csrf_token": browser.token()})
    assert stolen.status_code == 403
    voted = browser.post("/portal/kb/reset-your-pin/vote", {"helpful": "yes"})
    assert voted.status_code == 303 and local(voted.headers["Location"]) == "/portal/kb/reset-your-pin?voted=1#helpful"
    thanks = visible_text(html(browser.follow()))
    assert "Thank you for your feedback." in thanks and "Was this article helpful?" not in thanks
    browser.get("/portal/kb/reset-your-pin")
    browser.post("/portal/kb/reset-your-pin/vote", {"helpful": "no"})  # the same reader again: not counted
    counts = svc.kb_repo.feedback(article_id)
    assert (counts.helpful, counts.not_helpful) == (1, 0)
    assert browser.post("/portal/kb/pin-escalation-for-agents/vote", {"helpful": "yes"}).status_code == 404


def test_suggestions_on_the_new_request_form_and_this_answered_my_question(kb: Any) -> None:
    browser = kb.browser()
    sign_in(browser, kb.mailbox, "ann@acme.example")
    form = html(browser.get("/portal/tickets/new"))
    assert 'hx-post="/portal/kb/suggestions"' in form
    typed = {"subject": "forgot my pi", "message": "", "csrf_token": browser.token()}
    shown = html(browser.post("/portal/kb/suggestions", typed))
    assert "<html" not in shown and 2 <= len(article_titles(shown)) <= 3
    assert "PIN escalation" not in shown and "draft" not in shown.lower()
    assert "This answered my question" in shown
    assert html(browser.post("/portal/kb/suggestions", {"subject": "", "message": ""})).strip() == ""
    assert browser.post("/portal/kb/suggestions", {"subject": "pin", "csrf_token": "x"}).status_code == 403
    article_id = re.findall(r'name="article" value="([^"]+)"', shown)[0]
    done = browser.post("/portal/kb/answered", {"article": article_id, "surface": "new_request"})
    assert done.status_code == 303
    page = visible_text(html(browser.follow()))
    assert "Glad we could help" in page and "we did not open a request" in page
    assert kb.svc.kb_repo.feedback(article_id).deflections == 1
    assert "No requests here yet." in visible_text(html(browser.get("/portal/tickets?status=all")))
    assert browser.post("/portal/kb/answered", {"article": "../etc"}).status_code == 404
    hidden_id = kb.svc.kb.repo.article_id_for_slug("en", "pin-escalation-for-agents")
    assert browser.post("/portal/kb/answered", {"article": hidden_id}).status_code == 404


def ack_mail(kb: Any, subject: str, body: str) -> tuple[Any, str]:
    """A new mail ticket from Bob, and the plain text of its acknowledgement."""
    svc = kb.svc
    new = NewTicket(
        subject,
        body,
        requester_email="bob@customer.example",
        requester_name="Bob",
        acknowledge=True,
        message_data={"message_id": "m1@customer.example", "references": []},
    )
    ticket, _ = svc.tickets.create(Actor(ActorKind.CUSTOMER, "c"), new)
    ses = FakeSes()
    [event] = [envelope(e) for e in svc.tickets.get(ticket.id)[1] if e.event == "ticket.created"]
    fakes.outbound(svc, InMemoryObjectStore(), ses, b"k" * 32).handle(event)
    return ticket, text_of(ses.mail())


def test_the_acknowledgement_offers_articles_whose_link_asks_before_it_solves(kb: Any) -> None:
    ticket, text = ack_mail(kb, "How do I reset my PIN?", "I forgot the PIN of my card.")
    assert "Reset your PIN" in text and "PIN escalation" not in text and "PIN limits" not in text
    assert "Card delivery" not in text  # shares only "card" with the question: not worth a line
    links = re.findall(rf"close my request: {re.escape(PORTAL_URL)}(/portal/kb/solve/\S+)", text)
    assert len(links) == 1
    browser = kb.browser()
    confirm = browser.get(links[0])
    assert confirm.status_code == 200 and "Yes, close my request" in html(confirm)
    assert kb.svc.ticket_repo.get(ticket.id).status == "new"  # showing the page changed nothing
    solved = browser.post(links[0], {})
    assert solved.status_code == 303
    after = visible_text(html(browser.follow()))
    assert "Your request is closed" in after and "Marked as solved" in after
    assert kb.svc.ticket_repo.get(ticket.id).status == "solved"
    gone = browser.get("/portal/kb/solve/kbs_not-a-real-link")
    assert gone.status_code == 404 and "Links that close a request work for 14 days" in visible_text(html(gone))
    assert browser.post("/portal/kb/solve/kbs_not-a-real-link", {}).status_code == 404


def test_the_acknowledgement_without_matching_articles_has_no_article_lines(kb: Any) -> None:
    _, text = ack_mail(kb, "Invoice address", "Please change the address on my invoice.")
    assert "close my request" not in text and "opened ticket" in text


def test_navigation_and_home_lead_to_the_help_articles(kb: Any) -> None:
    browser: Browser = kb.browser()
    home = html(browser.get("/portal"))
    assert 'action="/portal/kb"' in home and 'name="q"' in home
    assert 'href="/portal/kb" aria-current="page"' in html(browser.get("/portal/kb"))


def test_a_reader_who_opens_no_request_within_30_minutes_is_a_probable_deflection(kb: Any) -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from chalicelib.reports.kb_probable import ProbableDeflections
    from tests.api.portal_support import hidden

    reports = kb.svc.repos.reports
    asker, reader = kb.browser(), kb.browser()
    for browser in (asker, reader):
        browser.get("/portal/kb/card-delivery")  # a browser's first page has no pre-session id yet: not followed
    assert reports.due_views(datetime.now(UTC) + timedelta(hours=1), 10) == []
    asker.get("/portal/kb/reset-your-pin")  # read before signing in (the browser's pre-session id) ...
    sign_in(asker, kb.mailbox, "ann@acme.example")
    asker.get("/portal/kb/reset-your-pin")  # ... and after (the customer's id)
    assert len(reports.due_views(datetime.now(UTC) + timedelta(hours=1), 10)) == 2  # one per id the asker had
    [submission] = hidden(html(asker.get("/portal/tickets/new")), "submission")
    fields = {"subject": "PIN", "message": "Still locked.", "type": "question", "submission": submission}
    assert asker.post("/portal/tickets/new", fields).status_code == 303
    reader.get("/portal/kb/reset-your-pin")  # reads and leaves
    later = datetime.now(UTC) + timedelta(minutes=31)
    assert len(reports.due_views(later, 10)) == 1  # the asker's views were settled by their request
    sweep = ProbableDeflections(reports, ZoneInfo("UTC"), lambda: later).sweep
    assert sweep()["counted"] == 1 and sweep()["counted"] == 0
    days = reports.days("kb", later.date() - timedelta(days=1), later.date())
    assert sum(d.counts.get("kb_probable", 0) for d in days) == 1
