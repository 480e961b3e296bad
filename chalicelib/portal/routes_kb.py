"""Knowledge base pages of the portal: the help center (categories, search), one article with "was this
helpful?", suggestions while a customer writes a request with "this answered my question", and the confirm
page of the acknowledgement mail's "this solved it, close my request" links.

Thin routes over the knowledge base's parts (``KbParts``). Who reads decides what is found: anonymous
visitors see public articles, signed-in customers also ``customers`` ones; agents-only articles and drafts
are never in what the portal can ask for (the index holds no drafts, and the audience is in every query).
A reader is identified to the knowledge base's counters by their customer id or, before sign-in, by the
pre-session cookie their forms are bound to (the signals log only a keyed hash of it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlencode

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.core.errors import NotFound
from chalicelib.core.providers import Provider
from chalicelib.domain.kb import Visibility
from chalicelib.portal.pages import checked_form, render, visitor
from chalicelib.web import i18n
from chalicelib.web.cookies import get_cookie
from chalicelib.web.csrf import PRESESSION_COOKIE
from chalicelib.web.views import PageRequest, flash_cookie, page_route

if TYPE_CHECKING:
    from chalicelib.kb.parts import KbParts
    from chalicelib.kb.search import Category, Hit
    from chalicelib.portal.pages import Visitor

bp = Blueprint(__name__)
deps: Provider[KbParts] = Provider("portal.kb")
KB = "/portal/kb"
ARTICLE = KB + "/{slug}"
SOLVE = KB + "/solve/{token}"
RESULTS = 20
RELATED = 3
MAX_QUERY = 200
SUGGEST_CHARS = 500
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def audience(who: Visitor | None) -> Visibility:
    return Visibility.CUSTOMERS if who is not None else Visibility.PUBLIC


def viewer(request: PageRequest, who: Visitor | None) -> str | None:
    """Who reads, for one vote per reader and the probable-deflection join (hashed before it is logged)."""
    if who is not None:
        return f"customer:{who.customer.id}"
    browser = get_cookie(request.cookies, PRESESSION_COOKIE)
    return f"browser:{browser}" if browser else None


def asked(request: PageRequest, who: Visitor) -> None:
    """The reader opened a ticket: no probable deflection for what they read, signed in or before."""
    browser = get_cookie(request.cookies, PRESESSION_COOKIE)
    deps().signals.asked([viewer(request, who), f"browser:{browser}" if browser else None])


@page_route(bp, KB, name="portal_kb")
def help_center(request: PageRequest) -> Response:
    from chalicelib.kb.search import Query

    who = visitor(request)
    kb, seen_by = deps(), audience(who)
    q = (request.query("q") or "").strip()[:MAX_QUERY]
    category = (request.query("category") or "").strip()[:MAX_QUERY]
    context: dict[str, Any] = {"q": q, "category": category, "active_page": "kb"}
    if q:
        found = kb.finder.search(Query(q, seen_by, None, RESULTS), viewer(request, who), surface="portal")
        context.update(results=found.hits, did_you_mean=found.did_you_mean, corrected=found.corrected)
    elif category:
        context["results"] = kb.finder.in_category(category, seen_by, None, RESULTS)
    else:
        context["categories"], context["other_categories"] = in_language(
            kb.finder.categories(seen_by, None), request.locale
        )
    return _show(request, "portal/kb.html", context, who, forms=False)


@page_route(bp, ARTICLE, name="portal_kb_article")
def article(request: PageRequest, slug: str) -> Response:
    from markupsafe import Markup

    from chalicelib.kb.articles import render_html

    who = visitor(request)
    kb, seen_by, locale = deps(), audience(who), _locale(request)
    found = kb.articles.readable_by_slug(locale, unquote(slug), seen_by)
    kb.signals.viewed(found.id, viewer(request, who), portal=True)
    context = {
        "article": found,
        "body": Markup(render_html(found.body)),  # noqa: S704 - markdown-it without raw HTML, then nh3
        "related": kb.finder.related(found.id, seen_by, RELATED),
        "voted": request.query("voted") == "1",
        "vote_action": _article_path(slug, locale, "/vote"),
        "active_page": "kb",
    }
    return _show(request, "portal/kb_article.html", context, who)


@page_route(bp, ARTICLE + "/vote", "POST", name="portal_kb_vote", form=True)
def vote(request: PageRequest, slug: str) -> Response:
    who = visitor(request)
    form = checked_form(request, who)
    kb, seen_by, locale = deps(), audience(who), _locale(request)
    found = kb.articles.readable_by_slug(locale, unquote(slug), seen_by)
    reader = viewer(request, who) or "unknown"  # the CSRF check needed the pre-session cookie: never unknown
    kb.deflection.vote(found.id, seen_by, reader, form.get("helpful") == "yes")
    joiner = "&" if "?" in (path := _article_path(slug, locale)) else "?"
    return request.redirect(f"{path}{joiner}voted=1#helpful")


@page_route(bp, KB + "/suggestions", "POST", name="portal_kb_suggestions", form=True)
def suggestions(request: PageRequest) -> Response:
    """Up to three articles for what is typed in the new-request form (a fragment for htmx). A POST: the
    message may be longer than a URL can carry; it changes nothing."""
    who = visitor(request)
    form = checked_form(request, who)
    text = " ".join(t for t in ((form.get("subject") or "").strip(), (form.get("message") or "").strip()) if t)
    hits = deps().finder.suggest(text[:SUGGEST_CHARS], audience(who), None, viewer(request, who)).hits if text else []
    return _show(request, "portal/_kb_suggestions.html", {"suggestions": hits}, who, forms=bool(hits))


@page_route(bp, KB + "/answered", "POST", name="portal_kb_answered", form=True)
def answered(request: PageRequest) -> Response:
    """ "This answered my question": counted as an explicit deflection; the request ends without a ticket."""
    who = visitor(request)
    form = checked_form(request, who)
    article_id = form.get("article") or ""
    if not _ID.match(article_id):
        raise NotFound("article", article_id[:64])
    surface = "new_request" if form.get("surface") != "article" else "article"
    deps().deflection.answered(article_id, audience(who), viewer(request, who), surface)
    return request.redirect(f"{KB}/answered?{urlencode({'article': article_id})}")


@page_route(bp, KB + "/answered", name="portal_kb_answered_page")
def answered_page(request: PageRequest) -> Response:
    from chalicelib.kb.articles import article_url

    who = visitor(request)
    article_id = request.query("article") or ""
    if not _ID.match(article_id):
        raise NotFound("article", article_id[:64])
    found = deps().articles.readable(article_id, audience(who))
    context = {"article": found, "article_url": article_url(found.locale, found.slug)}
    return _show(request, "portal/kb_answered.html", context, who, forms=False)


@page_route(bp, SOLVE, name="portal_kb_solve")
def solve_link(request: PageRequest, token: str) -> Response:
    """What the mail's "this solved it" link would do; nothing changes until the button is pressed (mail
    scanners open links)."""
    kb, who = deps(), visitor(request)
    try:
        shown = kb.solve_links.inspect(token)
    except NotFound:
        return _solve_link_gone(request, who)
    try:
        title: str | None = kb.articles.readable(shown.article_id, Visibility.CUSTOMERS).title
    except NotFound:
        title = None  # unpublished since the mail: the request can still be closed
    context = {"link": shown, "article_title": title, "action": SOLVE.replace("{token}", quote(token, safe=""))}
    return _show(request, "portal/kb_solve.html", context, who)


@page_route(bp, SOLVE, "POST", name="portal_kb_solve_post", form=True)
def use_solve_link(request: PageRequest, token: str) -> Response:
    kb, who = deps(), visitor(request)
    checked_form(request, who)
    try:
        solved = kb.solve_links.solve(token)
    except NotFound:
        return _solve_link_gone(request, who)
    if solved.changed:
        kb.signals.deflected(solved.article_id, viewer(request, who), "solve_link")
    path = SOLVE.replace("{token}", quote(token, safe=""))
    return request.redirect(path, cookies=[flash_cookie("solved")] if solved.changed else None)


def _show(
    request: PageRequest, template: str, context: dict[str, Any], who: Visitor | None, **options: Any
) -> Response:
    """A knowledge base page: ``kb_url(hit)`` gives a found article's page."""
    from chalicelib.kb.articles import article_url

    def kb_url(hit: Hit) -> str:
        return article_url(hit.locale, hit.slug)

    return render(request, template, {**context, "kb_url": kb_url}, who, **options)


def _solve_link_gone(request: PageRequest, who: Visitor | None) -> Response:
    from chalicelib.web.i18n import N_

    explanation = N_(
        "Links that close a request work for 14 days, once. Your request may still be open: sign in to see it."
    )
    return _show(request, "portal/link_gone.html", {"explanation": explanation}, who, status=404, forms=False)


def in_language(categories: list[Category], language: str) -> tuple[list[Category], list[Category]]:
    """The categories with articles in the reader's language, then those in other languages (each by name). A
    desk that writes in one language only still shows its articles to every reader: with none in the reader's
    language, all come first."""
    primary = i18n.language_of(language)
    mine = sorted((c for c in categories if i18n.language_of(c.locale) == primary), key=lambda c: c.name.lower())
    others = sorted((c for c in categories if c not in mine), key=lambda c: (c.name.lower(), c.locale))
    return (mine, others) if mine else (others, [])


def _locale(request: PageRequest) -> str:
    from chalicelib.kb.articles import DEFAULT_LOCALE

    asked = request.query("locale") or ""
    return asked if _LOCALE.match(asked) else DEFAULT_LOCALE


def _article_path(slug: str, locale: str, suffix: str = "") -> str:
    from chalicelib.kb.articles import DEFAULT_LOCALE

    path = f"{KB}/{quote(unquote(slug))}{suffix}"
    return path if locale == DEFAULT_LOCALE else f"{path}?{urlencode({'locale': locale})}"
