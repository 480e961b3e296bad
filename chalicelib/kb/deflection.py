"""Answers before a ticket: "was this helpful?" votes and "this answered my question" (explicit deflection).

Both are deliberate clicks (POST), so they are counted in the table, on the article's daily counters (ADD);
a viewer's vote on an article counts once. Everything else a reader does is a signal (``Signals``), not a
write.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.clock import Clock, utcnow
from chalicelib.domain.kb import Visibility
from chalicelib.kb.service import KnowledgeBase
from chalicelib.kb.signals import Signals
from chalicelib.storage.slice_ports import KnowledgeRepository


@dataclass(frozen=True)
class Vote:
    counted: bool  # False: this viewer had voted on the article already


class Deflection:
    def __init__(self, articles: KnowledgeBase, repo: KnowledgeRepository, signals: Signals, clock: Clock = utcnow):
        self.articles = articles
        self.repo = repo
        self.signals = signals
        self.clock = clock

    def vote(self, article_id: str, audience: Visibility, viewer: str, helpful: bool) -> Vote:
        self.articles.readable(article_id, audience)
        hashed = self.signals.viewer(viewer) or ""
        counted = self.repo.record_vote(article_id, hashed, helpful, self._day())
        if counted:
            self.signals.voted(article_id, helpful, viewer)
        return Vote(counted)

    def answered(self, article_id: str, audience: Visibility, viewer: str | None, surface: str) -> None:
        """The reader says the article answered their question (the request is dropped, no ticket)."""
        self.articles.readable(article_id, audience)
        self.repo.count_deflection(article_id, self._day())
        self.signals.deflected(article_id, viewer, surface)

    def _day(self) -> str:
        return self.clock().date().isoformat()
