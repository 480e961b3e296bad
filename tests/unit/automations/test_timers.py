"""Time-based automations: the one timer a ticket has in each state, and how settings and history change it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.automations.timers import Timer, TimerAction, TimerSettings, is_due, next_timer, timer_claim_key
from chalicelib.domain.people import Team
from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import SYSTEM, Actor, ActorKind, Change, EntryKind, TimelineEntry

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AGENT = Actor(ActorKind.AGENT, "A1")
CUSTOMER = Actor(ActorKind.CUSTOMER, "C1")
DEFAULTS = TimerSettings()


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def ticket(status: Status, **overrides: Any) -> Ticket:
    return Ticket("T1", 7, "Help", "C1", Channel.EMAIL, T0, T0, status=status, **overrides)


def status_change(when: datetime, old: str, new: str) -> TimelineEntry:
    return TimelineEntry.system(ticket(Status(new)), "ticket.updated", AGENT, when, [Change("status", old, new)])


def reminded(when: datetime) -> TimelineEntry:
    return TimelineEntry.system(ticket(Status.PENDING), "ticket.reminded", SYSTEM, when)


def customer_reply(when: datetime) -> TimelineEntry:
    return TimelineEntry.post(ticket(Status.OPEN), EntryKind.MESSAGE, CUSTOMER, when, "Still broken")


def test_a_solved_ticket_closes_auto_close_days_after_it_was_solved() -> None:
    timeline = [status_change(day(0), "new", "open"), status_change(day(1), "open", "solved")]
    timer = next_timer(ticket(Status.SOLVED, solved_at=day(9)), timeline, DEFAULTS)
    assert timer == Timer(TimerAction.CLOSE, day(5), f"solved@{day(1).isoformat()}")


def test_solved_time_falls_back_to_solved_at_without_a_recorded_change() -> None:
    timer = next_timer(ticket(Status.SOLVED, solved_at=day(2)), [], DEFAULTS)
    assert timer == Timer(TimerAction.CLOSE, day(6), f"solved@{day(2).isoformat()}")
    assert next_timer(ticket(Status.SOLVED), [], DEFAULTS) is None


def test_a_pending_ticket_is_reminded_reminder_days_after_it_became_pending() -> None:
    timeline = [status_change(day(0), "new", "open"), status_change(day(1), "open", "pending")]
    timer = next_timer(ticket(Status.PENDING), timeline, DEFAULTS)
    assert timer == Timer(TimerAction.REMIND, day(4), f"pending@{day(1).isoformat()}")


def test_a_reminded_ticket_is_solved_solve_after_reminder_days_after_the_reminder() -> None:
    timeline = [status_change(day(1), "open", "pending"), reminded(day(4))]
    timer = next_timer(ticket(Status.PENDING), timeline, DEFAULTS)
    assert timer == Timer(TimerAction.SOLVE, day(8), f"reminded@{day(4).isoformat()}")


def test_a_ticket_created_pending_counts_from_its_creation() -> None:
    timer = next_timer(ticket(Status.PENDING), [], DEFAULTS)
    assert timer == Timer(TimerAction.REMIND, day(3), f"pending@{T0.isoformat()}")


def test_entries_written_by_ticket_change_drive_the_timer() -> None:
    pending, entries = ticket(Status.OPEN).change(AGENT, day(2), status="pending", priority="high")
    assert next_timer(pending, entries, DEFAULTS) == Timer(TimerAction.REMIND, day(5), f"pending@{day(2).isoformat()}")


def test_reopening_a_solved_ticket_clears_its_timer() -> None:
    timeline = [
        status_change(day(1), "open", "solved"),
        customer_reply(day(2)),
        status_change(day(2), "solved", "open"),
    ]
    assert next_timer(ticket(Status.OPEN, solved_at=None), timeline, DEFAULTS) is None


def test_solving_again_gets_a_new_close_time_and_basis() -> None:
    timeline = [
        status_change(day(1), "open", "solved"),
        status_change(day(2), "solved", "open"),
        status_change(day(3), "open", "solved"),
    ]
    timer = next_timer(ticket(Status.SOLVED, solved_at=day(3)), timeline, DEFAULTS)
    assert timer == Timer(TimerAction.CLOSE, day(7), f"solved@{day(3).isoformat()}")


def test_a_second_pending_period_restarts_the_reminder_and_ignores_the_earlier_one() -> None:
    timeline = [
        status_change(day(0), "open", "pending"),
        reminded(day(3)),
        customer_reply(day(4)),
        status_change(day(4), "pending", "open"),
        status_change(day(5), "open", "pending"),
    ]
    timer = next_timer(ticket(Status.PENDING), timeline, DEFAULTS)
    assert timer == Timer(TimerAction.REMIND, day(8), f"pending@{day(5).isoformat()}")


def test_the_timeline_may_come_in_any_order() -> None:
    timeline = [
        status_change(day(0), "open", "pending"),
        reminded(day(3)),
        status_change(day(4), "pending", "open"),
        status_change(day(5), "open", "pending"),
        reminded(day(8)),
    ]
    expected = Timer(TimerAction.SOLVE, day(12), f"reminded@{day(8).isoformat()}")
    shuffled = random.Random(7).sample(timeline, len(timeline))
    assert next_timer(ticket(Status.PENDING), shuffled, DEFAULTS) == expected


@pytest.mark.parametrize("status", [Status.NEW, Status.OPEN, Status.ON_HOLD, Status.CLOSED])
def test_other_statuses_have_no_timer(status: Status) -> None:
    timeline = [status_change(day(1), "open", "pending"), reminded(day(4))]
    assert next_timer(ticket(status, solved_at=day(1)), timeline, DEFAULTS) is None


@pytest.mark.parametrize("status", [Status.SOLVED, Status.PENDING])
def test_a_merged_ticket_has_no_timer(status: Status) -> None:
    assert next_timer(ticket(status, solved_at=day(1), merged_into_id="T9"), [], DEFAULTS) is None


@pytest.mark.parametrize(
    ("settings", "status", "timeline", "expected"),
    [
        (TimerSettings(auto_close_days=0), Status.SOLVED, [status_change(day(1), "open", "solved")], None),
        (TimerSettings(solve_after_reminder_days=0), Status.PENDING, [reminded(day(3))], None),
        (TimerSettings(solve_after_reminder_days=0), Status.PENDING, [], (TimerAction.REMIND, day(3), "pending")),
        (TimerSettings(reminder_days=0), Status.PENDING, [], (TimerAction.SOLVE, day(4), "pending")),
        (TimerSettings(reminder_days=0, solve_after_reminder_days=0), Status.PENDING, [], None),
    ],
)
def test_a_setting_of_zero_disables_only_its_step(
    settings: TimerSettings,
    status: Status,
    timeline: list[TimelineEntry],
    expected: tuple[TimerAction, datetime, str] | None,
) -> None:
    timer = next_timer(ticket(status), timeline, settings)
    if expected is None:
        assert timer is None
    else:
        action, due_at, state = expected
        assert timer == Timer(action, due_at, f"{state}@{T0.isoformat()}")


def test_settings_come_from_the_team_and_refuse_negative_days() -> None:
    team = Team("TEAM1", "Support", T0, auto_close_days=7, reminder_days=2, solve_after_reminder_days=0)
    assert TimerSettings.of(team) == TimerSettings(7, 2, 0)
    assert TimerSettings.of(None) == TimerSettings(4, 3, 4)
    with pytest.raises(ValueError, match=r"^reminder_days: must be a whole number of days >= 0, got -1$"):
        TimerSettings(reminder_days=-1)


def test_a_timer_is_due_from_its_due_time_on() -> None:
    timer = Timer(TimerAction.CLOSE, day(4), "solved@x")
    assert not is_due(timer, day(4) - timedelta(seconds=1))
    assert is_due(timer, day(4))
    assert is_due(timer, day(5))


def test_the_claim_key_names_ticket_action_and_state() -> None:
    timer = next_timer(ticket(Status.PENDING), [reminded(day(3))], DEFAULTS)
    assert timer is not None
    assert timer_claim_key("T1", timer) == f"TIMER#T1#solve#reminded@{day(3).isoformat()}"


@pytest.mark.parametrize(
    ("event", "moves"),
    [
        ({"type": "message.added", "changes": []}, False),
        ({"type": "note.added", "changes": []}, False),
        ({"type": "ticket.created", "changes": []}, False),  # a new ticket is new or open: no timer
        ({"type": "ticket.assigned", "changes": [{"field": "assignee_id", "old": None, "new": "A1"}]}, False),
        ({"type": "ticket.updated", "changes": [{"field": "status", "old": "open", "new": "pending"}]}, True),
        ({"type": "ticket.updated", "changes": [{"field": "team_id", "old": None, "new": "T2"}]}, True),
        ({"type": "ticket.reminded", "changes": []}, True),
        ({"type": "ticket.merged", "changes": []}, True),
        ({"type": "ticket.updated", "changes": [], "truncated": True}, True),
    ],
)
def test_only_events_that_change_what_a_timer_follows_move_it(event: dict[str, Any], moves: bool) -> None:
    from chalicelib.automations.keeper import moves_timer

    assert moves_timer(event) is moves


def test_teams_are_read_once_a_while_and_shared() -> None:
    from chalicelib.automations.keeper import TeamCache

    class Directory:
        reads = 0

        def get_team(self, team_id: str) -> Any:
            Directory.reads += 1
            return f"team {team_id}"

    cache = TeamCache(Directory(), seconds=60)  # type: ignore[arg-type]
    assert [cache.get("T1"), cache.get("T1"), cache.get(None)] == ["team T1", "team T1", None]
    assert Directory.reads == 1
    assert TeamCache(Directory(), seconds=0).get("T1") == "team T1" and Directory.reads == 2  # type: ignore[arg-type]
