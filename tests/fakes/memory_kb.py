"""In-memory fake of KnowledgeRepository (same rules as DynamoDB; same contract suite)."""

from __future__ import annotations

import threading
from datetime import datetime

from chalicelib.core.errors import AlreadyExists, Conflict, NotFound
from chalicelib.domain.kb import Article, ArticleFeedback, ArticleFilter, IndexPointer, SearchDoc, SolveToken
from chalicelib.domain.views import Page
from chalicelib.storage.dynamodb.kb import STATUS_ORDER, listing_key
from chalicelib.storage.ports import StartKey


class InMemoryKnowledgeRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._articles: dict[str, Article] = {}
        self._versions: dict[str, list[Article]] = {}
        self._slugs: dict[tuple[str, str], str] = {}
        self._docs: dict[str, SearchDoc] = {}
        self._changes = 0
        self._pointer: IndexPointer | None = None
        self._tokens: dict[str, SolveToken] = {}
        self._votes: set[tuple[str, str]] = set()
        self._stats: dict[tuple[str, str], dict[str, int]] = {}
        # (article id, version, reindex) of every version written: what the stream would announce
        self.announced: list[tuple[str, int, bool]] = []

    def write_article(self, article: Article, previous: Article | None, doc: SearchDoc | None) -> None:
        with self._lock:
            stored = self._articles.get(article.id)
            if previous is None and stored is not None:
                raise AlreadyExists("article", "id", article.id)
            if previous is not None and (stored is None or stored.version != previous.version):
                raise Conflict(f"article {article.id} was changed by someone else")
            slug = (article.locale, article.slug)
            moved = previous is None or (previous.locale, previous.slug) != slug
            if moved and slug in self._slugs:
                raise AlreadyExists("article", "slug", article.slug)
            if moved and previous is not None:
                del self._slugs[(previous.locale, previous.slug)]
            self._slugs[slug] = article.id
            self._articles[article.id] = article
            self._versions.setdefault(article.id, []).append(article)
            reindex = article.searchable or bool(previous and previous.searchable)
            if doc is not None:
                self._docs[article.id] = doc
            else:
                self._docs.pop(article.id, None)
            self._changes += 1 if reindex else 0
            self.announced.append((article.id, article.version, reindex))

    def get_article(self, article_id: str, consistent: bool = False) -> Article:
        try:
            return self._articles[article_id]
        except KeyError:
            raise NotFound("article", article_id) from None

    def article_id_for_slug(self, locale: str, slug: str) -> str | None:
        return self._slugs.get((locale, slug))

    def list_articles(self, where: ArticleFilter, limit: int, start: StartKey = None) -> Page[Article]:
        statuses = (where.status,) if where.status else STATUS_ORDER
        ordered = sorted(
            ((statuses.index(a.status), listing_key(a)), a)
            for a in self._articles.values()
            if a.status in statuses and _matches(a, where)
        )
        after = (int(start["s"]), str(start["k"])) if start else None
        rest = [(k, a) for k, a in ordered if after is None or k > after]
        chosen = rest[:limit]
        more = len(rest) > limit
        return Page([a for _, a in chosen], {"s": chosen[-1][0][0], "k": chosen[-1][0][1]} if more else None)

    def versions(self, article_id: str, limit: int, start: StartKey = None) -> Page[Article]:
        every = self._versions.get(article_id, [])
        after = int(start["v"]) if start else 0
        rest = [a for a in every if a.version > after]
        chosen = rest[:limit]
        return Page(chosen, {"v": chosen[-1].version} if len(rest) > limit else None)

    def published(self) -> list[SearchDoc]:
        return [self._docs[k] for k in sorted(self._docs)]

    def changes(self) -> int:
        return self._changes

    def pointer(self) -> IndexPointer | None:
        return self._pointer

    def set_pointer(self, pointer: IndexPointer) -> bool:
        with self._lock:
            stored = self._pointer
            if stored is not None and not (stored.covers <= pointer.covers and stored.generation < pointer.generation):
                return False
            self._pointer = pointer
            return True

    def put_solve_token(self, token: SolveToken) -> None:
        self._tokens[token.token_hash] = token

    def solve_token(self, token_hash: str, now: datetime) -> SolveToken | None:
        token = self._tokens.get(token_hash)
        return token if token is not None and token.expires_at > now else None

    def record_vote(self, article_id: str, viewer: str, helpful: bool, day: str) -> bool:
        with self._lock:
            if (article_id, viewer) in self._votes:
                return False
            self._votes.add((article_id, viewer))
            self._count(article_id, day, "helpful" if helpful else "not_helpful")
            return True

    def count_deflection(self, article_id: str, day: str) -> None:
        with self._lock:
            self._count(article_id, day, "deflections")

    def _count(self, article_id: str, day: str, name: str) -> None:
        counters = self._stats.setdefault((article_id, day), {})
        counters[name] = counters.get(name, 0) + 1

    def feedback(self, article_id: str) -> ArticleFeedback:
        days = [c for (a, _), c in self._stats.items() if a == article_id]
        return ArticleFeedback(
            helpful=sum(d.get("helpful", 0) for d in days),
            not_helpful=sum(d.get("not_helpful", 0) for d in days),
            deflections=sum(d.get("deflections", 0) for d in days),
        )


def _matches(article: Article, where: ArticleFilter) -> bool:
    return (
        (where.locale is None or article.locale == where.locale)
        and (where.category is None or article.category == where.category)
        and (where.visibility is None or article.visibility is where.visibility)
    )
