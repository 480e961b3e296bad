"""Article rules (pure): slugs, tags, Markdown to safe HTML and to plain text, who may publish, and what the
search index keeps of a published article.

Markdown is rendered by markdown-it-py (CommonMark, raw HTML off, unsafe link schemes refused) and the HTML
is then cleaned by nh3 all the same: a stored article is never trusted to be harmless HTML.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import FieldError, Forbidden
from chalicelib.domain.kb import Article, ArticleStatus, SearchDoc, Visibility

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

SLUG_MAX = 80
DEFAULT_LOCALE = "en"
# Inline tokens whose text is read as words; code is kept too (error messages are searched for).
_TEXT_TOKENS = frozenset({"text", "code_inline"})
_BLOCK_TEXT = frozenset({"code_block", "fence"})
# Visibilities that reach customers: publishing to them (or taking an article away from them) needs an admin.
CUSTOMER_FACING = frozenset({Visibility.PUBLIC, Visibility.CUSTOMERS})
# Paths of the portal's help center that an article's page (``/portal/kb/<slug>``) must not shadow.
RESERVED_SLUGS = frozenset({"answered", "suggestions", "solve"})


def slugify(text: str) -> str:
    """A URL slug from a title: lower case words joined by ``-``; letters of any script are kept
    (``Kā mainīt PIN`` -> ``ka-mainit-pin``, ``Как сменить PIN`` -> ``как-сменить-pin``)."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text.lower()):
        # Accents on Latin letters go (ā -> a); letters of other scripts stay whole (й stays й).
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", "".join(kept)))
    slug = "-".join(words)[:SLUG_MAX].strip("-")
    return (f"{slug}-article" if slug in RESERVED_SLUGS else slug) or "article"


def article_url(locale: str, slug: str) -> str:
    """Where the portal shows an article (the portal's routes own this path)."""
    from urllib.parse import quote

    path = f"/portal/kb/{quote(slug)}"
    return path if locale == DEFAULT_LOCALE else f"{path}?locale={quote(locale)}"


def check_slug(slug: str) -> str:
    if not re.fullmatch(r"[^\W_]+(?:-[^\W_]+)*", slug) or len(slug) > SLUG_MAX or slug != slug.lower():
        raise FieldError("slug", f"lower-case words joined by '-', at most {SLUG_MAX} characters")
    if slug in RESERVED_SLUGS:
        raise FieldError("slug", f"'{slug}' is a page of the portal's help center; choose another")
    return slug


def normalise_tags(tags: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(sorted({t.strip().lower() for t in tags if t.strip()}))


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render_html(markdown: str) -> str:
    """The article as HTML that is safe to put in a page (markdown-it-py, then nh3)."""
    import nh3

    return str(nh3.clean(_markdown().render(markdown), link_rel="noopener noreferrer"))


def plain_text(markdown: str) -> str:
    """The words of an article without its Markdown: what the index holds and snippets show."""
    parts: list[str] = []
    for token in _markdown().parse(markdown):
        if token.type in _BLOCK_TEXT:
            parts.append(token.content)
        for child in token.children or ():
            if child.type in _TEXT_TOKENS:
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        if token.type.endswith("_close") and token.block:
            parts.append("\n")
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


def search_doc(article: Article) -> SearchDoc | None:
    """What the index keeps of the article (None: it is not searchable)."""
    if not article.searchable:
        return None
    return SearchDoc(
        article_id=article.id,
        slug=article.slug,
        locale=article.locale,
        title=article.title,
        tags=article.tags,
        text=plain_text(article.body),
        category=article.category,
        visibility=article.visibility,
        version=article.version,
    )


def check_publisher(before: Article | None, after: Article, is_admin: bool) -> None:
    """Agents write drafts of anything and publish agents-only articles; what customers read is published,
    changed while published, or taken back only by an admin (docs/decisions/050-knowledge-base.md)."""
    if is_admin:
        return
    for version in (before, after):
        if version is not None and version.searchable and version.visibility in CUSTOMER_FACING:
            raise Forbidden("publishing or changing an article customers can read needs the admin role")


def changed(before: Article, values: dict[str, Any], actor_id: str, now: datetime) -> Article:
    """The next version of ``before`` with ``values`` applied (the caller checked the values)."""
    after = replace(before, **values)
    if after == before:
        return before
    published_at = before.published_at
    if after.searchable and not before.searchable:
        published_at = now
    return replace(after, updated_at=now, updated_by=actor_id, published_at=published_at, version=before.version + 1)


def is_unchanged(before: Article, after: Article) -> bool:
    return before.version == after.version


def archived(before: Article, actor_id: str, now: datetime) -> Article:
    return changed(before, {"status": ArticleStatus.ARCHIVED}, actor_id, now)
