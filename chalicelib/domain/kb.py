"""The knowledge base's shared model: articles (every version immutable), who may see them, what the search
index is built from, and the records behind deflection (solve links, votes).

The rules that act on these live in ``chalicelib/kb/``; storage keeps them (``KnowledgeRepository``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Visibility(StrEnum):
    """Who may read an article. A viewer at one level sees the articles of their level and every lower one."""

    PUBLIC = "public"  # anyone, without signing in
    CUSTOMERS = "customers"  # customers signed in to the portal
    AGENTS = "agents"  # agents only (internal know-how)

    @property
    def level(self) -> int:
        return _LEVELS[self]

    def sees(self, article: Visibility) -> bool:
        """Whether a viewer with this audience may read an article with visibility ``article``."""
        return article.level <= self.level

    def visible(self) -> tuple[Visibility, ...]:
        """Every visibility this audience sees, lowest first."""
        return tuple(v for v in Visibility if v.level <= self.level)


_LEVELS = {Visibility.PUBLIC: 0, Visibility.CUSTOMERS: 1, Visibility.AGENTS: 2}


class ArticleStatus(StrEnum):
    DRAFT = "draft"  # being written; never searchable, never shown outside the agent API
    PUBLISHED = "published"  # searchable by the audience its visibility names
    ARCHIVED = "archived"  # kept with its history; out of search and out of the portal


@dataclass(frozen=True)
class Article:
    """One version of an article. Every change makes a new version; the versions are kept as they were.

    ``updated_by``/``updated_at`` name who made this version and when (the author of the version)."""

    id: str
    title: str
    body: str  # Markdown, as written
    slug: str  # unique per locale
    locale: str
    category: str
    tags: tuple[str, ...]
    visibility: Visibility
    status: ArticleStatus
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    published_at: datetime | None = None
    version: int = 1

    @property
    def searchable(self) -> bool:
        return self.status is ArticleStatus.PUBLISHED


@dataclass(frozen=True)
class ArticleFilter:
    """What an agent's article listing is narrowed to (None: any)."""

    status: ArticleStatus | None = None
    locale: str | None = None
    category: str | None = None
    visibility: Visibility | None = None


@dataclass(frozen=True)
class SearchDoc:
    """What the search index holds of a published article: plain text, no Markdown, no HTML."""

    article_id: str
    slug: str
    locale: str
    title: str
    tags: tuple[str, ...]
    text: str
    category: str
    visibility: Visibility
    version: int


@dataclass(frozen=True)
class IndexPointer:
    """The search index in use: an object in S3 (``key``), built from every index-changing article write up
    to number ``covers`` (the knowledge base's change counter when the build started reading)."""

    key: str
    generation: int
    covers: int
    articles: int
    size_bytes: int
    built_at: datetime


@dataclass(frozen=True)
class SolveToken:
    """A "this solved it" link of an acknowledgement mail: only the SHA-256 of the secret is stored."""

    token_hash: str
    ticket_id: str
    customer_id: str
    article_id: str
    expires_at: datetime


@dataclass(frozen=True)
class ArticleFeedback:
    """What readers said of an article, summed over the days kept."""

    helpful: int = 0
    not_helpful: int = 0
    deflections: int = 0
