"""Routing rules: each condition both ways, first-match order, keyword matching, business hours across DST,
the changes a rule makes, and the document form with its error messages."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.domain.tickets import Channel, Priority, Ticket, TicketType
from chalicelib.domain.timeline import SYSTEM
from chalicelib.routing.rules import (
    Facts,
    RoutingRule,
    RuleActions,
    RuleConditions,
    changes_for,
    first_match,
    rule_from_doc,
    rule_to_doc,
    validate_rule,
)

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday: 11:00 in Berlin
BERLIN_9_17 = BusinessCalendar("Europe/Berlin", {d: (Interval(time(9), time(17)),) for d in range(5)})
CALENDARS = {"berlin": BERLIN_9_17}
TO_BILLING = RuleActions(team_id="billing")


def ticket(**values: Any) -> Ticket:
    return replace(Ticket("t1", 1, "Question about my invoice", "c1", Channel.EMAIL, T0, T0), **values)


def facts(**values: Any) -> Facts:
    base = Facts(
        ticket(), "Hello, I was charged twice.", ("support@acme.test",), "ann@example.com", False, T0, CALENDARS
    )
    return replace(base, **values)


def rule(rid: str = "r1", position: int = 0, conditions: RuleConditions | None = None, **values: Any) -> RoutingRule:
    return replace(RoutingRule(rid, f"Rule {rid}", position, conditions or RuleConditions(), TO_BILLING), **values)


def holds(conditions: RuleConditions, situation: Facts) -> bool:
    return first_match([rule(conditions=conditions)], situation) is not None


# --- conditions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "situation", "expected"),
    [
        (RuleConditions(channels=frozenset({Channel.EMAIL})), facts(), True),
        (RuleConditions(channels=frozenset({Channel.PORTAL, Channel.CHAT})), facts(), False),
        (
            RuleConditions(recipients=frozenset({"billing@acme.test"})),
            facts(recipients=("x@y", "Billing@ACME.test")),
            True,
        ),
        (RuleConditions(recipients=frozenset({"billing@acme.test"})), facts(), False),
        (
            RuleConditions(requester_emails=frozenset({"ann@example.com"})),
            facts(requester_email=" Ann@Example.COM"),
            True,
        ),
        (RuleConditions(requester_emails=frozenset({"bob@example.com"})), facts(), False),
        (RuleConditions(requester_emails=frozenset({"ann@example.com"})), facts(requester_email=None), False),
        (RuleConditions(requester_domains=frozenset({"example.com"})), facts(requester_email="ann@EXAMPLE.com"), True),
        (RuleConditions(requester_domains=frozenset({"example.com"})), facts(requester_email="ann@example.org"), False),
        (RuleConditions(requester_domains=frozenset({"example.com"})), facts(requester_email="example.com"), False),
        (RuleConditions(requester_domains=frozenset({"example.com"})), facts(requester_email=None), False),
        (RuleConditions(organization_ids=frozenset({"o1"})), facts(ticket=ticket(organization_id="o1")), True),
        (RuleConditions(organization_ids=frozenset({"o1"})), facts(), False),
        (RuleConditions(vip=True), facts(vip=True), True),
        (RuleConditions(vip=True), facts(ticket=ticket(vip=True)), True),
        (RuleConditions(vip=True), facts(), False),
        (RuleConditions(vip=False), facts(), True),
        (RuleConditions(vip=False), facts(vip=True), False),
        (RuleConditions(tags_any=frozenset({"refund", "billing"})), facts(ticket=ticket(tags=("a", "refund"))), True),
        (RuleConditions(tags_any=frozenset({"refund", "billing"})), facts(ticket=ticket(tags=("a",))), False),
        (RuleConditions(priorities=frozenset({Priority.HIGH})), facts(ticket=ticket(priority=Priority.HIGH)), True),
        (RuleConditions(priorities=frozenset({Priority.HIGH})), facts(), False),
        (RuleConditions(keywords=("invoice",)), facts(), True),
        (RuleConditions(keywords=("refund",)), facts(), False),
    ],
)
def test_each_condition_holds_only_for_matching_facts(
    conditions: RuleConditions, situation: Facts, expected: bool
) -> None:
    assert holds(conditions, situation) is expected


def test_every_given_condition_must_hold() -> None:
    both = RuleConditions(channels=frozenset({Channel.EMAIL}), vip=True)
    assert holds(both, facts(vip=True))
    assert not holds(both, facts(vip=True, ticket=ticket(channel=Channel.PORTAL)))
    assert not holds(both, facts(vip=False))


def test_a_rule_without_conditions_matches_every_ticket() -> None:
    assert holds(RuleConditions(), facts(requester_email=None, recipients=()))


# --- keywords -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "subject", "body", "expected"),
    [
        ("refund", "Refund!", "", True),
        ("refund", "subject", "I would like a REFUND, please.", True),
        ("refund", "I was refunded", "no refunds here", False),
        ("refund", "nonrefund", "refund_request", False),
        ("credit card", "", "my Credit\n   Card was declined", True),
        ("credit card", "", "my credit-card was declined", False),
        ("a.b", "", "axb", False),
        ("c++", "", "we use C++ daily", True),
        ("$100", "", "I paid $100.", True),
        ("café", "", "LE CAFÉ!", True),
        ("café", "", "deux cafés", False),
        ("café", "", "un cafe\u0301 noir", True),  # decomposed é (NFD) in the text
        ("größe", "", "Welche GRÖSSE?", True),  # full Unicode case folding: ß ~ ss
        ("straße", "", "Hauptstraße 5", False),  # glued to letters on the left
        ("über", "", "Überweisung fehlgeschlagen", False),  # glued to letters on the right
    ],
)
def test_keywords_are_whole_words_case_insensitive_and_unicode_aware(
    keyword: str, subject: str, body: str, expected: bool
) -> None:
    situation = facts(ticket=ticket(subject=subject), body_text=body)
    assert holds(RuleConditions(keywords=(keyword,)), situation) is expected


def test_any_keyword_is_enough() -> None:
    assert holds(RuleConditions(keywords=("chargeback", "invoice")), facts())


# --- business hours -----------------------------------------------------------------------------------------------

BERLIN_HOURS = RuleConditions(business_hours=True, calendar_id="berlin")
BERLIN_CLOSED = RuleConditions(business_hours=False, calendar_id="berlin")


@pytest.mark.parametrize(
    ("now", "open_"),
    [
        (datetime(2026, 3, 2, 10, tzinfo=UTC), True),  # Monday 11:00 CET
        (datetime(2026, 3, 2, 16, 30, tzinfo=UTC), False),  # Monday 17:30 CET
        (datetime(2026, 3, 7, 10, tzinfo=UTC), False),  # Saturday
        # Clocks go forward on Sunday 29 March: the same UTC times fall differently either side.
        (datetime(2026, 3, 27, 7, 30, tzinfo=UTC), False),  # Friday 08:30 CET
        (datetime(2026, 3, 30, 7, 30, tzinfo=UTC), True),  # Monday 09:30 CEST
        (datetime(2026, 3, 27, 15, 30, tzinfo=UTC), True),  # Friday 16:30 CET
        (datetime(2026, 3, 30, 15, 30, tzinfo=UTC), False),  # Monday 17:30 CEST
    ],
)
def test_business_hours_condition_follows_the_calendar_in_its_own_time_zone(now: datetime, open_: bool) -> None:
    assert holds(BERLIN_HOURS, facts(now=now)) is open_
    assert holds(BERLIN_CLOSED, facts(now=now)) is not open_


@pytest.mark.parametrize(
    "situation",
    [
        facts(calendars={}),
        facts(calendars={"berlin": replace(BERLIN_9_17, time_zone="Mars/Olympus")}),
        facts(now=datetime(2026, 3, 2, 10)),  # naive
    ],
    ids=["missing calendar", "invalid calendar", "naive now"],
)
def test_business_hours_condition_is_false_either_way_when_it_cannot_be_evaluated(situation: Facts) -> None:
    assert not holds(BERLIN_HOURS, situation)
    assert not holds(BERLIN_CLOSED, situation)


# --- first match --------------------------------------------------------------------------------------------------


def test_first_match_goes_by_position_then_id_not_by_list_order() -> None:
    rules = [rule("c", 2), rule("b", 1), rule("a", 1)]
    assert first_match(rules, facts()) == rule("a", 1)


def test_first_match_skips_rules_whose_conditions_fail() -> None:
    portal = rule("a", 0, RuleConditions(channels=frozenset({Channel.PORTAL})))
    assert first_match([portal, rule("b", 1)], facts()) == rule("b", 1)


def test_disabled_rules_are_skipped() -> None:
    assert first_match([rule("a", 0, enabled=False), rule("b", 5)], facts()) == rule("b", 5)
    assert first_match([rule("a", 0, enabled=False)], facts()) is None


def test_no_match_is_none() -> None:
    assert first_match([], facts()) is None
    assert first_match([rule(conditions=RuleConditions(vip=True))], facts()) is None


# --- changes ------------------------------------------------------------------------------------------------------


def test_changes_merge_tags_and_skills_as_sorted_lowercase_unions() -> None:
    actions = RuleActions(add_tags=(" Refund", "billing"), skills=("DE",))
    current = ticket(tags=("billing", "urgent"), skills=("billing",))
    assert changes_for(rule(actions=actions), current) == {
        "tags": ("billing", "refund", "urgent"),
        "skills": ("billing", "de"),
    }


def test_changes_leave_out_fields_that_already_have_the_value() -> None:
    actions = RuleActions(
        team_id="billing", priority=Priority.HIGH, type=TicketType.INCIDENT, add_tags=("a",), vip=True
    )
    same = ticket(team_id="billing", priority=Priority.HIGH, type=TicketType.INCIDENT, tags=("a", "b"), vip=True)
    assert changes_for(rule(actions=actions), same) == {}
    assert changes_for(rule(actions=actions), ticket()) == {
        "team_id": "billing",
        "priority": Priority.HIGH,
        "type": TicketType.INCIDENT,
        "tags": ("a",),
        "vip": True,
    }


def test_vip_false_never_clears_the_flag() -> None:
    assert changes_for(rule(actions=RuleActions(team_id="billing", vip=False)), ticket(vip=True)) == {
        "team_id": "billing"
    }


def test_changes_apply_to_the_ticket() -> None:
    actions = RuleActions(team_id="billing", priority=Priority.URGENT, add_tags=("refund",), skills=("de",), vip=True)
    updated, entries = ticket(tags=("x",)).change(SYSTEM, T0, **changes_for(rule(actions=actions), ticket(tags=("x",))))
    assert (updated.team_id, updated.priority, updated.tags, updated.skills, updated.vip) == (
        "billing",
        Priority.URGENT,
        ("refund", "x"),
        ("de",),
        True,
    )
    assert [e.event for e in entries] == ["ticket.updated"]


# --- documents ----------------------------------------------------------------------------------------------------

FULL = RoutingRule(
    "r7",
    "German VIP refunds in hours",
    3,
    RuleConditions(
        channels=frozenset({Channel.EMAIL, Channel.PORTAL}),
        recipients=frozenset({"billing@acme.test"}),
        requester_emails=frozenset({"ann@example.com"}),
        requester_domains=frozenset({"example.de"}),
        organization_ids=frozenset({"Org-1"}),
        vip=True,
        tags_any=frozenset({"refund"}),
        priorities=frozenset({Priority.HIGH, Priority.URGENT}),
        keywords=("Rückerstattung", "money back"),
        business_hours=True,
        calendar_id="berlin",
    ),
    RuleActions("billing-de", Priority.URGENT, TicketType.PROBLEM, ("refund", "vip"), ("billing", "de"), True),
    enabled=False,
)


def test_document_is_json_and_round_trips() -> None:
    doc = rule_to_doc(FULL)
    assert rule_from_doc(json.loads(json.dumps(doc))) == FULL
    assert doc["conditions"]["priorities"] == ["high", "urgent"]
    assert doc["actions"]["type"] == "problem"


def test_document_leaves_out_unset_conditions_and_actions() -> None:
    assert rule_to_doc(rule()) == {
        "id": "r1",
        "name": "Rule r1",
        "position": 0,
        "enabled": True,
        "conditions": {},
        "actions": {"team_id": "billing"},
    }
    assert rule_from_doc({"id": "r1", "name": "Rule r1", "position": 0, "actions": {"team_id": "billing"}}) == rule()


def test_document_values_are_normalised() -> None:
    parsed = rule_from_doc(
        {
            "id": "r1",
            "name": "n",
            "position": 0,
            "conditions": {
                "requester_emails": [" Ann@Example.COM"],
                "requester_domains": ["@Example.COM"],
                "tags_any": ["VIP"],
                "keywords": [" refund "],
            },
            "actions": {"add_tags": ["B", "a", "b"], "skills": [" DE"]},
        }
    )
    assert parsed.conditions == RuleConditions(
        requester_emails=frozenset({"ann@example.com"}),
        requester_domains=frozenset({"example.com"}),
        tags_any=frozenset({"vip"}),
        keywords=("refund",),
    )
    assert parsed.actions == RuleActions(add_tags=("a", "b"), skills=("de",))


def _doc(**values: Any) -> dict[str, Any]:
    return {"id": "r1", "name": "n", "position": 0, "actions": {"team_id": "t"}, **values}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_doc(conditions={"priorities": ["hgh"]}), "conditions.priorities: unknown priority 'hgh'"),
        (_doc(conditions={"channels": ["fax"]}), "conditions.channels: unknown channel 'fax'"),
        (_doc(conditions={"channels": "email"}), "conditions.channels: expected a list, got 'email'"),
        (_doc(conditions={"colour": "red"}), "conditions.colour: unknown field"),
        (_doc(conditions={"vip": "yes"}), "conditions.vip: expected true or false, got 'yes'"),
        (_doc(conditions={"keywords": "refund"}), "conditions.keywords: expected a list of strings, got 'refund'"),
        (_doc(conditions={"tags_any": ["a", 1]}), "conditions.tags_any: expected a list of strings, got ['a', 1]"),
        (_doc(conditions={"calendar_id": 5}), "conditions.calendar_id: expected a string, got 5"),
        (_doc(conditions=[]), "conditions: expected an object, got list"),
        (_doc(actions={"type": "bug"}), "actions.type: unknown type 'bug'"),
        (_doc(actions={"priority": "HIGH"}), "actions.priority: unknown priority 'HIGH'"),
        (_doc(actions={"team": "t"}), "actions.team: unknown field"),
        (_doc(enabeld=False), "enabeld: unknown field"),
        (_doc(enabled="no"), "enabled: expected true or false, got 'no'"),
        (_doc(position="1"), "position: expected a whole number, got '1'"),
        (_doc(position=True), "position: expected a whole number, got True"),
        ({"name": "n", "position": 0}, "id: required"),
        (_doc(name=None), "name: required"),
    ],
)
def test_bad_documents_name_the_field_and_the_problem(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as refused:
        rule_from_doc(doc)
    assert str(refused.value) == message


_SET = st.frozensets(st.sampled_from(["a", "b@x.test", "c.test"]), min_size=1)
_OPT_SET = st.none() | _SET


@given(
    conditions=st.builds(
        RuleConditions,
        channels=st.none() | st.frozensets(st.sampled_from(Channel), min_size=1),
        recipients=_OPT_SET,
        requester_emails=_OPT_SET,
        requester_domains=_OPT_SET,
        organization_ids=_OPT_SET,
        vip=st.none() | st.booleans(),
        tags_any=_OPT_SET,
        priorities=st.none() | st.frozensets(st.sampled_from(Priority), min_size=1),
        keywords=st.none() | st.lists(st.sampled_from(["refund", "money back", "Größe"]), min_size=1).map(tuple),
        business_hours=st.none() | st.booleans(),
        calendar_id=st.none() | st.just("berlin"),
    ),
    actions=st.builds(
        RuleActions,
        team_id=st.none() | st.just("t"),
        priority=st.none() | st.sampled_from(Priority),
        type=st.none() | st.sampled_from(TicketType),
        add_tags=st.lists(st.sampled_from(["a", "b"]), unique=True).map(lambda v: tuple(sorted(v))),
        skills=st.lists(st.sampled_from(["de", "fr"]), unique=True).map(lambda v: tuple(sorted(v))),
        vip=st.none() | st.booleans(),
    ),
    position=st.integers(-5, 5),
    enabled=st.booleans(),
)
def test_any_normalised_rule_round_trips_through_json(
    conditions: RuleConditions, actions: RuleActions, position: int, enabled: bool
) -> None:
    original = RoutingRule("r", "name", position, conditions, actions, enabled)
    assert rule_from_doc(json.loads(json.dumps(rule_to_doc(original)))) == original


# --- validation ---------------------------------------------------------------------------------------------------


def test_a_complete_rule_is_valid() -> None:
    validate_rule(FULL, {"berlin"})


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (replace(FULL, actions=RuleActions()), "actions: at least one action is required"),
        (replace(FULL, actions=RuleActions(vip=False)), "actions: at least one action is required"),
        (replace(FULL, actions=RuleActions(team_id=" ")), "actions.team_id: must not be empty"),
        (replace(FULL, actions=RuleActions(add_tags=("",))), "actions.add_tags: a value must not be empty"),
        (
            replace(FULL, conditions=RuleConditions(business_hours=True)),
            "conditions.calendar_id: required when business_hours is set",
        ),
        (
            replace(FULL, conditions=RuleConditions(business_hours=False, calendar_id="paris")),
            "conditions.calendar_id: unknown calendar 'paris'",
        ),
        (
            replace(FULL, conditions=RuleConditions(keywords=("refund", " "))),
            "conditions.keywords: a keyword must not be empty",
        ),
        (
            replace(FULL, conditions=RuleConditions(keywords=())),
            "conditions.keywords: must not be empty (leave it out to match any)",
        ),
        (
            replace(FULL, conditions=RuleConditions(channels=frozenset())),
            "conditions.channels: must not be empty (leave it out to match any)",
        ),
        (replace(FULL, name="  "), "name: must not be empty"),
        (replace(FULL, id=""), "id: must not be empty"),
    ],
)
def test_invalid_rules_are_refused_with_the_field_and_the_problem(broken: RoutingRule, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        validate_rule(broken, {"berlin"})
    assert str(refused.value) == message
