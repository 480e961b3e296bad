"""KnowledgeRepository on DynamoDB (items and access patterns: see models.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.core.errors import AlreadyExists, Conflict, DomainError, Duplicate, NotFound
from chalicelib.domain.kb import (
    Article,
    ArticleFeedback,
    ArticleFilter,
    ArticleStatus,
    IndexPointer,
    SearchDoc,
    SolveToken,
    Visibility,
)
from chalicelib.domain.views import Page
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.models import CounterItem, Item
from chalicelib.storage.dynamodb.slice_models import (
    KbArticleItem,
    KbDocItem,
    KbPointerItem,
    KbStatsItem,
    KbTokenItem,
    KbVersionItem,
)
from chalicelib.storage.ports import StartKey

ARTICLE_SK = "ARTICLE"
CHANGES_SK = "CHANGES"
POINTER_SK = "POINTER"
TOKEN_SK = "TOKEN"
VOTE_DAYS = 365
# Listing order when no status is asked for.
STATUS_ORDER = (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED)


def listing_key(article: Article) -> str:
    """The sort key of an article in its status's listing: locale, category, slug."""
    return f"{article.locale}#{article.category}#{article.slug}"


class DynamoKnowledgeRepository:
    def write_article(self, article: Article, previous: Article | None, doc: SearchDoc | None) -> None:
        deletes, puts = _slug_changes(article, previous)
        reindex = article.searchable or bool(previous and previous.searchable)
        if doc is None and previous is not None and previous.searchable:
            deletes.append(("doc", KbDocItem(keys.KB_PUBLISHED, article.id)))
        order = [name for name, _ in deletes] + ["article", "version"] + [name for name, _ in puts]
        if doc is not None:
            order.append("doc")

        def error(position: int) -> DomainError:
            failed = order[position] if position < len(order) else ""
            if failed == "slug":
                return AlreadyExists("article", "slug", article.slug)
            if previous is None:
                return AlreadyExists("article", "id", article.id)
            return Conflict(f"article {article.id} was changed by someone else")

        current = Item.pk.does_not_exist() if previous is None else KbArticleItem.version == previous.version
        with base.transaction(error) as txn:
            for _, item in deletes:
                txn.delete(item)
            txn.save(article_to_item(article), condition=current)
            txn.save(version_to_item(article, reindex), condition=Item.pk.does_not_exist())
            for _, item in puts:
                txn.save(item, condition=Item.pk.does_not_exist())
            if doc is not None:
                txn.save(_doc_item(doc))
            if reindex:
                txn.update(CounterItem(keys.KB_STATE, CHANGES_SK), actions=[CounterItem.value.add(1)])

    def get_article(self, article_id: str, consistent: bool = False) -> Article:
        pk = keys.kb_article(article_id)
        item = base.get_item(KbArticleItem, pk, ARTICLE_SK, NotFound("article", article_id), consistent)
        assert item is not None
        return item_to_article(item)

    def article_id_for_slug(self, locale: str, slug: str) -> str | None:
        return base.lookup(keys.kb_slug(locale, slug))

    def list_articles(self, where: ArticleFilter, limit: int, start: StartKey = None) -> Page[Article]:
        statuses = (where.status,) if where.status else STATUS_ORDER
        position = int((start or {}).get("s", 0))
        last_key: dict[str, Any] | None = (start or {}).get("k")
        found: list[Article] = []
        while position < len(statuses) and len(found) < limit:
            results = _listing_query(statuses[position], where, limit - len(found), last_key)
            found.extend(item_to_article(item) for item in results)
            last_key = results.last_evaluated_key
            if last_key is None:
                position += 1
        more = position < len(statuses)
        return Page(found, {"s": position, "k": last_key} if more else None)

    def versions(self, article_id: str, limit: int, start: StartKey = None) -> Page[Article]:
        results = KbVersionItem.query(
            keys.kb_article(article_id),
            KbVersionItem.sk.startswith("V#"),
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
        )
        return base.page(results, item_to_article)

    def published(self) -> list[SearchDoc]:
        return [_doc(item) for item in KbDocItem.query(keys.KB_PUBLISHED, consistent_read=True)]

    def changes(self) -> int:
        item = base.get_item(CounterItem, keys.KB_STATE, CHANGES_SK, None, consistent=True)
        return int(item.value) if item else 0

    def pointer(self) -> IndexPointer | None:
        item = base.get_item(KbPointerItem, keys.KB_STATE, POINTER_SK, None)
        if item is None:
            return None
        return IndexPointer(
            item.key, int(item.generation), int(item.covers), int(item.articles), int(item.size_bytes), item.built_at
        )

    def set_pointer(self, pointer: IndexPointer) -> bool:
        item = KbPointerItem(
            keys.KB_STATE,
            POINTER_SK,
            key=pointer.key,
            generation=pointer.generation,
            covers=pointer.covers,
            articles=pointer.articles,
            size_bytes=pointer.size_bytes,
            built_at=pointer.built_at,
        )
        forward = (KbPointerItem.covers <= pointer.covers) & (KbPointerItem.generation < pointer.generation)
        try:
            item.save(condition=Item.pk.does_not_exist() | forward)
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def put_solve_token(self, token: SolveToken) -> None:
        KbTokenItem(
            keys.kb_solve_token(token.token_hash),
            TOKEN_SK,
            ticket_id=token.ticket_id,
            customer_id=token.customer_id,
            article_id=token.article_id,
            until=token.expires_at,
            expires_at=token.expires_at,
        ).save()

    def solve_token(self, token_hash: str, now: datetime) -> SolveToken | None:
        item = base.get_item(KbTokenItem, keys.kb_solve_token(token_hash), TOKEN_SK, None)
        if item is None or item.until <= now:
            return None
        return SolveToken(token_hash, item.ticket_id, item.customer_id, item.article_id, item.until)

    def record_vote(self, article_id: str, viewer: str, helpful: bool, day: str) -> bool:
        claim = keys.kb_vote(article_id, viewer)
        stats = KbStatsItem(keys.kb_stats(article_id), day)
        counter = KbStatsItem.helpful if helpful else KbStatsItem.not_helpful
        vote = base.lookup_item(claim, "helpful" if helpful else "not_helpful")
        vote.expires_at = datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=VOTE_DAYS)
        try:
            with base.transaction(lambda position: Duplicate(claim)) as txn:
                txn.save(vote, condition=Item.pk.does_not_exist())
                txn.update(stats, actions=[counter.add(1), KbStatsItem.kind.set(KbStatsItem)])
        except Duplicate:
            return False
        return True

    def count_deflection(self, article_id: str, day: str) -> None:
        stats = KbStatsItem(keys.kb_stats(article_id), day)
        # An update does not write the discriminator by itself; queries of KbStatsItem filter on it.
        stats.update(actions=[KbStatsItem.deflections.add(1), KbStatsItem.kind.set(KbStatsItem)])

    def feedback(self, article_id: str) -> ArticleFeedback:
        days = list(KbStatsItem.query(keys.kb_stats(article_id)))
        return ArticleFeedback(
            helpful=sum(int(d.helpful or 0) for d in days),
            not_helpful=sum(int(d.not_helpful or 0) for d in days),
            deflections=sum(int(d.deflections or 0) for d in days),
        )


def _slug_changes(article: Article, previous: Article | None) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(deletes, puts) of slug lookups: a new slug (or locale) is claimed, the old one released."""
    if previous is not None and (previous.locale, previous.slug) == (article.locale, article.slug):
        return [], []
    puts = [("slug", base.lookup_item(keys.kb_slug(article.locale, article.slug), article.id))]
    deletes = []
    if previous is not None:
        deletes.append(("old-slug", base.lookup_item(keys.kb_slug(previous.locale, previous.slug), article.id)))
    return deletes, puts


def _listing_query(status: ArticleStatus, where: ArticleFilter, limit: int, start: dict[str, Any] | None) -> Any:
    prefix = ""
    if where.locale:
        prefix = f"{where.locale}#" + (f"{where.category}#" if where.category else "")
    condition = None
    if where.category and not where.locale:
        condition = KbArticleItem.category == where.category
    if where.visibility:
        visible = KbArticleItem.visibility == str(where.visibility)
        condition = visible if condition is None else condition & visible
    return Item.idx_directory.query(  # type: ignore[attr-defined]
        keys.kb_listing(str(status)),
        Item.dir_sk.startswith(prefix) if prefix else None,
        filter_condition=condition,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )


def _fields(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "slug": article.slug,
        "locale": article.locale,
        "category": article.category,
        "tags": list(article.tags) or None,
        "visibility": str(article.visibility),
        "status": str(article.status),
        "created_at": article.created_at,
        "created_by": article.created_by,
        "updated_at": article.updated_at,
        "updated_by": article.updated_by,
        "published_at": article.published_at,
        "version": article.version,
    }


def article_to_item(article: Article) -> KbArticleItem:
    return KbArticleItem(
        keys.kb_article(article.id),
        ARTICLE_SK,
        dir_pk=keys.kb_listing(str(article.status)),
        dir_sk=listing_key(article),
        **_fields(article),
    )


def version_to_item(article: Article, reindex: bool) -> KbVersionItem:
    return KbVersionItem(
        keys.kb_article(article.id), keys.kb_version(article.version), reindex=reindex, **_fields(article)
    )


def item_to_article(item: KbArticleItem) -> Article:
    return Article(
        id=item.id,
        title=item.title,
        body=item.body,
        slug=item.slug,
        locale=item.locale,
        category=item.category,
        tags=tuple(str(t) for t in item.tags or ()),
        visibility=Visibility(item.visibility),
        status=ArticleStatus(item.status),
        created_at=item.created_at,
        created_by=item.created_by,
        updated_at=item.updated_at,
        updated_by=item.updated_by,
        published_at=item.published_at,
        version=int(item.version),
    )


def _doc_item(doc: SearchDoc) -> KbDocItem:
    return KbDocItem(
        keys.KB_PUBLISHED,
        doc.article_id,
        slug=doc.slug,
        locale=doc.locale,
        title=doc.title,
        tags=list(doc.tags) or None,
        text=doc.text,
        category=doc.category,
        visibility=str(doc.visibility),
        version=doc.version,
    )


def _doc(item: KbDocItem) -> SearchDoc:
    return SearchDoc(
        article_id=item.sk,
        slug=item.slug,
        locale=item.locale,
        title=item.title,
        tags=tuple(str(t) for t in item.tags or ()),
        text=item.text,
        category=item.category,
        visibility=Visibility(item.visibility),
        version=int(item.version),
    )
