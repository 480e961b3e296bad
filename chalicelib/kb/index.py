"""Where the search index lives: a gzipped file in S3 under a new key per build, named by the pointer item.

The builder uploads and then flips the pointer (``IndexStore.publish``); every function that searches keeps
the index it downloaded in ``/tmp`` and asks for the pointer at most every ``check_seconds`` (30 s in AWS,
1 s on the local stack): a publish is searchable everywhere within the build time plus that interval.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chalicelib.core.resources import KB_INDEX_PREFIX
from chalicelib.domain.kb import IndexPointer
from chalicelib.kb.search import IndexUnreadable, SearchEngine, SearchIndex
from chalicelib.storage.objects import MissingObject, ObjectStore
from chalicelib.storage.slice_ports import KnowledgeRepository

INDEX_PREFIX = KB_INDEX_PREFIX
CONTENT_TYPE = "application/gzip"


def index_key(generation: int, build_id: str) -> str:
    """A new key per build (``kb/index/<generation>-<build id>.sqlite.gz``): a function still reading the old
    index is never handed a half-written file, and generations sort in key order."""
    return f"{INDEX_PREFIX}{generation:010d}-{build_id}.sqlite.gz"


def generation_of(key: str) -> int:
    name = key.removeprefix(INDEX_PREFIX)
    head = name.split("-", 1)[0]
    return int(head) if head.isdigit() else -1


@dataclass(frozen=True)
class Location:
    objects: ObjectStore
    bucket: str


class IndexCache:
    """The index this container searches: downloaded once per build, checked against the pointer at most
    every ``check_seconds``. Thread-safe (the local server serves requests on several threads)."""

    def __init__(
        self,
        repo: KnowledgeRepository,
        location: Location,
        engine: SearchEngine,
        check_seconds: float = 30.0,
        directory: Path | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.repo = repo
        self.location = location
        self.engine = engine
        self.check_seconds = check_seconds
        self.directory = directory or Path(tempfile.gettempdir()) / "lambdesk-kb"
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._key: str | None = None
        self._checked: float | None = None
        # Files of this cache only (tests run several in one process).
        self._tag = f"{os.getpid()}-{id(self)}"

    def current(self) -> SearchIndex | None:
        """The newest index the pointer names (None while the knowledge base has never been indexed)."""
        with self._lock:
            now = self.monotonic()
            if self._checked is None or now - self._checked >= self.check_seconds:
                self._checked = now
                pointer = self.repo.pointer()
                if pointer is not None and pointer.key != self._key:
                    self._load(pointer)
            return self._index

    @property
    def key(self) -> str | None:
        return self._key

    def _load(self, pointer: IndexPointer) -> None:
        """Download, unpack and open the index the pointer names. When it cannot be read (gone, corrupt),
        the index in hand is kept and the failure logged: the next build repairs it."""
        path = self.directory / f"{pointer.generation:010d}-{self._tag}.sqlite"
        try:
            data = gzip.decompress(self.location.objects.get(self.location.bucket, pointer.key))
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)
            opened = self.engine.open(path)
        except (MissingObject, IndexUnreadable, gzip.BadGzipFile, EOFError) as exc:
            from chalicelib.core import observability

            observability.logger().error("kb index unreadable", extra={"key": pointer.key, "error": str(exc)})
            path.unlink(missing_ok=True)
            return
        previous, self._index, self._key = self._index, opened, pointer.key
        if previous is not None:
            previous.close()
        for old in self.directory.glob(f"*-{self._tag}.sqlite"):
            if old != path:
                old.unlink(missing_ok=True)


def upload(location: Location, key: str, path: Path) -> int:
    """Gzip the index file at ``path`` into ``key``; returns the bytes stored."""
    data = gzip.compress(path.read_bytes(), compresslevel=6)
    location.objects.put(location.bucket, key, data, CONTENT_TYPE)
    return len(data)


def prune(location: Location, current: IndexPointer) -> list[str]:
    """Delete index objects older than the generation before ``current`` (a function may still be
    downloading that one); a newer one being uploaded by a concurrent build is left alone."""
    removed = []
    for key in location.objects.keys(location.bucket, INDEX_PREFIX):
        if generation_of(key) < current.generation - 1:
            location.objects.delete(location.bucket, key)
            removed.append(key)
    return removed
