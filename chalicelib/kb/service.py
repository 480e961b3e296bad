"""Articles: write (every change a new, immutable version), read, list, archive.

Who may publish is decided in ``chalicelib.kb.articles.check_publisher``: agents write drafts and publish
agents-only articles; what customers read is published or withdrawn by an admin. A write names the version it
is based on (If-Match or ``version``); a stale one is refused with 409 and the current version.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import AlreadyExists, Conflict, ConflictDetails, FieldError, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.kb import Article, ArticleFeedback, ArticleFilter, ArticleStatus, Visibility
from chalicelib.domain.views import Page
from chalicelib.kb.articles import archived, changed, check_publisher, check_slug, normalise_tags, search_doc, slugify
from chalicelib.storage.ports import StartKey
from chalicelib.storage.slice_ports import KnowledgeRepository

DEFAULT_CATEGORY = "general"
SLUG_ATTEMPTS = 20


@dataclass(frozen=True)
class Editor:
    """Who writes: an agent, and whether they are an admin (admins publish what customers read)."""

    id: str
    admin: bool = False


@dataclass(frozen=True)
class NewArticle:
    title: str
    body: str
    locale: str = "en"
    category: str = DEFAULT_CATEGORY
    tags: tuple[str, ...] = ()
    visibility: Visibility = Visibility.PUBLIC
    status: ArticleStatus = ArticleStatus.DRAFT
    # None: made from the title, numbered when taken (``reset-your-pin-2``).
    slug: str | None = None


class KnowledgeBase:
    def __init__(self, repo: KnowledgeRepository, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.clock = clock

    # -- reads ---------------------------------------------------------------------------------------------

    def get(self, article_id: str) -> Article:
        return self.repo.get_article(article_id)

    def list(self, where: ArticleFilter, limit: int, start: StartKey = None) -> Page[Article]:
        return self.repo.list_articles(where, limit, start)

    def versions(self, article_id: str, limit: int, start: StartKey = None) -> Page[Article]:
        self.repo.get_article(article_id)
        return self.repo.versions(article_id, limit, start)

    def feedback(self, article_id: str) -> ArticleFeedback:
        return self.repo.feedback(article_id)

    def readable(self, article_id: str, audience: Visibility) -> Article:
        """A published article ``audience`` may read; NotFound otherwise (drafts and hidden ones do not exist
        for the reader: a 404 tells nothing about them)."""
        article = self.repo.get_article(article_id)
        if not article.searchable or not audience.sees(article.visibility):
            raise NotFound("article", article_id)
        return article

    def readable_by_slug(self, locale: str, slug: str, audience: Visibility) -> Article:
        article_id = self.repo.article_id_for_slug(locale, slug)
        if article_id is None:
            raise NotFound("article", f"{locale}/{slug}")
        return self.readable(article_id, audience)

    # -- writes --------------------------------------------------------------------------------------------

    def create(self, editor: Editor, new: NewArticle) -> Article:
        now = self.clock()
        slug = check_slug(new.slug) if new.slug else None
        article = Article(
            id=new_id(),
            title=new.title.strip(),
            body=new.body,
            slug=slug or slugify(new.title),
            locale=new.locale,
            category=new.category.strip() or DEFAULT_CATEGORY,
            tags=normalise_tags(new.tags),
            visibility=new.visibility,
            status=new.status,
            created_at=now,
            created_by=editor.id,
            updated_at=now,
            updated_by=editor.id,
            published_at=now if new.status is ArticleStatus.PUBLISHED else None,
        )
        check_publisher(None, article, editor.admin)
        if slug is not None:
            self.repo.write_article(article, None, search_doc(article))
            return article
        return self._create_with_free_slug(article)

    def _create_with_free_slug(self, article: Article) -> Article:
        """A slug made from the title is numbered until it is free in its locale (the write claims it); past
        the numbered forms a random suffix makes it free (a title used many times still gets its article)."""
        import secrets

        base = article.slug
        numbered = [base, *(f"{base}-{n}" for n in range(2, SLUG_ATTEMPTS + 1))]
        for slug in numbered + [f"{base}-{secrets.token_hex(3)}" for _ in range(3)]:
            candidate = replace(article, slug=slug)
            if self.repo.article_id_for_slug(candidate.locale, candidate.slug) is not None:
                continue
            try:
                self.repo.write_article(candidate, None, search_doc(candidate))
            except AlreadyExists as exc:
                if exc.field != "slug":
                    raise
                continue
            return candidate
        raise FieldError("slug", f"{base!r} and its numbered forms are taken in {article.locale}: name a slug")

    def update(self, editor: Editor, article_id: str, based_on: int, values: dict[str, Any]) -> Article:
        before = self._based_on(article_id, based_on)
        clean = dict(values)
        for name, kind in (("status", ArticleStatus), ("visibility", Visibility)):
            if name in clean:
                clean[name] = kind(clean[name])
        if "slug" in clean:
            clean["slug"] = check_slug(clean["slug"])
        if "tags" in clean:
            clean["tags"] = normalise_tags(clean["tags"])
        if "title" in clean:
            clean["title"] = clean["title"].strip()
        return self._write(editor, before, changed(before, clean, editor.id, self.clock()))

    def archive(self, editor: Editor, article_id: str, based_on: int) -> Article:
        before = self._based_on(article_id, based_on)
        return self._write(editor, before, archived(before, editor.id, self.clock()))

    def _write(self, editor: Editor, before: Article, after: Article) -> Article:
        if after.version == before.version:
            return before
        check_publisher(before, after, editor.admin)
        try:
            self.repo.write_article(after, before, search_doc(after))
        except Conflict:
            raise self._conflict(self.repo.get_article(before.id, consistent=True), before.version) from None
        return after

    def _based_on(self, article_id: str, based_on: int) -> Article:
        current = self.repo.get_article(article_id, consistent=True)
        if current.version != based_on:
            raise self._conflict(current, based_on)
        return current

    @staticmethod
    def _conflict(current: Article, based_on: int) -> Conflict:
        last = {
            "event": "kb.article.changed",
            "at": current.updated_at.isoformat(),
            "by": {"kind": "agent", "id": current.updated_by},
            "version": current.version,
        }
        return Conflict(
            f"article {current.id} is at version {current.version}; your change was based on version {based_on}",
            ConflictDetails(current.version, [last]),
        )
