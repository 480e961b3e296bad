"""The search interface the knowledge base uses, whatever engine stands behind it (SQLite FTS5 today,
``chalicelib/kb/fts.py``; tantivy would be another implementation of the same two protocols).

An *engine* builds an index file from the published articles and opens one; an opened *index* answers
queries for a viewer's audience. Visibility is part of every query the index runs: an article above the
viewer's audience is never a candidate, so no caller can forget to filter it out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from chalicelib.domain.kb import SearchDoc, Visibility

# Words that carry no meaning for finding an article (English: the language of the default locale). Other
# languages' words all count: BM25 already gives words found in most articles little weight.
_STOP = """a an and are as at be been but by can could did do does doing for from had has have how i if in into is
it its me my of on or our please so that the their them then there these they this to was we were what when where
which who why will with would you your hi hello thanks thank"""
STOP_WORDS = frozenset(_STOP.split())
MAX_TERMS = 32
MIN_PREFIX = 2


@dataclass(frozen=True)
class Query:
    text: str
    audience: Visibility = Visibility.PUBLIC
    locale: str | None = None
    limit: int = 10
    # Type-ahead: the last word may be unfinished (``passw`` finds ``password``).
    prefix: bool = False


@dataclass(frozen=True)
class Hit:
    article_id: str
    slug: str
    locale: str
    title: str
    category: str
    snippet: str
    score: float


@dataclass(frozen=True)
class Results:
    hits: list[Hit] = field(default_factory=list)
    # A spelling the index knows, when some words of the query are unknown to it ("pasword" -> "password").
    did_you_mean: str | None = None
    # True when ``hits`` are those of ``did_you_mean`` because the query as typed found nothing.
    corrected: bool = False


@dataclass(frozen=True)
class Category:
    name: str
    locale: str
    articles: int


class IndexUnreadable(ValueError):
    """The file is not an index this engine can open (corrupt, or another engine's format)."""


class SearchIndex(Protocol):
    """One opened index (read only)."""

    def search(self, query: Query) -> Results: ...

    def related(self, article_id: str, audience: Visibility, limit: int) -> list[Hit]:
        """Articles like ``article_id`` that ``audience`` may read (not the article itself)."""

    def categories(self, audience: Visibility, locale: str | None) -> list[Category]: ...

    def in_category(self, category: str, audience: Visibility, locale: str | None, limit: int) -> list[Hit]:
        """The articles of a category that ``audience`` may read, by title."""

    def close(self) -> None: ...


class SearchEngine(Protocol):
    name: str

    def build(self, docs: Sequence[SearchDoc], path: Path) -> None:
        """Write an index of ``docs`` to the file ``path``."""

    def open(self, path: Path) -> SearchIndex: ...


def terms(text: str) -> list[str]:
    """The words of a query that are worth looking for: lower case, no stop words, at most ``MAX_TERMS``."""
    words = re.findall(r"[^\W_]+", text.lower())
    found = [w for w in words if w not in STOP_WORDS and (len(w) > 1 or not w.isascii())]
    return list(dict.fromkeys(found))[:MAX_TERMS]


def typed_prefix(text: str) -> str | None:
    """The unfinished last word of a type-ahead query (None when the text ends with a space or is too short)."""
    if not text or not text[-1].isalnum():
        return None
    words = re.findall(r"[^\W_]+", text.lower())
    return words[-1] if words and len(words[-1]) >= MIN_PREFIX else None
