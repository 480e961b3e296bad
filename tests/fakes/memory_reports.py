"""In-memory fake of ReportRepository (same rules as DynamoDB; same contract suite)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from chalicelib.core.errors import NotFound
from chalicelib.domain.reports import ALL, KB, DayCounts, KeptReplay, PendingView, Tally
from chalicelib.domain.timeline import TimelineEntry


class InMemoryReportRepository:
    def __init__(self, tickets: Any = None) -> None:
        self.tickets = tickets  # the in-memory ticket repository (the kept replay's entry reads)
        self._lock = threading.Lock()
        self._kept: dict[str, KeptReplay] = {}
        self.kept_reads = 0  # BatchGetItems of a kept replay and an entry
        self.kept_writes = 0  # PutItems of a kept replay alone (by an event that added nothing)
        self._counted: set[str] = set()
        self._items: dict[tuple[str, str, date], Counter[str]] = {}
        self._views: dict[str, PendingView] = {}  # the sparse due index's KBVIEW partition (TTL not modelled)
        self.writes = 0  # transactions, as DynamoDB would count them
        self.reads = 0  # Queries (one per month touched, pages aside)

    def add(
        self, event_id: str, tallies: Sequence[Tally], expires_at: datetime, keep: KeptReplay | None = None
    ) -> bool:
        if not tallies:
            return True
        with self._lock:
            if event_id in self._counted:
                return False
            self.writes += 1
            self._counted.add(event_id)
            if keep is not None:
                self._put_kept(keep)
            for tally in tallies:
                self._items.setdefault((tally.dimension, tally.key, tally.day), Counter()).update(tally.counts)
            return True

    def _put_kept(self, keep: KeptReplay) -> bool:
        was = self._kept.get(keep.ticket_id)
        if was is not None and was.after >= keep.after:
            return False
        self._kept[keep.ticket_id] = KeptReplay(keep.ticket_id, keep.after, json.loads(json.dumps(keep.doc)))
        return True

    def keep(self, kept: KeptReplay) -> bool:
        with self._lock:
            self.kept_writes += 1
            return self._put_kept(kept)

    def kept(self, ticket_id: str, entry_id: str) -> tuple[KeptReplay | None, TimelineEntry | None]:
        with self._lock:
            self.kept_reads += 1
            kept = self._kept.get(ticket_id)
        entry = None
        if self.tickets is not None:
            try:
                _, timeline = self.tickets.get_with_timeline(ticket_id)
            except NotFound:
                timeline = []
            entry = next((e for e in timeline if e.id == entry_id), None)
        return kept, entry

    def bump(self, tally: Tally) -> None:
        with self._lock:
            self._items.setdefault((tally.dimension, tally.key, tally.day), Counter()).update(tally.counts)

    def hold_view(self, view: PendingView, expires_at: datetime) -> None:
        with self._lock:
            self._views[view.viewer] = view

    def drop_view(self, viewer: str) -> None:
        with self._lock:
            self._views.pop(viewer, None)

    def due_views(self, now: datetime, limit: int) -> list[PendingView]:
        with self._lock:
            due = sorted((v for v in self._views.values() if v.due_at <= now), key=lambda v: v.due_at)
            return due[:limit]

    def count_view(self, view: PendingView) -> bool:
        with self._lock:
            stored = self._views.get(view.viewer)
            if stored is None or stored.due_at != view.due_at:
                return False
            self.writes += 1
            del self._views[view.viewer]
            self._items.setdefault((KB, ALL, view.day), Counter()).update({"kb_probable": 1})
            return True

    def days(self, dimension: str, first: date, last: date) -> list[DayCounts]:
        with self._lock:
            self.reads += (last.year - first.year) * 12 + last.month - first.month + 1
            return [
                DayCounts(dim, key, day, dict(counts))
                for (dim, key, day), counts in sorted(self._items.items())
                if dim == dimension and first <= day <= last
            ]
