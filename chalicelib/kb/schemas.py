"""Pydantic models of the knowledge base routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from chalicelib.domain.kb import Article, ArticleStatus, Visibility
from chalicelib.http.schemas import Body, EntityId, In, Limit, Locale, Out, PatchIn, Query, Tag, Text, Version
from chalicelib.kb.articles import SLUG_MAX, article_url, render_html
from chalicelib.kb.search import Category, Hit

Slug = Annotated[str, StringConstraints(min_length=1, max_length=SLUG_MAX, pattern=r"^[^\W_]+(?:-[^\W_]+)*$")]
CategoryName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[^#\n]+$")
]
Tags = Annotated[list[Tag], Field(max_length=20)]
# A first-party id of the reader (portal session id or a random id the portal keeps): never a tracking id.
Viewer = Annotated[str, StringConstraints(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ArticleIn(In):
    title: Text
    body: Body
    locale: Locale = "en"
    category: CategoryName = "general"
    tags: Tags = []
    visibility: Visibility = Visibility.PUBLIC
    status: Literal[ArticleStatus.DRAFT, ArticleStatus.PUBLISHED] = ArticleStatus.DRAFT
    slug: Slug | None = Field(None, description="Unique per locale; made from the title when absent.")


class ArticlePatchIn(PatchIn):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"version"})

    title: Text | None = None
    body: Body | None = None
    locale: Locale | None = None
    category: CategoryName | None = None
    tags: Tags | None = None
    visibility: Visibility | None = None
    status: ArticleStatus | None = None
    slug: Slug | None = None
    version: Version | None = None


class VersionIn(In):
    version: Version | None = None


class ArticleListQuery(Query):
    status: ArticleStatus | None = None
    locale: Locale | None = None
    category: CategoryName | None = None
    visibility: Visibility | None = None
    limit: Limit = 25
    cursor: str | None = None


class PageQuery(Query):
    limit: Limit = 25
    cursor: str | None = None


class ArticleSummaryOut(Out):
    id: str
    title: str
    slug: str
    locale: str
    category: str
    tags: list[str]
    visibility: Visibility
    status: ArticleStatus
    version: int
    updated_at: datetime
    updated_by: str
    published_at: datetime | None
    url: str

    @classmethod
    def of(cls, a: Article) -> ArticleSummaryOut:
        return cls(**_summary(a))


class ArticleOut(ArticleSummaryOut):
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The body rendered and sanitised (safe to put in a page).")
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, a: Article) -> ArticleOut:
        return cls(
            **_summary(a), body=a.body, body_html=render_html(a.body), created_at=a.created_at, created_by=a.created_by
        )


def _summary(a: Article) -> dict[str, object]:
    return {
        "id": a.id,
        "title": a.title,
        "slug": a.slug,
        "locale": a.locale,
        "category": a.category,
        "tags": list(a.tags),
        "visibility": a.visibility,
        "status": a.status,
        "version": a.version,
        "updated_at": a.updated_at,
        "updated_by": a.updated_by,
        "published_at": a.published_at,
        "url": article_url(a.locale, a.slug),
    }


class ArticlePageOut(Out):
    items: list[ArticleSummaryOut]
    next_cursor: str | None


class VersionPageOut(Out):
    items: list[ArticleOut]
    next_cursor: str | None


class FeedbackOut(Out):
    helpful: int
    not_helpful: int
    deflections: int


class CategoryOut(Out):
    name: str
    locale: str
    articles: int

    @classmethod
    def of(cls, c: Category) -> CategoryOut:
        return cls(name=c.name, locale=c.locale, articles=c.articles)


class CategoryListOut(Out):
    items: list[CategoryOut]


class SearchQuery(Query):
    q: SearchText
    limit: Annotated[int, Field(ge=1, le=25)] = 10
    locale: Locale | None = None
    prefix: bool = Field(False, description="Type-ahead: the last word may be unfinished.")
    viewer: Viewer | None = None


class SuggestQuery(Query):
    q: SearchText
    locale: Locale | None = None
    viewer: Viewer | None = None


class SearchItemOut(Out):
    id: str
    title: str
    snippet: str
    url: str
    category: str

    @classmethod
    def of(cls, h: Hit) -> SearchItemOut:
        return cls(
            id=h.article_id, title=h.title, snippet=h.snippet, url=article_url(h.locale, h.slug), category=h.category
        )


class SearchOut(Out):
    items: list[SearchItemOut] = Field(description="Best first.")
    did_you_mean: str | None = Field(None, description="A spelling the knowledge base knows, for unknown words.")
    corrected: bool = Field(False, description="The items are those of did_you_mean: the query found nothing.")
    audience: Visibility = Field(description="Whose articles were searched: public unless a valid token was sent.")


class ItemsOut(Out):
    items: list[SearchItemOut]


class CategoriesQuery(Query):
    locale: Locale | None = None


class ReadQuery(Query):
    locale: Locale = "en"
    viewer: Viewer | None = None


class PublishedArticleOut(Out):
    id: str
    title: str
    html: str
    slug: str
    locale: str
    category: str
    tags: list[str]
    updated_at: datetime
    related: list[SearchItemOut]


class VoteIn(In):
    helpful: bool
    viewer: Viewer


class VoteOut(Out):
    counted: bool = Field(description="False: this viewer's vote on the article was counted before.")


class DeflectionIn(In):
    article_id: EntityId
    viewer: Viewer | None = None
    surface: Literal["new_request", "search", "article"] = "new_request"


class ClickIn(In):
    article_id: EntityId
    position: Annotated[int, Field(ge=1, le=100)] | None = None
    query_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")] | None = None
    viewer: Viewer | None = None


class IndexOut(Out):
    key: str | None
    generation: int
    covers: int = Field(description="Index-changing article writes the index contains.")
    changes: int = Field(description="Index-changing article writes so far.")
    articles: int
    size_bytes: int
    built_at: datetime | None


class SolveLinkOut(Out):
    ticket_number: int
    subject: str
    article_id: str
    open: bool = Field(description="False: the request is solved or closed already.")
    expires_at: datetime


class SolvedOut(Out):
    ticket_number: int
    status: str
    changed: bool = Field(description="False: it was solved already (or this link was used before).")


class DraftArticleIn(In):
    locale: Locale = "en"
    category: CategoryName = "general"
