"""Probable deflections: a portal view with no ticket and no explicit deflection by the same reader within 30
minutes counts once, on the view's day in the desk's zone, however often the sweep runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.kb.signals import Signals
from chalicelib.reports.kb_counts import KbCounter
from chalicelib.reports.kb_probable import ProbableDeflections
from chalicelib.reports.queries import ReportQueries
from tests.fakes.memory_reports import InMemoryReportRepository

# 22:50 UTC on 30 November is 23:50 in Berlin: the view's day is 30 November, its window ends on 1 December.
VIEW = datetime(2026, 11, 30, 22, 50, tzinfo=UTC)
NOV_30, DEC_1 = date(2026, 11, 30), date(2026, 12, 1)
ZONE = ZoneInfo("Europe/Berlin")


class Desk:
    def __init__(self) -> None:
        self.now = VIEW
        self.repo = InMemoryReportRepository()
        self.probable = ProbableDeflections(self.repo, ZONE, lambda: self.now)
        self.signals = Signals(b"k" * 32, KbCounter(self.repo, ZONE, lambda: self.now), self.probable)

    def later(self, minutes: int) -> Desk:
        self.now = VIEW + timedelta(minutes=minutes)
        return self

    def kb(self, day: date) -> tuple[int, int]:
        (desk,) = ReportQueries(self.repo, "Europe/Berlin").summary(day, day, None, None)
        assert desk.figures.kb is not None
        return desk.figures.kb.probable_deflections, desk.figures.kb.explicit_deflections


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_a_view_with_nothing_after_it_counts_once_on_the_views_day(desk: Desk) -> None:
    desk.signals.viewed("a1", "browser:b1", portal=True)
    assert desk.later(29).probable.sweep() == {"due": 0, "counted": 0, "failed": 0}
    assert desk.later(31).probable.sweep() == {"due": 1, "counted": 1, "failed": 0}
    assert desk.later(32).probable.sweep()["due"] == 0  # a second run finds nothing: still one
    assert desk.kb(NOV_30) == (1, 0)
    assert desk.repo.days("kb", DEC_1, DEC_1) == []  # swept on 1 December, counted on the view's day


def test_a_portal_ticket_within_the_window_is_no_deflection(desk: Desk) -> None:
    desk.signals.viewed("a1", "browser:b1", portal=True)  # read before signing in
    desk.later(10).signals.viewed("a2", "customer:c1", portal=True)  # and after
    desk.later(20).signals.asked(["customer:c1", "browser:b1"])  # the new-request form: both ids
    assert desk.later(60).probable.sweep()["due"] == 0
    assert desk.kb(NOV_30) == (0, 0)


def test_an_explicit_deflection_is_counted_as_explicit_only(desk: Desk) -> None:
    desk.signals.viewed("a1", "browser:b1", portal=True)
    desk.later(5).signals.deflected("a1", "browser:b1", "new_request")
    assert desk.later(60).probable.sweep()["due"] == 0
    assert desk.kb(NOV_30) == (0, 1)


def test_views_in_one_reading_session_count_once_when_the_last_ones_window_ends(desk: Desk) -> None:
    desk.signals.viewed("a1", "browser:b1", portal=True)
    desk.later(20).signals.viewed("a2", "browser:b1", portal=True)  # 00:10 in Berlin: the window restarts
    assert desk.later(35).probable.sweep()["due"] == 0  # the first view's 30 minutes are over, not the second's
    assert desk.later(51).probable.sweep()["counted"] == 1
    assert desk.later(90).probable.sweep()["counted"] == 0
    assert (desk.kb(NOV_30), desk.kb(DEC_1)) == ((0, 0), (1, 0))  # the last view's day


def test_readers_count_apart_and_unknown_or_api_readers_not_at_all(desk: Desk) -> None:
    desk.signals.viewed("a1", "browser:b1", portal=True)
    desk.signals.viewed("a1", "browser:b2", portal=True)
    desk.signals.viewed("a1", None, portal=True)  # no pre-session cookie: nobody to follow
    desk.signals.viewed("a1", "widget-reader", portal=False)  # an API client's tickets carry no viewer
    assert desk.later(31).probable.sweep()["counted"] == 2
    assert desk.kb(NOV_30) == (2, 0)


def test_a_failed_pending_write_is_logged_and_the_page_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import observability

    class Down(InMemoryReportRepository):
        def hold_view(self, view: Any, expires_at: datetime) -> None:
            raise ConnectionError("the table is unreachable")

    failures: list[str] = []
    real = observability.count
    monkeypatch.setattr(observability, "count", lambda name, *a, **k: failures.append(name) or real(name, *a, **k))
    repo = Down()
    signals = Signals(b"k" * 32, None, ProbableDeflections(repo, ZONE, lambda: VIEW))
    signals.viewed("a1", "browser:b1", portal=True)
    assert failures == ["KbViews", "ReportKbCountFailed"]
