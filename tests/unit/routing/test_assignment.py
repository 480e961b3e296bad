"""Agent assignment: availability and working hours across time zones, each strategy's order with the
round-robin cursor, capacity and skills, the timeline record, and the working-hours document."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.calendars.working_hours import DAYS, hours_from_doc, hours_to_doc, is_working
from chalicelib.core.errors import FieldError
from chalicelib.domain.people import Agent, Availability, Role, Strategy
from chalicelib.domain.tickets import Channel, Ticket
from chalicelib.routing.assignment import Candidate, Considered, availability_problem, rank

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday
TICKET = Ticket("t1", 1, "Help", "c1", Channel.EMAIL, NOW, NOW, team_id="team")
WEEKDAYS_9_17 = tuple((day, "09:00", "17:00") for day in range(5))


def agent(aid: str, **values: Any) -> Agent:
    base = Agent(aid, f"{aid}@acme.test", aid.upper(), Role.AGENT, NOW, aid, teams=("team",), capacity=5)
    return replace(base, **{"availability": Availability.ONLINE, **values})


def cand(aid: str, load: int = 0, **values: Any) -> Candidate:
    return Candidate(agent(aid, **values), load)


def order(strategy: Strategy, candidates: list[Candidate], cursor: str | None = None, **ticket: Any) -> list[str]:
    return list(rank(strategy, "team", replace(TICKET, **ticket), candidates, NOW, cursor).order)


def reasons(strategy: Strategy, candidates: list[Candidate], **ticket: Any) -> dict[str, str]:
    ranking = rank(strategy, "team", replace(TICKET, **ticket), candidates, NOW, None)
    return {c.agent_id: c.reason for c in ranking.considered}


# --- availability -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({}, None),
        ({"active": False}, "deactivated"),
        ({"teams": ("other",)}, "not in team"),
        ({"availability": Availability.AWAY}, "away"),
        ({"availability": Availability.OFFLINE}, "offline"),
        ({"working_hours": ((6, "09:00", "17:00"),)}, "outside working hours"),  # Sundays only
    ],
)
def test_availability_problem_names_the_first_reason(values: dict[str, Any], problem: str | None) -> None:
    assert availability_problem(agent("a", **values), "team", NOW) == problem


def test_a_deactivated_agent_is_reported_as_deactivated_before_anything_else() -> None:
    gone = agent("a", active=False, teams=(), availability=Availability.OFFLINE)
    assert availability_problem(gone, "team", NOW) == "deactivated"


def test_unreadable_working_hours_make_an_agent_unavailable_not_an_error() -> None:
    broken = agent("a", working_hours=((0, "9am", "17:00"),))
    assert availability_problem(broken, "team", NOW) == "invalid working hours: start '9am' is not a time HH:MM " + (
        "(00:00 to 23:59; 24:00 only as an end)"
    )
    assert availability_problem(agent("b", working_hours=WEEKDAYS_9_17, time_zone="Mars/Olympus"), "team", NOW) == (
        "invalid working hours: unknown time zone 'Mars/Olympus'"
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_working(agent("a"), datetime(2026, 3, 2, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        rank(Strategy.ROUND_ROBIN, "team", TICKET, [cand("a")], datetime(2026, 3, 2, 10), None)


def test_no_working_hours_means_any_time() -> None:
    assert is_working(agent("a"), datetime(2026, 3, 8, 3, tzinfo=UTC))  # Sunday 03:00


TOKYO = {"time_zone": "Asia/Tokyo", "working_hours": WEEKDAYS_9_17}


@pytest.mark.parametrize(
    ("now", "working"),
    [
        (datetime(2026, 3, 2, 0, 0, tzinfo=UTC), True),  # Monday 09:00 JST: the interval starts
        (datetime(2026, 3, 2, 1, tzinfo=UTC), True),  # Monday 10:00 JST
        (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), False),  # Monday 17:00 JST: the interval has ended
        (datetime(2026, 3, 2, 10, tzinfo=UTC), False),  # Monday 19:00 JST, though 10:00 in UTC
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), False),  # Monday 08:30 JST
        (datetime(2026, 3, 6, 7, 59, tzinfo=UTC), True),  # Friday 16:59 JST
        (datetime(2026, 3, 7, 1, tzinfo=UTC), False),  # Saturday 10:00 JST
    ],
)
def test_working_hours_are_in_the_agents_time_zone(now: datetime, working: bool) -> None:
    assert is_working(agent("a", **TOKYO), now) is working


def test_working_hours_follow_the_local_weekday_not_the_utc_one() -> None:
    mondays = agent("a", time_zone="America/Los_Angeles", working_hours=((0, "09:00", "17:00"),))
    assert is_working(mondays, datetime(2026, 3, 3, 0, 30, tzinfo=UTC))  # Tuesday in UTC, Monday 16:30 in LA


def test_working_hours_keep_local_time_across_dst() -> None:
    la = agent("a", time_zone="America/Los_Angeles", working_hours=WEEKDAYS_9_17)
    assert not is_working(la, datetime(2026, 3, 2, 16, 30, tzinfo=UTC))  # 08:30 PST
    assert is_working(la, datetime(2026, 3, 9, 16, 30, tzinfo=UTC))  # 09:30 PDT, the day after clocks moved


def test_an_interval_ending_at_24_00_covers_the_last_minute_of_the_day() -> None:
    late = agent("a", working_hours=((0, "22:00", "24:00"),))
    assert is_working(late, datetime(2026, 3, 2, 23, 59, tzinfo=UTC))
    assert not is_working(late, datetime(2026, 3, 3, 0, 0, tzinfo=UTC))


# --- manual and round robin --------------------------------------------------------------------------------------


def test_manual_teams_get_no_order_but_every_candidate_is_explained() -> None:
    ranking = rank(Strategy.MANUAL, "team", TICKET, [cand("b"), cand("a", availability=Availability.AWAY)], NOW, None)
    assert ranking.order == ()
    assert ranking.considered == (Considered("a", 0, 5, False, "away"), Considered("b", 0, 5, True, "eligible"))


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [
        (None, ["a", "b", "c"]),
        ("a", ["b", "c", "a"]),
        ("b", ["c", "a", "b"]),
        ("c", ["a", "b", "c"]),  # wraps around after the last id
        ("bb", ["c", "a", "b"]),  # the last assignee has left the team: start after where they were
        ("zz", ["a", "b", "c"]),
    ],
)
def test_round_robin_starts_after_the_cursor(cursor: str | None, expected: list[str]) -> None:
    assert order(Strategy.ROUND_ROBIN, [cand("c"), cand("a"), cand("b")], cursor) == expected


def test_round_robin_ignores_load_but_not_capacity() -> None:
    candidates = [cand("a", 4), cand("b", 0), cand("c", 5)]
    assert order(Strategy.ROUND_ROBIN, candidates) == ["a", "b"]


def test_round_robin_takes_turns_over_successive_tickets() -> None:
    candidates = [cand("a"), cand("b"), cand("c")]
    picked: list[str] = []
    for _ in range(4):
        picked.append(order(Strategy.ROUND_ROBIN, candidates, picked[-1] if picked else None)[0])
    assert picked == ["a", "b", "c", "a"]


# --- least loaded and skills ---------------------------------------------------------------------------------------


def test_least_loaded_orders_by_share_of_capacity_then_load() -> None:
    candidates = [cand("a", 2, capacity=4), cand("b", 3, capacity=10), cand("c", 1, capacity=2), cand("d", 0)]
    assert order(Strategy.LEAST_LOADED, candidates) == ["d", "b", "c", "a"]  # 0, 0.3, 0.5 (load 1), 0.5 (load 2)


def test_least_loaded_ties_take_turns_from_the_cursor() -> None:
    candidates = [cand("a", 1), cand("b", 1), cand("c", 1), cand("d", 3)]
    assert order(Strategy.LEAST_LOADED, candidates, None) == ["a", "b", "c", "d"]
    assert order(Strategy.LEAST_LOADED, candidates, "a") == ["b", "c", "a", "d"]
    assert order(Strategy.LEAST_LOADED, candidates, "c") == ["a", "b", "c", "d"]


def test_least_loaded_does_not_keep_picking_the_same_agent_when_loads_are_equal() -> None:
    candidates = [cand("a", 2), cand("b", 2), cand("c", 2)]
    picked: list[str] = []
    for _ in range(3):
        picked.append(order(Strategy.LEAST_LOADED, candidates, picked[-1] if picked else None)[0])
    assert picked == ["a", "b", "c"]


def test_agents_at_capacity_are_not_eligible() -> None:
    candidates = [cand("a", 5), cand("b", 7), cand("c", 0, capacity=0), cand("d", 4)]
    assert order(Strategy.LEAST_LOADED, candidates) == ["d"]
    assert reasons(Strategy.LEAST_LOADED, candidates) == {
        "a": "at capacity 5/5",
        "b": "at capacity 7/5",
        "c": "at capacity 0/0",
        "d": "eligible",
    }


def test_unavailable_agents_are_never_ordered() -> None:
    candidates = [
        cand("a", active=False),
        cand("b", availability=Availability.AWAY),
        cand("c", availability=Availability.OFFLINE),
        cand("d", teams=("other",)),
        cand("e", **TOKYO),  # 19:00 in Tokyo
        cand("f", 3),
    ]
    for strategy in (Strategy.ROUND_ROBIN, Strategy.LEAST_LOADED, Strategy.SKILLS):
        assert order(strategy, candidates) == ["f"]
    assert reasons(Strategy.ROUND_ROBIN, candidates) == {
        "a": "deactivated",
        "b": "away",
        "c": "offline",
        "d": "not in team",
        "e": "outside working hours",
        "f": "eligible",
    }


def test_skills_strategy_needs_every_skill_case_insensitively_then_least_loaded() -> None:
    candidates = [
        cand("a", 0, skills=("billing",)),
        cand("b", 3, skills=("DE", "Billing")),
        cand("c", 1, skills=("de", "billing", "fr")),
        cand("d", 0),
    ]
    needs = {"skills": ("billing", "de")}
    assert order(Strategy.SKILLS, candidates, **needs) == ["c", "b"]
    assert reasons(Strategy.SKILLS, candidates, **needs) == {
        "a": "missing skills: de",
        "b": "eligible",
        "c": "eligible",
        "d": "missing skills: billing, de",
    }


def test_skills_strategy_without_ticket_skills_is_least_loaded() -> None:
    candidates = [cand("a", 2), cand("b", 1, skills=("de",)), cand("c", 1)]
    assert order(Strategy.SKILLS, candidates, "b") == order(Strategy.LEAST_LOADED, candidates, "b") == ["c", "b", "a"]


def test_other_strategies_ignore_ticket_skills() -> None:
    assert order(Strategy.LEAST_LOADED, [cand("a")], skills=("de",)) == ["a"]


def test_ranking_does_not_depend_on_candidate_order_and_records_everyone_by_id() -> None:
    candidates = [cand("c", 1), cand("a", 2), cand("b", 1, availability=Availability.AWAY)]
    forward = rank(Strategy.LEAST_LOADED, "team", TICKET, candidates, NOW, "a")
    backward = rank(Strategy.LEAST_LOADED, "team", TICKET, candidates[::-1], NOW, "a")
    assert forward == backward
    assert forward.as_dict() == {
        "strategy": "least_loaded",
        "order": ["c", "a"],
        "candidates": [
            {"agent_id": "a", "load": 2, "capacity": 5, "eligible": True, "reason": "eligible"},
            {"agent_id": "b", "load": 1, "capacity": 5, "eligible": False, "reason": "away"},
            {"agent_id": "c", "load": 1, "capacity": 5, "eligible": True, "reason": "eligible"},
        ],
    }


def test_duplicate_candidates_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate candidates: a"):
        rank(Strategy.ROUND_ROBIN, "team", TICKET, [cand("a"), cand("a", 1), cand("b")], NOW, None)


_AGENT_IDS = ["a", "b", "c", "d", "e", "f"]


@st.composite
def _candidates(draw: st.DrawFn) -> list[Candidate]:
    ids = draw(st.lists(st.sampled_from(_AGENT_IDS), unique=True, max_size=len(_AGENT_IDS)))
    return [
        Candidate(
            agent(
                aid,
                active=draw(st.booleans()),
                teams=draw(st.sampled_from([("team",), ("other",), ("other", "team")])),
                availability=draw(st.sampled_from(Availability)),
                capacity=draw(st.integers(0, 4)),
                skills=draw(st.lists(st.sampled_from(["de", "DE", "billing"]), unique=True)),
                **draw(st.sampled_from([{}, TOKYO, {"time_zone": "Europe/Berlin", "working_hours": WEEKDAYS_9_17}])),
            ),
            draw(st.integers(0, 5)),
        )
        for aid in ids
    ]


@given(
    strategy=st.sampled_from(Strategy),
    candidates=_candidates(),
    cursor=st.none() | st.sampled_from([*_AGENT_IDS, "bb", "zz"]),
    skills=st.lists(st.sampled_from(["de", "billing"]), unique=True).map(tuple),
)
def test_order_is_exactly_the_eligible_agents(
    strategy: Strategy, candidates: list[Candidate], cursor: str | None, skills: tuple[str, ...]
) -> None:
    ranking = rank(strategy, "team", replace(TICKET, skills=skills), candidates, NOW, cursor)

    def eligible(c: Candidate) -> bool:
        have = {s.lower() for s in c.agent.skills}
        skilled = strategy is not Strategy.SKILLS or set(skills) <= have
        return availability_problem(c.agent, "team", NOW) is None and c.load < c.agent.capacity and skilled

    expected = set() if strategy is Strategy.MANUAL else {c.agent.id for c in candidates if eligible(c)}
    assert sorted(ranking.order) == sorted(expected)  # a permutation: no duplicates, nobody missing
    assert [c.agent_id for c in ranking.considered] == sorted(c.agent.id for c in candidates)
    assert {c.agent_id for c in ranking.considered if c.eligible} == {c.agent.id for c in candidates if eligible(c)}
    if strategy in (Strategy.LEAST_LOADED, Strategy.SKILLS):
        by_id = {c.agent.id: c for c in candidates}
        shares = [by_id[i].load / by_id[i].agent.capacity for i in ranking.order]
        assert shares == sorted(shares)


# --- working-hours documents --------------------------------------------------------------------------------------


def test_hours_document_becomes_sorted_tuples_and_back() -> None:
    doc = {"wed": [["13:00", "17:00"], ["08:30", "12:00"]], "mon": [["22:00", "00:00"]]}
    hours = hours_from_doc(doc)
    assert hours == ((0, "22:00", "24:00"), (2, "08:30", "12:00"), (2, "13:00", "17:00"))
    assert hours_to_doc(hours) == {"mon": [["22:00", "24:00"]], "wed": [["08:30", "12:00"], ["13:00", "17:00"]]}
    assert hours_from_doc(hours_to_doc(hours)) == hours


def test_an_empty_hours_document_means_any_time() -> None:
    assert hours_from_doc({}) == ()
    assert hours_from_doc({"sat": []}) == ()
    assert hours_to_doc(()) == {}


def test_a_whole_day_is_00_00_to_24_00() -> None:
    assert hours_from_doc({"sun": [["00:00", "24:00"]]}) == ((6, "00:00", "24:00"),)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected an object keyed by day (mon..sun), got []"),
        ({"monday": []}, "monday: unknown day; expected one of mon, tue, wed, thu, fri, sat, sun"),
        ({"mon": "09:00-17:00"}, "mon: expected a list of [start, end] pairs"),
        ({"mon": [["09:00"]]}, """mon[0]: expected a ["HH:MM", "HH:MM"] pair, got ['09:00']"""),
        (
            {"tue": [["9:00", "17:00"]]},
            "tue[0]: start '9:00' is not a time HH:MM (00:00 to 23:59; 24:00 only as an end)",
        ),
        (
            {"tue": [["09:00", "24:30"]]},
            "tue[0]: end '24:30' is not a time HH:MM (00:00 to 23:59; 24:00 only as an end)",
        ),
        (
            {"tue": [["24:00", "24:00"]]},
            "tue[0]: start '24:00' is not a time HH:MM (00:00 to 23:59; 24:00 only as an end)",
        ),
        ({"fri": [["17:00", "09:00"]]}, "fri[0]: end 09:00 is not after start 17:00"),
        ({"fri": [["09:00", "09:00"]]}, "fri[0]: end 09:00 is not after start 09:00"),
        ({"sat": [["12:00", "18:00"], ["09:00", "12:30"]]}, "sat[0]: 12:00-18:00 overlaps sat[1]"),
        ({"sat": [["20:00", "24:00"], ["21:00", "22:00"]]}, "sat[1]: 21:00-22:00 overlaps sat[0]"),
    ],
)
def test_bad_hours_documents_name_the_day_and_the_problem(doc: Any, message: str) -> None:
    with pytest.raises(FieldError) as refused:
        hours_from_doc(doc)
    assert str(refused.value) == message
    path, _, detail = message.rpartition(": ") if message[:3] in DAYS else ("", "", message)
    assert (refused.value.path, refused.value.detail) == (path, detail)  # the day and interval, as data


def test_touching_intervals_do_not_overlap() -> None:
    assert hours_from_doc({"thu": [["09:00", "12:00"], ["12:00", "17:00"]]}) == (
        (3, "09:00", "12:00"),
        (3, "12:00", "17:00"),
    )
