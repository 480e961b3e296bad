"""Public API of the knowledge base: search, type-ahead suggestions, published articles, votes, deflections,
clicks, and the "this solved it" links of acknowledgement mails. The portal's pages are thin routes over the
same services (``KbParts``), passing the audience of their session (``customers`` for a signed-in customer).

No token is needed. A valid agent token lets the caller see agents-only articles too; a missing, invalid or
expired one is read as anonymous (``audience: public`` in the answer says so), never as an error: a public
page must not break because a stale header was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.core.errors import DomainError
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.domain.kb import Visibility
from chalicelib.http import framework
from chalicelib.http.framework import Call, Result, Routes
from chalicelib.kb.search import Query

if TYPE_CHECKING:
    from chalicelib.kb import schemas
    from chalicelib.kb.parts import KbParts
else:
    schemas = lazy_module("chalicelib.kb.schemas")


@dataclass(frozen=True)
class Needs:
    kb: KbParts


deps: Provider[Needs] = Provider("kb.public_routes")
routes = Routes(__name__, "chalicelib.kb.schemas", tag="knowledge base (public)")
bp = routes.bp
RELATED = 3


def audience(call: Call) -> Visibility:
    """``agents`` for a caller with a valid agent token, else ``public``."""
    header = call.request.headers.get("authorization")
    if not header:
        return Visibility.PUBLIC
    try:
        framework.authenticator()(header)
    except DomainError:
        return Visibility.PUBLIC
    return Visibility.AGENTS


@routes(
    "/v1/kb/search",
    "GET",
    summary="Search articles, best first",
    query="SearchQuery",
    response="SearchOut",
    public=True,
)
def search(call: Call) -> schemas.SearchOut:
    query: schemas.SearchQuery = call.query
    seen_by = audience(call)
    found = deps().kb.finder.search(Query(query.q, seen_by, query.locale, query.limit, query.prefix), query.viewer)
    return schemas.SearchOut(
        items=[schemas.SearchItemOut.of(h) for h in found.hits],
        did_you_mean=found.did_you_mean,
        corrected=found.corrected,
        audience=seen_by,
    )


@routes(
    "/v1/kb/suggest",
    "GET",
    summary="Up to three articles for what is being typed (new-request form)",
    query="SuggestQuery",
    response="SearchOut",
    public=True,
)
def suggest(call: Call) -> schemas.SearchOut:
    query: schemas.SuggestQuery = call.query
    seen_by = audience(call)
    found = deps().kb.finder.suggest(query.q, seen_by, query.locale, query.viewer)
    return schemas.SearchOut(
        items=[schemas.SearchItemOut.of(h) for h in found.hits],
        did_you_mean=found.did_you_mean,
        corrected=found.corrected,
        audience=seen_by,
    )


@routes(
    "/v1/kb/categories",
    "GET",
    summary="Categories of published articles, with counts",
    query="CategoriesQuery",
    response="CategoryListOut",
    public=True,
)
def categories(call: Call) -> schemas.CategoryListOut:
    query: schemas.CategoriesQuery = call.query
    found = deps().kb.finder.categories(audience(call), query.locale)
    return schemas.CategoryListOut(items=[schemas.CategoryOut.of(c) for c in found])


@routes(
    "/v1/kb/published/{slug}",
    "GET",
    summary="A published article by its slug, rendered, with related articles",
    query="ReadQuery",
    response="PublishedArticleOut",
    public=True,
)
def read_article(call: Call, slug: str) -> schemas.PublishedArticleOut:
    from urllib.parse import unquote

    from chalicelib.kb.articles import render_html

    query: schemas.ReadQuery = call.query
    seen_by = audience(call)
    kb = deps().kb
    article = kb.articles.readable_by_slug(query.locale, unquote(slug), seen_by)
    kb.signals.viewed(article.id, query.viewer)
    related = kb.finder.related(article.id, seen_by, RELATED)
    return schemas.PublishedArticleOut(
        id=article.id,
        title=article.title,
        html=render_html(article.body),
        slug=article.slug,
        locale=article.locale,
        category=article.category,
        tags=list(article.tags),
        updated_at=article.updated_at,
        related=[schemas.SearchItemOut.of(h) for h in related],
    )


@routes(
    "/v1/kb/articles/{article_id}/votes",
    "POST",
    summary="Was this article helpful? (one vote per viewer and article)",
    body="VoteIn",
    response="VoteOut",
    public=True,
)
def vote(call: Call, article_id: str) -> schemas.VoteOut:
    data: schemas.VoteIn = call.body
    outcome = deps().kb.deflection.vote(article_id, audience(call), data.viewer, data.helpful)
    return schemas.VoteOut(counted=outcome.counted)


@routes(
    "/v1/kb/deflections",
    "POST",
    summary="This article answered my question (the request ends without a ticket)",
    body="DeflectionIn",
    status=204,
    public=True,
)
def deflection(call: Call) -> Result:
    data: schemas.DeflectionIn = call.body
    deps().kb.deflection.answered(data.article_id, audience(call), data.viewer, data.surface)
    return Result(None, 204)


@routes("/v1/kb/clicks", "POST", summary="A search result was opened", body="ClickIn", status=204, public=True)
def click(call: Call) -> Result:
    data: schemas.ClickIn = call.body
    deps().kb.signals.clicked(data.article_id, data.position, data.query_id, data.viewer)
    return Result(None, 204)


@routes(
    "/v1/kb/solve-links/{token}",
    "GET",
    summary="What a 'this solved it' link would do (changes nothing: mail scanners open links)",
    response="SolveLinkOut",
    public=True,
)
def inspect_solve_link(call: Call, token: str) -> schemas.SolveLinkOut:
    view = deps().kb.solve_links.inspect(token)
    return schemas.SolveLinkOut(
        ticket_number=view.ticket_number,
        subject=view.subject,
        article_id=view.article_id,
        open=view.open,
        expires_at=view.expires_at,
    )


@routes(
    "/v1/kb/solve-links/{token}",
    "POST",
    summary="Solve the request the link was sent for (the confirm page's button)",
    response="SolvedOut",
    public=True,
)
def use_solve_link(call: Call, token: str) -> schemas.SolvedOut:
    solved = deps().kb.solve_links.solve(token)
    if solved.changed:
        deps().kb.signals.deflected(solved.article_id, None, "solve_link")
    return schemas.SolvedOut(
        ticket_number=solved.ticket.number, status=str(solved.ticket.status), changed=solved.changed
    )
