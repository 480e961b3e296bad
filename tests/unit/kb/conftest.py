"""Knowledge base fixtures: an in-memory desk whose index is rebuilt on demand (no stream in memory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.kb import SearchDoc, Visibility
from chalicelib.kb.fts import Fts5Engine, Fts5Index
from chalicelib.kb.service import Editor

ADMIN = Editor("A-admin", admin=True)
AGENT = Editor("A-agent", admin=False)


def doc(article_id: str, title: str, text: str = "", **fields: Any) -> SearchDoc:
    values: dict[str, Any] = {
        "article_id": article_id,
        "slug": article_id.lower(),
        "locale": "en",
        "title": title,
        "tags": (),
        "text": text,
        "category": "general",
        "visibility": Visibility.PUBLIC,
        "version": 1,
    }
    values.update(fields)
    return SearchDoc(**values)


@pytest.fixture
def index_of(tmp_path: Path) -> Iterator[Any]:
    opened: list[Fts5Index] = []

    def build(*docs: SearchDoc) -> Fts5Index:
        path = tmp_path / f"index-{len(opened)}.sqlite"
        Fts5Engine().build(list(docs), path)
        index = Fts5Engine().open(path)
        opened.append(index)
        return index

    yield build
    for index in opened:
        index.close()


@pytest.fixture
def kb(memory_svc: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The in-memory desk's knowledge base parts, searching a fresh index at every call."""
    parts = memory_svc.kb
    parts.cache.check_seconds = 0.0
    parts.cache.directory = tmp_path / "cache"
    return parts
