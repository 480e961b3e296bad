"""Search, type-ahead suggestions, related articles and categories, over the index this container holds.

The caller says who is looking (``audience``): anonymous callers are ``public``, a portal customer's session
``customers``, an agent ``agents``. The index enforces it inside every query (``chalicelib.kb.fts``).
"""

from __future__ import annotations

from chalicelib.domain.kb import Visibility
from chalicelib.kb.index import IndexCache
from chalicelib.kb.search import Category, Hit, Query, Results
from chalicelib.kb.signals import Signals

SUGGESTIONS = 3
TICKET_TEXT_CHARS = 2000


class Finder:
    def __init__(self, cache: IndexCache, signals: Signals) -> None:
        self.cache = cache
        self.signals = signals

    def search(self, query: Query, viewer: str | None = None, surface: str = "search") -> Results:
        index = self.cache.current()
        results = index.search(query) if index is not None else Results()
        self.signals.searched(surface, query.text, results, str(query.audience), viewer)
        return results

    def suggest(self, text: str, audience: Visibility, locale: str | None = None, viewer: str | None = None) -> Results:
        """Up to three articles for what a customer is typing (the last word may be unfinished)."""
        query = Query(text, audience, locale, SUGGESTIONS, prefix=True)
        return self.search(query, viewer, surface="suggest")

    def for_text(self, text: str, audience: Visibility, limit: int, surface: str) -> list[Hit]:
        """Articles for a longer text (a ticket's subject and first message)."""
        return self.search(Query(text[:TICKET_TEXT_CHARS], audience, None, limit), None, surface).hits

    def related(self, article_id: str, audience: Visibility, limit: int) -> list[Hit]:
        index = self.cache.current()
        return index.related(article_id, audience, limit) if index is not None else []

    def categories(self, audience: Visibility, locale: str | None) -> list[Category]:
        index = self.cache.current()
        return index.categories(audience, locale) if index is not None else []

    def in_category(self, category: str, audience: Visibility, locale: str | None, limit: int) -> list[Hit]:
        index = self.cache.current()
        return index.in_category(category, audience, locale, limit) if index is not None else []
