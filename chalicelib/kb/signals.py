"""What the knowledge base tells the reports: one structured log record per signal (``"kb_event"``) and an
EMF metric, never a database write on the search path (docs/kb-metrics.md describes every field).

Readers are not tracked across sites: the portal gives each browser a random first-party id (or uses its
session id) and passes it as ``viewer``; events carry only a keyed hash of it (HMAC with the deployment key),
so logs can join a viewer's views to their later ticket without holding the id the browser keeps.

The daily figures a support lead reads (searches, impressions, zero-result searches, clicks, views, explicit
deflections) are also added to the reports through ``tally``, which the composition root hands in
(``chalicelib.reports.kb_counts``: one ``ADD`` per signal; decision 060). Probable deflections go through
``pending`` (``chalicelib.reports.kb_probable``): a portal view by a known reader waits 30 minutes for their
ticket or explicit deflection, which ``asked`` and ``deflected`` report.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from chalicelib.kb.redact import redact
from chalicelib.kb.search import Results

QUERY_LOG_CHARS = 200
VIEWER_HASH_CHARS = 20


# The desk's knowledge base figures count what customers were shown and searched for: an agent's suggested
# articles on a ticket are not self-service, and the acknowledgement mail's articles were shown, not searched.
NOT_SELF_SERVICE = frozenset({"ticket"})
SHOWN_UNASKED = frozenset({"acknowledgement"})


class PendingViews(Protocol):
    """Where a reader's views wait to become probable deflections (keyed by the viewer hash)."""

    def viewed(self, viewer: str) -> None: ...

    def settled(self, viewer: str) -> None: ...


class Signals:
    """Every method takes the viewer id as the caller knows it (None: anonymous); only its hash is logged."""

    def __init__(
        self,
        signing_key: bytes,
        tally: Callable[[Mapping[str, int]], None] | None = None,
        pending: PendingViews | None = None,
    ) -> None:
        self._key = signing_key
        self._tally = tally or (lambda counts: None)
        self._pending = pending

    def viewer(self, raw: str | None) -> str | None:
        """The keyed hash events carry instead of the viewer id itself."""
        if not raw:
            return None
        mac = hmac.new(self._key, b"kb-viewer\0" + raw.encode(), hashlib.sha256).hexdigest()
        return mac[:VIEWER_HASH_CHARS]

    def query_id(self, text: str) -> str:
        """A stable id of a query's words (joins a search to the click that followed it)."""
        words = " ".join(text.lower().split())
        return hmac.new(self._key, b"kb-query\0" + words.encode(), hashlib.sha256).hexdigest()[:16]

    def searched(self, surface: str, text: str, results: Results, audience: str, viewer: str | None) -> None:
        """A search or suggestion was answered: impressions, and the query itself when nothing was found
        (redacted: a customer may type their phone number into a search box)."""
        ids = [h.article_id for h in results.hits]
        fields: dict[str, Any] = {
            "surface": surface,
            "audience": audience,
            "query_id": self.query_id(text),
            "articles": ids,
            "corrected": results.corrected,
        }
        if not ids:
            fields["query"] = redact(text)[:QUERY_LOG_CHARS]
        self._emit("search", viewer, fields)
        _count("KbSearches", surface=surface)
        if ids:
            _count("KbImpressions", len(ids), surface=surface)
        else:
            _count("KbZeroResults", surface=surface)
        if surface in NOT_SELF_SERVICE:
            return
        counts = {"kb_impressions": len(ids)}
        if surface not in SHOWN_UNASKED:
            counts |= {"kb_searches": 1, "kb_zero_results": int(not ids)}
        if any(counts.values()):
            self._tally(counts)

    def clicked(self, article_id: str, position: int | None, query_id: str | None, viewer: str | None) -> None:
        self._emit("click", viewer, {"article_id": article_id, "position": position, "query_id": query_id})
        _count("KbClicks")
        self._tally({"kb_clicks": 1})

    def viewed(self, article_id: str, viewer: str | None, portal: bool = False) -> None:
        """An article was read. A portal reader (``portal``: where the new-request form can tell us of their
        ticket) who opens no ticket and says nothing answered them within 30 minutes is a probable
        deflection; an API client's views are not followed (its tickets carry no viewer)."""
        self._emit("view", viewer, {"article_id": article_id})
        _count("KbViews")
        self._tally({"kb_views": 1})
        hashed = self.viewer(viewer)
        if portal and hashed and self._pending is not None:
            self._pending.viewed(hashed)

    def deflected(self, article_id: str, viewer: str | None, surface: str) -> None:
        self._emit("deflection", viewer, {"article_id": article_id, "surface": surface})
        _count("KbDeflections", surface=surface)
        self._tally({"kb_deflections": 1})
        self._settle([viewer])

    def asked(self, viewers: Iterable[str | None]) -> None:
        """The reader opened a ticket in the portal (each id they may have read under: their customer id and
        the browser's pre-session id): their views are no probable deflection."""
        self._settle(viewers)

    def _settle(self, viewers: Iterable[str | None]) -> None:
        if self._pending is None:
            return
        for hashed in sorted({h for v in viewers if (h := self.viewer(v))}):
            self._pending.settled(hashed)

    def voted(self, article_id: str, helpful: bool, viewer: str | None) -> None:
        self._emit("vote", viewer, {"article_id": article_id, "helpful": helpful})
        _count("KbVotes", helpful=str(helpful).lower())

    def _emit(self, kind: str, viewer: str | None, fields: dict[str, Any]) -> None:
        from chalicelib.core import observability

        observability.logger().info("kb event", extra={"kb_event": kind, "viewer": self.viewer(viewer), **fields})


def _count(name: str, value: float = 1, **dimensions: str) -> None:
    from chalicelib.core import observability

    observability.count(name, value, **dimensions)
