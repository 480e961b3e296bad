"""Agent API of the knowledge base: articles (write, read, list, archive, versions), the search index, and
articles for a ticket (suggestions, a draft made from it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.core import observability
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.domain.kb import Article, ArticleFilter, Visibility
from chalicelib.http.framework import Call, Result, Routes
from chalicelib.http.paging import next_cursor, start_key
from chalicelib.kb.service import Editor, NewArticle

if TYPE_CHECKING:
    from chalicelib.kb import schemas
    from chalicelib.kb.parts import KbParts
    from chalicelib.tickets.service import TicketService
else:
    schemas = lazy_module("chalicelib.kb.schemas")


@dataclass(frozen=True)
class Needs:
    kb: KbParts
    tickets: TicketService


deps: Provider[Needs] = Provider("kb.routes")
routes = Routes(__name__, "chalicelib.kb.schemas", tag="knowledge base")
bp = routes.bp
ID = "{article_id}"
SUGGESTED = 5


def _editor(call: Call) -> Editor:
    return Editor(call.principal.agent.id, call.principal.is_admin)


def _article(article: Article, status: int | None = None) -> Result:
    return Result(schemas.ArticleOut.of(article), status, {"ETag": f'"{article.version}"'})


@routes(
    "/v1/kb/articles",
    "POST",
    summary="Write an article (a draft; publishing to customers needs an admin)",
    body="ArticleIn",
    response="ArticleOut",
    status=201,
)
def create_article(call: Call) -> Result:
    data: schemas.ArticleIn = call.body
    new = NewArticle(
        title=data.title,
        body=data.body,
        locale=data.locale,
        category=data.category,
        tags=tuple(data.tags),
        visibility=data.visibility,
        status=data.status,
        slug=data.slug,
    )
    article = deps().kb.articles.create(_editor(call), new)
    observability.count("KbArticleCreated", status=str(article.status))
    return _article(article)


@routes("/v1/kb/articles", "GET", summary="List articles", query="ArticleListQuery", response="ArticlePageOut")
def list_articles(call: Call) -> schemas.ArticlePageOut:
    query: schemas.ArticleListQuery = call.query
    where = ArticleFilter(query.status, query.locale, query.category, query.visibility)
    scope = f"kb-articles:{where.status}:{where.locale}:{where.category}:{where.visibility}"
    page = deps().kb.articles.list(where, query.limit, start_key(query.cursor, scope))
    return schemas.ArticlePageOut(
        items=[schemas.ArticleSummaryOut.of(a) for a in page.items], next_cursor=next_cursor(page.next_key, scope)
    )


@routes(f"/v1/kb/articles/{ID}", "GET", summary="One article (ETag = version)", response="ArticleOut")
def get_article(call: Call, article_id: str) -> Result:
    return _article(deps().kb.articles.get(article_id))


@routes(
    f"/v1/kb/articles/{ID}",
    "PATCH",
    summary="Change an article (a new version)",
    body="ArticlePatchIn",
    response="ArticleOut",
    versioned=True,
)
def update_article(call: Call, article_id: str) -> Result:
    data: schemas.ArticlePatchIn = call.body
    article = deps().kb.articles.update(_editor(call), article_id, call.version or 0, data.changes())
    observability.count("KbArticleUpdated", status=str(article.status))
    return _article(article)


@routes(
    f"/v1/kb/articles/{ID}/archive",
    "POST",
    summary="Archive an article (out of search and the portal; its history kept)",
    body="VersionIn",
    response="ArticleOut",
    versioned=True,
)
def archive_article(call: Call, article_id: str) -> Result:
    return _article(deps().kb.articles.archive(_editor(call), article_id, call.version or 0))


@routes(
    f"/v1/kb/articles/{ID}/versions",
    "GET",
    summary="An article's versions, oldest first (each as it was, with its author and time)",
    query="PageQuery",
    response="VersionPageOut",
)
def article_versions(call: Call, article_id: str) -> schemas.VersionPageOut:
    query: schemas.PageQuery = call.query
    scope = f"kb-versions:{article_id}"
    page = deps().kb.articles.versions(article_id, query.limit, start_key(query.cursor, scope))
    return schemas.VersionPageOut(
        items=[schemas.ArticleOut.of(a) for a in page.items], next_cursor=next_cursor(page.next_key, scope)
    )


@routes(
    f"/v1/kb/articles/{ID}/feedback",
    "GET",
    summary="Readers' votes and 'this answered my question' counts",
    response="FeedbackOut",
)
def article_feedback(call: Call, article_id: str) -> schemas.FeedbackOut:
    kb = deps().kb
    kb.articles.get(article_id)
    counts = kb.articles.feedback(article_id)
    return schemas.FeedbackOut(helpful=counts.helpful, not_helpful=counts.not_helpful, deflections=counts.deflections)


@routes("/v1/kb/index", "GET", summary="The search index in use and what it covers", response="IndexOut")
def index_status(call: Call) -> schemas.IndexOut:
    return _index_out(deps().kb)


@routes(
    "/v1/kb/index/rebuild",
    "POST",
    summary="Rebuild the search index now (admins; normally a publish does it)",
    response="IndexOut",
    admin=True,
)
def rebuild_index(call: Call) -> schemas.IndexOut:
    kb = deps().kb
    kb.builder().refresh(force=True)
    return _index_out(kb)


def _index_out(kb: KbParts) -> schemas.IndexOut:
    pointer, changes = kb.repo.pointer(), kb.repo.changes()
    if pointer is None:
        return schemas.IndexOut(
            key=None, generation=0, covers=0, changes=changes, articles=0, size_bytes=0, built_at=None
        )
    return schemas.IndexOut(
        key=pointer.key,
        generation=pointer.generation,
        covers=pointer.covers,
        changes=changes,
        articles=pointer.articles,
        size_bytes=pointer.size_bytes,
        built_at=pointer.built_at,
    )


# -- articles for a ticket ----------------------------------------------------------------------------


@routes(
    "/v1/tickets/{ticket_id}/suggested-articles",
    "GET",
    summary="Articles that may answer a ticket (its subject and first message)",
    response="ItemsOut",
)
def suggested_articles(call: Call, ticket_id: str) -> schemas.ItemsOut:
    from chalicelib.domain.timeline import EntryKind

    needs = deps()
    ticket, timeline = needs.tickets.get(ticket_id)
    first = next((e.body_text or "" for e in timeline if e.kind is EntryKind.MESSAGE), "")
    hits = needs.kb.finder.for_text(f"{ticket.subject}\n{first}", Visibility.AGENTS, SUGGESTED, "ticket")
    return schemas.ItemsOut(items=[schemas.SearchItemOut.of(h) for h in hits])


@routes(
    "/v1/tickets/{ticket_id}/draft-article",
    "POST",
    summary="Draft an article from a ticket's public conversation (emails and phone numbers replaced)",
    body="DraftArticleIn",
    response="ArticleOut",
    status=201,
)
def draft_article(call: Call, ticket_id: str) -> Result:
    from dataclasses import replace

    from chalicelib.kb.drafting import draft_from_ticket

    data: schemas.DraftArticleIn = call.body
    needs = deps()
    new = replace(draft_from_ticket(*needs.tickets.get(ticket_id), locale=data.locale), category=data.category)
    article = needs.kb.articles.create(_editor(call), new)
    observability.count("KbArticleDrafted")
    return _article(article, 201)
