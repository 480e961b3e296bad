"""The knowledge base's index on moto: an article write reaches the kb queue through the table stream, the
relay and SNS; the consumer builds the index into S3 and flips the pointer; a search function downloads it.

The worker calls the same handler functions Lambda calls (``devtools.worker``)."""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.domain.kb import ArticleStatus, Visibility
from chalicelib.kb.index import INDEX_PREFIX
from chalicelib.kb.search import Query
from chalicelib.kb.service import Editor, NewArticle
from devtools.worker import Worker

ADMIN = Editor("A-admin", admin=True)


@pytest.fixture(scope="module")
def stage_resources(moto_url: str) -> dict[str, Any]:
    from chalicelib.core.resources import Names
    from devtools.provision import provision

    return provision(Names("test"), moto_url, bucket="lambdesk-test-mail-kb")


@pytest.fixture
def desk(
    stage_resources: dict[str, Any], aws: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from tests.conftest import reset_caches

    monkeypatch.setenv("LAMBDESK_EVENTS_TOPIC_ARN", stage_resources["topic_arn"])
    monkeypatch.setenv("LAMBDESK_MAIL_BUCKET", "lambdesk-test-mail-kb")
    monkeypatch.setenv("LAMBDESK_KB_POINTER_SECONDS", "0")
    reset_caches()
    svc = bootstrap.dynamodb_container(get_settings())
    svc.kb.cache.directory = tmp_path / "kb"
    bootstrap.use(svc)
    worker = Worker(importlib.import_module("app"), stage_resources["stream_arn"], aws)
    worker.handlers = {k: v for k, v in worker.handlers.items() if k.endswith("-kb")}
    worker.drain()  # changes of earlier tests on the shared stage
    yield {"svc": svc, "worker": worker, "s3": boto3.client("s3", endpoint_url=aws, region_name="us-east-1")}
    bootstrap.use(None)


def titles(kb: Any, text: str, audience: Visibility = Visibility.PUBLIC) -> list[str]:
    return [h.title for h in kb.finder.search(Query(text, audience)).hits]


def index_keys(desk: dict[str, Any]) -> list[str]:
    listed = desk["s3"].list_objects_v2(Bucket="lambdesk-test-mail-kb", Prefix=INDEX_PREFIX)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_a_published_article_becomes_searchable_through_the_stream_and_the_kb_queue(desk: dict[str, Any]) -> None:
    kb = desk["svc"].kb
    marker = f"zebracrossing{id(desk)}"
    article = kb.articles.create(
        ADMIN, NewArticle(f"Reset your PIN {marker}", "Steps.", status=ArticleStatus.PUBLISHED)
    )
    desk["worker"].drain()
    pointer = kb.repo.pointer()
    assert pointer is not None and pointer.covers == kb.repo.changes()
    assert titles(kb, marker) == [article.title]
    # The object is a gzipped SQLite file under a key of its own.
    body = desk["s3"].get_object(Bucket="lambdesk-test-mail-kb", Key=pointer.key)["Body"].read()
    assert gzip.decompress(body)[:16] == b"SQLite format 3\x00"
    kb.articles.archive(ADMIN, article.id, article.version)
    desk["worker"].drain()
    assert titles(kb, marker) == []
    assert desk["worker"].failures == 0


def test_a_burst_of_publishes_is_built_once_and_drafts_build_nothing(desk: dict[str, Any]) -> None:
    kb = desk["svc"].kb
    before = kb.repo.pointer()
    for n in range(6):
        kb.articles.create(ADMIN, NewArticle(f"Burst {n}", "x", status=ArticleStatus.PUBLISHED))
    desk["worker"].drain()
    after = kb.repo.pointer()
    assert after is not None and after.covers == kb.repo.changes()
    built = after.generation - (before.generation if before else 0)
    assert 1 <= built <= 2  # one batch, or two when the queue split the burst; never one per publish
    kb.articles.create(ADMIN, NewArticle("A draft", "x"))
    desk["worker"].drain()
    assert kb.repo.pointer() == after
    # Only the current index and the one before it are kept.
    assert len(index_keys(desk)) <= 2 and after.key in index_keys(desk)


def test_a_search_function_downloads_the_index_once_per_build(desk: dict[str, Any], tmp_path: Path) -> None:
    from chalicelib.kb.index import IndexCache

    kb = desk["svc"].kb
    kb.articles.create(ADMIN, NewArticle("Cold start article", "x", status=ArticleStatus.PUBLISHED))
    desk["worker"].drain()
    cold = IndexCache(kb.repo, kb.location, kb.engine, 30.0, tmp_path / "cold")
    first = cold.current()
    assert first is not None and cold.current() is first
    assert [p.name[:10] for p in (tmp_path / "cold").glob("*.sqlite")] == [f"{kb.repo.pointer().generation:010d}"]
