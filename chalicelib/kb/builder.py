"""The index builder: the ``kb`` queue's handler, and what an admin's forced rebuild calls.

Every article write that changes what is searchable adds one to the knowledge base's change counter in the
same transaction, and its version item reaches this queue through the stream (``kb.article.changed``). The
builder reads the counter (consistently) *before* it reads the published articles, so an index built from
that read contains every change up to the count; the pointer records it (``covers``). A message whose change
is already covered is acknowledged without a build: a burst of publishes costs one build per batch at most,
usually one in all. Nothing is lost either way: a change that lands during a build leaves the counter ahead
of the pointer, and its own message builds again.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from chalicelib.core.clock import Clock
from chalicelib.core.ids import new_id
from chalicelib.domain.kb import IndexPointer
from chalicelib.kb.index import Location, index_key, prune, upload
from chalicelib.kb.search import SearchEngine
from chalicelib.storage.slice_ports import KnowledgeRepository


class PointerMoved(Exception):
    """Another build flipped the pointer first and it covers less than this one: the queue retries."""


@dataclass(frozen=True)
class Built:
    pointer: IndexPointer
    seconds: float


@dataclass(frozen=True)
class Current:
    """Nothing to build: the index in use covers every change (``pointer`` None: nothing ever published)."""

    pointer: IndexPointer | None


@dataclass(frozen=True)
class Unchanged:
    """The change did not alter what is searchable (a draft was edited)."""


Outcome = Built | Current | Unchanged


class IndexBuilder:
    def __init__(self, repo: KnowledgeRepository, location: Location, engine: SearchEngine, clock: Clock) -> None:
        self.repo = repo
        self.location = location
        self.engine = engine
        self.clock = clock

    def on_changed(self, event: dict[str, Any]) -> Outcome:
        """``kb.article.changed``: rebuild unless the index in use covers the change already."""
        if not event.get("article", {}).get("reindex"):
            return Unchanged()
        return self.refresh()

    def refresh(self, force: bool = False) -> Built | Current:
        """Build when the pointer is behind the change counter (or always, when ``force``)."""
        covers = self.repo.changes()
        pointer = self.repo.pointer()
        up_to_date = pointer.covers >= covers if pointer is not None else covers == 0
        if up_to_date and not force:
            return Current(pointer)
        return self._build(covers, pointer)

    def _build(self, covers: int, previous: IndexPointer | None) -> Built:
        started = self.clock()
        docs = self.repo.published()
        generation = (previous.generation if previous else 0) + 1
        key = index_key(generation, new_id())
        with tempfile.TemporaryDirectory(prefix="lambdesk-kb-build-") as scratch:
            path = Path(scratch) / "index.sqlite"
            self.engine.build(docs, path)
            size = upload(self.location, key, path)
        pointer = IndexPointer(key, generation, covers, len(docs), size, self.clock())
        if not self.repo.set_pointer(pointer):
            latest = self.repo.pointer()
            self.location.objects.delete(self.location.bucket, key)
            if latest is None or latest.covers < covers:
                raise PointerMoved(f"index generation {generation} lost the race to a build that covers less")
            return Built(latest, _seconds(started, self.clock()))
        prune(self.location, pointer)
        return Built(pointer, _seconds(started, self.clock()))


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def report(event: dict[str, Any], outcome: object) -> None:
    """Log and count what the builder did for a message (publish-to-built lag included)."""
    from chalicelib.core import observability

    if isinstance(outcome, Built):
        occurred = event.get("occurred_at")
        lag = None
        if occurred:
            lag = (outcome.pointer.built_at - datetime.fromisoformat(occurred)).total_seconds()
        observability.logger().info(
            "kb index built",
            extra={
                "generation": outcome.pointer.generation,
                "articles": outcome.pointer.articles,
                "bytes": outcome.pointer.size_bytes,
                "build_seconds": outcome.seconds,
                "change_to_index_seconds": lag,
            },
        )
        observability.count("KbIndexBuilt")
    elif isinstance(outcome, Current):
        observability.count("KbIndexCoalesced")
