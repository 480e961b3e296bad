"""KnowledgeRepository: one contract, the in-memory fake and DynamoDB (moto in server mode)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import AlreadyExists, Conflict, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.kb import (
    Article,
    ArticleFilter,
    ArticleStatus,
    IndexPointer,
    SolveToken,
    Visibility,
)
from chalicelib.kb.articles import search_doc

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        from tests.fakes.memory_kb import InMemoryKnowledgeRepository

        return InMemoryKnowledgeRepository()
    request.getfixturevalue("table")
    from chalicelib.storage.dynamodb.kb import DynamoKnowledgeRepository

    return DynamoKnowledgeRepository()


def article(**overrides: Any) -> Article:
    fields: dict[str, Any] = {
        "id": new_id(),
        "title": "Reset your PIN",
        "body": "Go to **Settings**.",
        "slug": f"reset-{new_id().lower()}",
        "locale": "en",
        "category": "cards",
        "tags": ("pin",),
        "visibility": Visibility.PUBLIC,
        "status": ArticleStatus.DRAFT,
        "created_at": T0,
        "created_by": "A1",
        "updated_at": T0,
        "updated_by": "A1",
    }
    fields.update(overrides)
    return Article(**fields)


def write(repo: Any, new: Article, previous: Article | None = None) -> Article:
    repo.write_article(new, previous, search_doc(new))
    return new


def next_version(before: Article, **changes: Any) -> Article:
    return replace(before, version=before.version + 1, updated_at=before.updated_at + timedelta(minutes=1), **changes)


def test_an_article_is_read_back_by_id_and_by_slug(repo: Any) -> None:
    stored = write(repo, article(tags=("pin", "security"), published_at=None))
    assert repo.get_article(stored.id) == stored
    assert repo.get_article(stored.id, consistent=True) == stored
    assert repo.article_id_for_slug("en", stored.slug) == stored.id
    assert repo.article_id_for_slug("lv", stored.slug) is None
    with pytest.raises(NotFound):
        repo.get_article(new_id())


def test_every_version_is_kept_as_it_was_oldest_first(repo: Any) -> None:
    first = write(repo, article())
    second = write(repo, next_version(first, title="Reset the PIN", updated_by="A2"), first)
    third = write(repo, next_version(second, status=ArticleStatus.PUBLISHED, published_at=T0), second)
    page = repo.versions(first.id, 2)
    assert page.items == [first, second]
    rest = repo.versions(first.id, 2, page.next_key)
    assert rest.items == [third] and rest.next_key is None
    assert repo.get_article(first.id) == third


def test_a_write_based_on_a_stale_version_changes_nothing(repo: Any) -> None:
    first = write(repo, article())
    second = write(repo, next_version(first, title="Mine"), first)
    with pytest.raises(Conflict):
        repo.write_article(next_version(first, title="Theirs"), first, None)
    assert repo.get_article(first.id) == second
    assert [v.title for v in repo.versions(first.id, 10).items] == ["Reset your PIN", "Mine"]


def test_a_slug_is_unique_per_locale_and_moves_with_its_article(repo: Any) -> None:
    first = write(repo, article(slug="reset-pin"))
    with pytest.raises(AlreadyExists) as taken:
        write(repo, article(slug="reset-pin"))
    assert taken.value.field == "slug"
    latvian = write(repo, article(slug="reset-pin", locale="lv"))
    moved = write(repo, next_version(first, slug="change-pin"), first)
    assert repo.article_id_for_slug("en", "reset-pin") is None
    assert repo.article_id_for_slug("en", "change-pin") == moved.id
    assert repo.article_id_for_slug("lv", "reset-pin") == latvian.id
    reused = write(repo, article(slug="reset-pin"))
    assert repo.article_id_for_slug("en", "reset-pin") == reused.id


def test_the_published_set_and_the_change_counter_follow_publishing(repo: Any) -> None:
    draft = write(repo, article())
    assert repo.published() == [] and repo.changes() == 0
    edited = write(repo, next_version(draft, body="More."), draft)
    assert repo.changes() == 0  # a draft edit changes nothing searchable
    live = write(repo, next_version(edited, status=ArticleStatus.PUBLISHED, published_at=T0), edited)
    (doc,) = repo.published()
    assert (doc.article_id, doc.text, doc.version, doc.visibility) == (live.id, "More.", 3, Visibility.PUBLIC)
    assert repo.changes() == 1
    gone = write(repo, next_version(live, status=ArticleStatus.ARCHIVED), live)
    assert repo.published() == [] and repo.changes() == 2
    assert repo.get_article(gone.id).status is ArticleStatus.ARCHIVED


def test_listings_filter_by_status_locale_category_and_visibility_and_page_through_all(repo: Any) -> None:
    made = []
    for i in range(7):
        made.append(
            write(
                repo,
                article(
                    slug=f"a{i}",
                    locale="lv" if i % 3 == 0 else "en",
                    category="cards" if i % 2 else "transfers",
                    visibility=Visibility.AGENTS if i == 5 else Visibility.PUBLIC,
                    status=ArticleStatus.PUBLISHED if i < 4 else ArticleStatus.DRAFT,
                ),
            )
        )

    def walk(where: ArticleFilter) -> list[str]:
        found, start = [], None
        for _ in range(20):
            page = repo.list_articles(where, 2, start)
            found += [a.slug for a in page.items]
            start = page.next_key
            if start is None:
                return found
        raise AssertionError("the listing does not end")

    # Drafts, then published; inside a status by locale, category, slug.
    assert walk(ArticleFilter()) == ["a5", "a4", "a6", "a1", "a2", "a3", "a0"]
    assert walk(ArticleFilter(status=ArticleStatus.PUBLISHED)) == ["a1", "a2", "a3", "a0"]
    assert walk(ArticleFilter(status=ArticleStatus.PUBLISHED, locale="en")) == ["a1", "a2"]
    assert walk(ArticleFilter(locale="en", category="cards")) == ["a5", "a1"]
    assert walk(ArticleFilter(category="transfers")) == ["a4", "a6", "a2", "a0"]
    assert walk(ArticleFilter(visibility=Visibility.AGENTS)) == ["a5"]
    assert len(made) == 7


def test_the_pointer_only_moves_forward(repo: Any) -> None:
    assert repo.pointer() is None
    first = IndexPointer("kb/index/1", 1, 3, 10, 100, T0)
    assert repo.set_pointer(first)
    assert repo.pointer() == first
    assert not repo.set_pointer(replace(first, key="kb/index/1b"))  # same generation: the first build wins
    assert not repo.set_pointer(IndexPointer("kb/index/2", 2, 2, 9, 90, T0))  # covers less
    assert repo.set_pointer(IndexPointer("kb/index/2c", 2, 3, 10, 100, T0))  # forced rebuild, same changes
    assert repo.pointer().key == "kb/index/2c"


def test_a_solve_token_is_found_by_its_hash_until_it_expires(repo: Any) -> None:
    token = SolveToken("ab" * 32, "T1", "C1", "K1", T0 + timedelta(days=14))
    repo.put_solve_token(token)
    assert repo.solve_token(token.token_hash, T0) == token
    assert repo.solve_token(token.token_hash, T0 + timedelta(days=14)) is None
    assert repo.solve_token("cd" * 32, T0) is None


def test_a_viewers_vote_counts_once_and_deflections_add_up(repo: Any) -> None:
    assert repo.record_vote("K1", "viewer-1", True, "2026-11-02")
    assert not repo.record_vote("K1", "viewer-1", False, "2026-11-03")
    assert repo.record_vote("K1", "viewer-2", False, "2026-11-03")
    repo.count_deflection("K1", "2026-11-02")
    repo.count_deflection("K1", "2026-11-04")
    counts = repo.feedback("K1")
    assert (counts.helpful, counts.not_helpful, counts.deflections) == (1, 1, 2)
    assert repo.feedback("K2").helpful == 0
