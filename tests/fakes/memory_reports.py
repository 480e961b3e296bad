"""In-memory fake of ReportRepository (same rules as DynamoDB; same contract suite)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from chalicelib.domain.reports import ALL, KB, DayCounts, PendingView, Tally


class InMemoryReportRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counted: set[str] = set()
        self._items: dict[tuple[str, str, date], Counter[str]] = {}
        self._views: dict[str, PendingView] = {}  # the sparse due index's KBVIEW partition (TTL not modelled)
        self.writes = 0  # transactions, as DynamoDB would count them
        self.reads = 0  # Queries (one per month touched, pages aside)

    def add(self, event_id: str, tallies: Sequence[Tally], expires_at: datetime) -> bool:
        if not tallies:
            return True
        with self._lock:
            if event_id in self._counted:
                return False
            self.writes += 1
            self._counted.add(event_id)
            for tally in tallies:
                self._items.setdefault((tally.dimension, tally.key, tally.day), Counter()).update(tally.counts)
            return True

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
