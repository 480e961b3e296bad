"""New tickets per sender: the sliding hour and the fixed day, counted in one request per mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.mailflow.floods import SenderFloods
from tests.fakes.memory import InMemoryMailRepository, InMemoryTicketRepository


def test_a_fourth_new_ticket_in_an_hour_floods_and_says_which_limit() -> None:
    floods = SenderFloods(InMemoryMailRepository(InMemoryTicketRepository()))
    start = datetime(2026, 12, 2, 10, 5, tzinfo=UTC)
    assert [floods.count_new_ticket("A@Example.com", start + timedelta(minutes=m)) for m in range(3)] == [None] * 3
    fourth = floods.count_new_ticket("a@example.com", start + timedelta(minutes=3))
    assert fourth is not None
    assert (fourth.limit.window_seconds, fourth.count) == (3600, 4.0)
    assert fourth.reason() == "4 new tickets from this sender in an hour (at most 3)"


def test_the_hour_slides_across_the_fixed_windows_it_is_estimated_from() -> None:
    floods = SenderFloods(InMemoryMailRepository(InMemoryTicketRepository()))
    late = datetime(2026, 12, 2, 10, 50, tzinfo=UTC)
    for minute in range(3):
        assert floods.count_new_ticket("b@example.com", late + timedelta(minutes=minute)) is None
    # 11:15: three in the hour before, a quarter of which has passed: 1 + 3 x 0.75 = 3.25 > 3.
    flooded = floods.count_new_ticket("b@example.com", datetime(2026, 12, 2, 11, 15, tzinfo=UTC))
    assert flooded is not None and flooded.count == 3.2
    # 11:55: the previous hour weighs almost nothing (two tickets this hour, 3 x 1/12 before).
    assert floods.count_new_ticket("b@example.com", datetime(2026, 12, 2, 11, 55, tzinfo=UTC)) is None


def test_the_day_limit_counts_across_hours_and_other_senders_do_not_count() -> None:
    floods = SenderFloods(InMemoryMailRepository(InMemoryTicketRepository()))
    day = datetime(2026, 12, 2, 0, 30, tzinfo=UTC)
    outcomes = [floods.count_new_ticket("c@example.com", day + timedelta(hours=2 * i)) for i in range(11)]
    assert outcomes[:10] == [None] * 10
    eleventh = outcomes[10]
    assert eleventh is not None and (eleventh.limit.window_seconds, eleventh.count) == (86400, 11.0)
    assert floods.count_new_ticket("d@example.com", day + timedelta(hours=22)) is None
