"""Property: whatever the articles and whatever the query, an anonymous reader is never shown an agents-only,
customers-only, draft or archived article (search, type-ahead, related articles, categories and their
articles, reading)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import NotFound
from chalicelib.core.settings import get_settings
from chalicelib.domain.kb import ArticleFilter, ArticleStatus, Visibility
from chalicelib.kb.search import Query
from chalicelib.kb.service import NewArticle
from tests import fakes
from tests.unit.kb.conftest import ADMIN

WORDS = ["card", "pin", "reset", "transfer", "refund", "карта", "kods", "mainīt", "κωδικός", "pending", "fee"]
word = st.sampled_from(WORDS)
article = st.tuples(
    st.lists(word, min_size=1, max_size=4),
    st.lists(word, min_size=0, max_size=8),
    st.sampled_from(list(Visibility)),
    st.sampled_from(list(ArticleStatus)),
)
query_text = st.one_of(
    st.lists(word, min_size=1, max_size=5).map(" ".join),
    st.text(min_size=1, max_size=40),
    st.lists(st.sampled_from([*WORDS, "OR", "AND", "NOT", '"', "*", "(", ")", "NEAR", "title:", "-", "^"])).map(
        " ".join
    ),
)


def desk(
    articles: list[tuple[list[str], list[str], Visibility, ArticleStatus]], directory: Path
) -> tuple[Any, set[str]]:
    c = fakes.memory_services(get_settings())
    kb = c.kb
    kb.cache.check_seconds = 0.0
    kb.cache.directory = directory
    allowed = set()
    for title, body, visibility, status in articles:
        made = kb.articles.create(
            ADMIN, NewArticle(" ".join(title), " ".join(body) or "-", visibility=visibility, status=status)
        )
        if status is ArticleStatus.ARCHIVED:
            made = kb.articles.update(ADMIN, made.id, made.version, {"status": "published"})
            made = kb.articles.archive(ADMIN, made.id, made.version)
        if made.searchable and made.visibility is Visibility.PUBLIC:
            allowed.add(made.id)
    kb.builder().refresh(force=True)
    return kb, allowed


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(articles=st.lists(article, min_size=1, max_size=8), texts=st.lists(query_text, min_size=1, max_size=4))
def test_anonymous_readers_never_see_hidden_articles_whatever_the_query(
    articles: list[tuple[list[str], list[str], Visibility, ArticleStatus]], texts: list[str]
) -> None:
    with tempfile.TemporaryDirectory(prefix="kb-property-") as directory:
        check(*desk(articles, Path(directory)), texts)


def check(kb: Any, allowed: set[str], texts: list[str]) -> None:
    every = {a.id for a in kb.articles.list(ArticleFilter(), 100).items}
    for text in texts:
        for prefix in (False, True):
            hits = kb.finder.search(Query(text, Visibility.PUBLIC, limit=25, prefix=prefix)).hits
            assert {h.article_id for h in hits} <= allowed
        assert {h.article_id for h in kb.finder.suggest(text, Visibility.PUBLIC).hits} <= allowed
    for article_id in every:
        assert {h.article_id for h in kb.finder.related(article_id, Visibility.PUBLIC, 10)} <= allowed
        if article_id not in allowed:
            try:
                kb.articles.readable(article_id, Visibility.PUBLIC)
            except NotFound:
                continue
            raise AssertionError(f"{article_id} is readable anonymously")
    categories = kb.finder.categories(Visibility.PUBLIC, None)
    assert sum(c.articles for c in categories) == len(allowed)
    listed = {h.article_id for c in categories for h in kb.finder.in_category(c.name, Visibility.PUBLIC, None, 100)}
    assert listed == allowed  # a category's page lists exactly the public articles of the category
