"""The knowledge base's signals counted on the desk's daily ``kb`` item: what each signal adds, the desk's
figures from them (rates), the day in the desk's zone, and a failed count that never fails the reader."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.kb.search import Hit, Results
from chalicelib.kb.signals import Signals
from chalicelib.reports.kb_counts import KbCounter
from chalicelib.reports.queries import ReportQueries
from tests.fakes.memory_reports import InMemoryReportRepository

# 23:30 UTC on 30 November is 1 December in Berlin: the desk's day.
LATE = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
DEC_1 = date(2026, 12, 1)


def hits(*ids: str) -> Results:
    return Results([Hit(i, i, "en", i, "", "", 1.0) for i in ids])


@pytest.fixture
def counted() -> tuple[Signals, InMemoryReportRepository]:
    repo = InMemoryReportRepository()
    return Signals(b"k" * 32, KbCounter(repo, ZoneInfo("Europe/Berlin"), lambda: LATE)), repo


def test_each_signal_adds_its_counters_to_the_desks_day(counted: tuple[Signals, Any]) -> None:
    signals, repo = counted
    signals.searched("search", "pin reset", hits("a1", "a2", "a3"), "public", "viewer-1")
    signals.searched("suggest", "pin", hits("a1"), "public", None)
    signals.searched("search", "zzzz", hits(), "public", "viewer-1")
    signals.clicked("a1", 1, None, "viewer-1")
    signals.viewed("a1", "viewer-1")
    signals.deflected("a1", "viewer-1", "new_request")
    signals.voted("a1", True, "viewer-1")  # a vote is not a report figure
    (item,) = repo.days("kb", DEC_1, DEC_1)
    assert (item.key, item.day) == ("all", DEC_1)
    assert item.counts == {
        "kb_searches": 3, "kb_impressions": 4, "kb_zero_results": 1, "kb_clicks": 1, "kb_views": 1,
        "kb_deflections": 1,
    }  # fmt: skip
    (desk,) = ReportQueries(repo, "Europe/Berlin").summary(DEC_1, DEC_1, None, None)
    kb = desk.figures.kb
    assert kb is not None and desk.key == "all" and desk.figures.tickets_created == 0
    assert (kb.searches, kb.impressions, kb.zero_results, kb.clicks, kb.views) == (3, 4, 1, 1, 1)
    assert (kb.explicit_deflections, kb.probable_deflections) == (1, 0)  # no portal view was followed
    assert (kb.click_through_rate, kb.zero_result_rate) == (0.25, 0.3333)
    assert ReportQueries(repo, "Europe/Berlin").summary(DEC_1, DEC_1, None, "channel") == []


def test_a_count_that_fails_is_logged_and_the_search_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import observability

    class Down(InMemoryReportRepository):
        def bump(self, tally: Any) -> None:
            raise ConnectionError("the table is unreachable")

    failures: list[str] = []
    real = observability.count
    monkeypatch.setattr(observability, "count", lambda name, *a, **k: failures.append(name) or real(name, *a, **k))
    signals = Signals(b"k" * 32, KbCounter(Down(), ZoneInfo("UTC"), lambda: LATE))
    signals.clicked("a1", 1, None, None)
    assert failures == ["KbClicks", "ReportKbCountFailed"]
