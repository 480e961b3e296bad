"""SLA policies: targets, conditions, validation messages, first-match selection and pinned versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

import pytest

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.domain.tickets import Channel, Priority, Ticket
from chalicelib.sla.policies import Conditions, Policy, PolicyRef, Target, pinned, select_policy

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
CALENDAR = BusinessCalendar("Europe/Berlin", {d: (Interval(time(9), time(17)),) for d in range(5)})
FIRST = Target("first_response", 60, business=False)
RESOLUTION = Target("resolution", 480, business=True)


def ticket(**values: object) -> Ticket:
    base = Ticket("t1", 1, "subject", "u1", Channel.EMAIL, T0, T0)
    return replace(base, **values)  # type: ignore[arg-type]


def policy(pid: str = "p1", conditions: Conditions | None = None, **values: object) -> Policy:
    base = Policy(pid, f"Policy {pid}", 1, conditions or Conditions(), (FIRST, RESOLUTION), CALENDAR)
    return replace(base, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("minutes", [0, -5])
def test_target_rejects_non_positive_minutes(minutes: int) -> None:
    with pytest.raises(ValueError, match="minutes must be a positive whole number"):
        Target("first_response", minutes, business=False)


def test_target_rejects_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown metric 'csat'"):
        Target("csat", 10, business=False)  # type: ignore[arg-type]


def test_target_seconds_are_minutes_times_sixty() -> None:
    assert Target("resolution", 90, business=False).seconds == 5400


def test_valid_policy_passes_validation() -> None:
    policy().validate()
    policy(targets=(FIRST,), calendar=None).validate()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"targets": ()}, r"policy 'p1' v1: needs at least one target"),
        ({"targets": (FIRST, replace(FIRST, minutes=30))}, r"policy 'p1' v1: more than one target for first_response"),
        ({"calendar": None}, r"policy 'p1' v1: business-hours targets \(resolution\) need a calendar"),
        ({"calendar": replace(CALENDAR, time_zone="Mars/Olympus")}, r"unknown time zone 'Mars/Olympus'"),
        ({"version": 0}, r"policy 'p1' v0: version must be >= 1"),
        ({"id": " "}, r"policy id must not be empty"),
    ],
)
def test_validate_explains_what_is_wrong(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        policy(**values).validate()


def test_empty_conditions_match_any_ticket() -> None:
    assert Conditions().matches(ticket(), vip=False)
    assert Conditions().matches(ticket(priority=Priority.URGENT, team_id="x"), vip=True)


@pytest.mark.parametrize(
    ("conditions", "values", "vip", "expected"),
    [
        (Conditions(priorities=frozenset({Priority.URGENT})), {"priority": Priority.URGENT}, False, True),
        (Conditions(priorities=frozenset({Priority.URGENT})), {"priority": Priority.HIGH}, False, False),
        (Conditions(channels=frozenset({Channel.CHAT})), {"channel": Channel.CHAT}, False, True),
        (Conditions(channels=frozenset({Channel.CHAT})), {}, False, False),
        (Conditions(team_ids=frozenset({"tier2"})), {"team_id": "tier2"}, False, True),
        (Conditions(team_ids=frozenset({"tier2"})), {"team_id": None}, False, False),
        (Conditions(organization_ids=frozenset({"acme"})), {"organization_id": "acme"}, False, True),
        (Conditions(organization_ids=frozenset({"acme"})), {"organization_id": "other"}, False, False),
        (Conditions(vip=True), {}, True, True),
        (Conditions(vip=True), {}, False, False),
        (Conditions(vip=False), {}, False, True),
        (
            Conditions(priorities=frozenset({Priority.URGENT}), vip=True),
            {"priority": Priority.URGENT},
            False,
            False,
        ),
    ],
)
def test_conditions_require_every_given_field(
    conditions: Conditions, values: dict[str, object], vip: bool, expected: bool
) -> None:
    assert conditions.matches(ticket(**values), vip) is expected


def test_select_policy_takes_the_first_match_in_order() -> None:
    vip = policy("vip", Conditions(vip=True))
    urgent = policy("urgent", Conditions(priorities=frozenset({Priority.URGENT})))
    default = policy("default")
    ordered = [vip, urgent, default]
    assert select_policy(ordered, ticket(priority=Priority.URGENT), vip=True) is vip
    assert select_policy(ordered, ticket(priority=Priority.URGENT), vip=False) is urgent
    assert select_policy(ordered, ticket(), vip=False) is default
    assert select_policy([default, urgent], ticket(priority=Priority.URGENT), vip=False) is default


def test_select_policy_returns_none_when_nothing_matches() -> None:
    assert select_policy([policy(conditions=Conditions(vip=True))], ticket(), vip=False) is None
    assert select_policy([], ticket(), vip=True) is None


def test_revise_makes_a_new_version_and_leaves_the_old_one_alone() -> None:
    v1 = policy()
    v2 = v1.revise(targets=(replace(FIRST, minutes=15),))
    assert (v2.id, v2.version) == ("p1", 2)
    assert v2.target("first_response") == replace(FIRST, minutes=15)
    assert v1.target("first_response") == FIRST
    assert v1.ref == PolicyRef("p1", 1)


def test_revise_validates_and_keeps_identity() -> None:
    with pytest.raises(ValueError, match="needs at least one target"):
        policy().revise(targets=())
    with pytest.raises(ValueError, match="keeps the policy id"):
        policy().revise(version=7)


def test_pinned_finds_the_exact_version_a_ticket_was_assigned() -> None:
    v1 = policy()
    v2 = v1.revise(name="renamed")
    assert pinned([v2, v1], PolicyRef("p1", 1)) is v1
    assert pinned([v2, v1], v2.ref) is v2
    with pytest.raises(LookupError, match="no version 3 of policy 'p1'"):
        pinned([v1, v2], PolicyRef("p1", 3))


def test_target_lookup_by_metric() -> None:
    assert policy().target("resolution") == RESOLUTION
    assert policy().target("next_response") is None
