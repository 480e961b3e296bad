"""Achievements from daily agent items: the quick-reply streak skips days off and breaks on a slow day;
satisfied customers count 4 and 5 only; a reopen takes its solve back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.reports import Tally
from chalicelib.reports.achievements import achievements
from chalicelib.reports.histogram import bucket
from tests.fakes.memory_reports import InMemoryReportRepository

LAST = date(2026, 11, 30)
LATER = datetime(2027, 1, 1, tzinfo=UTC)


def first_replies(seconds: int, n: int = 1) -> dict[str, int]:
    return {
        "fr_n": n,
        "fr_s": seconds * n,
        "fr_bs": seconds * n,
        f"fr_h:{bucket(seconds)}": n,
        f"fr_bh:{bucket(seconds)}": n,
    }


def repo_with(days: dict[int, dict[str, int]], agent: str = "ag1") -> InMemoryReportRepository:
    repo = InMemoryReportRepository()
    for n, (ago, counts) in enumerate(days.items()):
        repo.add(f"e{n}", [Tally("agent", agent, LAST - timedelta(days=ago), counts)], LATER)
    return repo


def by_id(repo: InMemoryReportRepository, agent: str = "ag1") -> dict[str, tuple[int, int, int | None]]:
    return {a.id: (a.value, a.level, a.next_at) for a in achievements(repo, agent, LAST)}


def test_the_streak_counts_quick_days_skips_days_off_and_stops_at_a_slow_day() -> None:
    # today quick, yesterday off, then 3 quick days, then a slow one, then quick again (not counted)
    days = {0: first_replies(600), 2: first_replies(1200), 3: first_replies(3000), 4: first_replies(60, 3)}
    days |= {5: first_replies(4 * 3600), 6: first_replies(60)}
    found = by_id(repo_with(days))
    assert found["quick_first_replies"] == (4, 1, 7)


def test_satisfied_customers_count_ratings_of_four_and_five_and_reopens_take_solves_back() -> None:
    days = {
        0: {"csat:5": 3, "csat:4": 2, "csat:2": 4, "solved": 8, "reopened": 3},
        10: {"csat:5": 1, "solved": 6},
        40: {"csat:5": 50, "solved": 100},  # outside the 30-day window
    }
    found = by_id(repo_with(days))
    assert found["satisfied_customers"] == (6, 1, 25)
    assert found["solved_and_stayed_solved"] == (11, 1, 50)


def test_another_agents_days_are_not_counted_and_nothing_is_level_zero() -> None:
    found = by_id(repo_with({0: {"solved": 300, "csat:5": 200}}, agent="ag2"))
    assert found == {
        "quick_first_replies": (0, 0, 3),
        "satisfied_customers": (0, 0, 5),
        "solved_and_stayed_solved": (0, 0, 10),
    }


def test_the_top_level_has_no_next_value() -> None:
    found = by_id(repo_with({0: {"solved": 250}}))
    assert found["solved_and_stayed_solved"] == (250, 3, None)
