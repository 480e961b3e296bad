"""Routing and assignment end to end on the in-memory desk: rules, strategies, capacity, queues, sticky."""

from __future__ import annotations

import pytest

from chalicelib.domain.people import Availability, Strategy
from chalicelib.domain.tickets import Priority, Status
from chalicelib.domain.timeline import SYSTEM
from chalicelib.domain.views import View, ViewKind
from chalicelib.routing.config import RULE
from chalicelib.routing.outcomes import Drained
from tests.unit.desk.conftest import Desk


def rule_to(desk: Desk, team_id: str, keywords: list[str], **actions: object) -> str:
    doc = desk.configure(
        RULE,
        {
            "name": f"to {team_id}",
            "position": 1,
            "conditions": {"keywords": keywords},
            "actions": {"team_id": team_id, **actions},
        },
    )
    return str(doc.id)


def test_a_rule_routes_a_new_ticket_and_the_timeline_names_it(desk: Desk) -> None:
    billing = desk.team("Billing")
    rule_id = rule_to(desk, billing.id, ["invoice"], priority="high", add_tags=["billing"])
    ticket = desk.new_ticket(body="My invoice is wrong")
    desk.pump()
    routed = desk.of_type("ticket.routed")
    after = desk.ticket(ticket.id)
    assert (after.team_id, after.priority, after.tags) == (billing.id, Priority.HIGH, ("billing",))
    assert [(e["data"]["rule_id"], e["data"]["rule_name"]) for e in routed] == [(rule_id, f"to {billing.id}")]


def test_a_ticket_no_rule_matches_is_left_alone_but_routed_once(desk: Desk) -> None:
    rule_to(desk, desk.team("Billing").id, ["invoice"])
    ticket = desk.new_ticket(body="The app crashes")
    desk.pump(redeliver=True)
    routed = desk.of_type("ticket.routed")
    assert desk.ticket(ticket.id).team_id is None
    # Exactly one routed event, naming no rule: the moment triggers on ticket.created run.
    assert [(e["data"]["rule_id"], e["data"]["created_by"]["kind"]) for e in routed] == [(None, "system")]


def test_round_robin_rotates_and_records_why(desk: Desk) -> None:
    team = desk.team("Support", Strategy.ROUND_ROBIN)
    agents = sorted([desk.agent(n, (team.id,)) for n in ("Ann", "Bob", "Cid")], key=lambda a: a.id)
    tickets = [desk.new_ticket(team_id=team.id) for _ in range(4)]
    desk.pump()
    assignees = [desk.ticket(t.id).assignee_id for t in tickets]
    assert assignees == [agents[0].id, agents[1].id, agents[2].id, agents[0].id]
    reason = desk.of_type("ticket.assigned")[0]["data"]["reason"]
    assert reason["strategy"] == "round_robin" and len(reason["candidates"]) == 3
    assert desk.ticket(tickets[0].id).status is Status.OPEN


def test_least_loaded_picks_the_agent_with_fewest_open_tickets(desk: Desk) -> None:
    team = desk.team("Support", Strategy.LEAST_LOADED)
    busy = desk.agent("Busy", (team.id,))
    for _ in range(2):
        desk.new_ticket(team_id=team.id)
    desk.pump()
    free = desk.agent("Free", (team.id,))
    ticket = desk.new_ticket(team_id=team.id)
    desk.pump()
    assert desk.ticket(ticket.id).assignee_id == free.id
    loads = desk.svc.work_repo.loads([busy.id, free.id])
    assert (len(loads[busy.id]), len(loads[free.id])) == (2, 1)


def test_the_cap_holds_and_waiting_tickets_are_assigned_when_capacity_frees(desk: Desk) -> None:
    team = desk.team("Support", Strategy.LEAST_LOADED)
    ann = desk.agent("Ann", (team.id,), capacity=2)
    tickets = [desk.new_ticket(team_id=team.id) for _ in range(3)]
    desk.pump()
    assert [desk.ticket(t.id).assignee_id for t in tickets] == [ann.id, ann.id, None]
    waiting = desk.svc.tickets.view(View(ViewKind.TEAM_QUEUE, team.id), 10)
    assert [t.id for t in waiting.items] == [tickets[2].id]
    solved = desk.ticket(tickets[0].id)
    desk.svc.tickets.update(SYSTEM, solved.id, solved.version, {"status": "solved"})
    desk.pump()
    assert desk.ticket(tickets[2].id).assignee_id == ann.id
    assert desk.svc.work_repo.loads([ann.id])[ann.id] == frozenset({tickets[1].id, tickets[2].id})


def test_nobody_unavailable_is_assigned_and_the_sweep_assigns_when_they_come_online(desk: Desk) -> None:
    team = desk.team("Support", Strategy.ROUND_ROBIN)
    away = desk.agent("Away", (team.id,), availability=Availability.AWAY)
    desk.agent("Gone", (team.id,), active=False)
    ticket = desk.new_ticket(team_id=team.id)
    desk.pump()
    assert desk.ticket(ticket.id).assignee_id is None
    desk.svc.directory.update_agent(away.id, away.version, {"availability": Availability.ONLINE})

    from chalicelib.bootstrap.handlers import drain_queues

    assert drain_queues()["assigned_from_queues"] == 1
    assert desk.ticket(ticket.id).assignee_id == away.id


def test_an_agent_coming_online_picks_up_their_teams_waiting_tickets_at_once(desk: Desk) -> None:
    from chalicelib.events.envelope import agent_available

    support, billing, other = desk.team("Support"), desk.team("Billing"), desk.team("Other")
    away = desk.agent("Away", (support.id, billing.id), capacity=2, availability=Availability.AWAY)
    desk.agent("Busy", (other.id,), availability=Availability.OFFLINE)
    tickets = [desk.new_ticket(team_id=team.id) for team in (support, billing, support, other)]
    desk.pump()
    assert [desk.ticket(t.id).assignee_id for t in tickets] == [None] * 4
    online = desk.svc.directory.update_agent(away.id, away.version, {"availability": Availability.ONLINE})
    event = agent_available(online.id, list(online.teams), online.version)
    assert desk.svc.router().on_agent_available(event) == Drained(2)
    # Oldest first across their teams, up to the cap; other teams' tickets keep waiting.
    assert [desk.ticket(t.id).assignee_id for t in tickets] == [away.id, away.id, None, None]
    assert desk.svc.router().on_agent_available(event) == Drained(0)  # a redelivery


def test_an_agent_announced_online_counts_even_if_the_agent_listing_lags_behind(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.events.envelope import agent_available

    team = desk.team("Support")
    away = desk.agent("Away", (team.id,), availability=Availability.AWAY)
    ticket = desk.new_ticket(team_id=team.id)
    desk.pump()
    stale_listing = desk.svc.directory_repo.list_agents(10, None)  # the index as it was: Away is away
    online = desk.svc.directory.update_agent(away.id, away.version, {"availability": Availability.ONLINE})
    monkeypatch.setattr(desk.svc.directory_repo, "list_agents", lambda limit, start: stale_listing)
    event = agent_available(online.id, list(online.teams), online.version)
    assert desk.svc.router().on_agent_available(event) == Drained(1)
    assert desk.ticket(ticket.id).assignee_id == away.id


def test_outside_working_hours_an_agent_is_skipped(desk: Desk) -> None:
    team = desk.team("Support", Strategy.ROUND_ROBIN)
    # 10:00 UTC is 19:00 in Tokyo: after a 09:00-17:00 day there.
    desk.agent("Tokyo", (team.id,), time_zone="Asia/Tokyo", working_hours=((0, "09:00", "17:00"),))
    berlin = desk.agent("Berlin", (team.id,), time_zone="Europe/Berlin", working_hours=((0, "09:00", "17:00"),))
    ticket = desk.new_ticket(team_id=team.id)
    desk.pump()
    assert desk.ticket(ticket.id).assignee_id == berlin.id


def test_skills_strategy_needs_every_skill_a_rule_asked_for(desk: Desk) -> None:
    team = desk.team("Support", Strategy.SKILLS)
    desk.agent("English", (team.id,))
    german = desk.agent("German", (team.id,), skills=("de",))
    rule_to(desk, team.id, ["bitte"], skills=["de"])
    ticket = desk.new_ticket(body="Hilfe bitte")
    desk.pump()
    assert (desk.ticket(ticket.id).skills, desk.ticket(ticket.id).assignee_id) == (("de",), german.id)


def test_a_waiting_ticket_nobody_has_the_skills_for_does_not_hold_up_the_queue_behind_it(desk: Desk) -> None:
    team = desk.team("Support", Strategy.SKILLS)
    ann = desk.agent("Ann", (team.id,), capacity=1)
    rule_to(desk, team.id, ["bitte"], skills=["de"])
    first = desk.new_ticket(body="It broke", team_id=team.id)
    german = desk.new_ticket(body="Hilfe bitte", team_id=team.id)
    english = desk.new_ticket(body="Me too", team_id=team.id)
    desk.pump()
    assert [desk.ticket(t.id).assignee_id for t in (first, german, english)] == [ann.id, None, None]
    solved = desk.ticket(first.id)
    desk.svc.tickets.update(SYSTEM, solved.id, solved.version, {"status": "solved"})
    desk.pump()
    # Ann has room again: the German ticket still waits for someone who speaks German, the next one is hers.
    assert [desk.ticket(t.id).assignee_id for t in (german, english)] == [None, ann.id]


def test_a_customer_with_an_open_ticket_sticks_to_its_assignee_and_the_tickets_are_linked(desk: Desk) -> None:
    team = desk.team("Support", Strategy.ROUND_ROBIN)
    for name in ("Ann", "Bob", "Cid"):
        desk.agent(name, (team.id,))
    first = desk.new_ticket(team_id=team.id, email="dora@x.example")
    desk.pump()
    second = desk.new_ticket(subject="Another thing", email="dora@x.example", channel="portal")
    desk.pump()
    one, two = desk.ticket(first.id), desk.ticket(second.id)
    assert (two.team_id, two.assignee_id) == (one.team_id, one.assignee_id)
    assert one.id in two.related_ids and two.id in one.related_ids
    assert desk.of_type("ticket.assigned")[-1]["data"]["reason"]["sticky"] is True


def test_a_first_contact_mail_is_routed_without_looking_for_the_customers_open_tickets(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = desk.team("Support", Strategy.ROUND_ROBIN)
    desk.agent("Ann", (team.id,))
    rule_to(desk, team.id, ["help"])
    queried: list[str] = []
    real = desk.svc.ticket_repo.list_view
    monkeypatch.setattr(
        desk.svc.ticket_repo, "list_view", lambda view, *a, **k: queried.append(view.kind) or real(view, *a, **k)
    )
    first = desk.new_ticket(body="help me", message_data={"first_contact": True})
    second = desk.new_ticket(body="help me too")
    desk.pump()
    assert queried == [ViewKind.REQUESTER]  # only the second ticket looked for siblings
    assert desk.ticket(first.id).assignee_id is not None and desk.ticket(second.id).team_id == team.id


def test_routing_decides_on_the_requester_as_the_creation_wrote_them_down_without_reading_them(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = desk.team("Billing", Strategy.ROUND_ROBIN)
    desk.agent("Ann", (team.id,))
    desk.configure(
        RULE,
        {
            "name": "billing customers",
            "position": 1,
            "conditions": {"requester_emails": ["pay@x.example"]},
            "actions": {"team_id": team.id},
        },
    )
    ticket = desk.new_ticket(email="pay@x.example")
    reads: list[str] = []
    real = desk.svc.customer_repo.get_customer
    monkeypatch.setattr(desk.svc.customer_repo, "get_customer", lambda i: reads.append(i) or real(i))
    desk.pump()
    assert desk.ticket(ticket.id).team_id == team.id and desk.ticket(ticket.id).assignee_id is not None
    assert ticket.requester_id not in reads


def test_a_redelivered_creation_routes_and_assigns_once(desk: Desk) -> None:
    team = desk.team("Support", Strategy.ROUND_ROBIN)
    desk.agent("Ann", (team.id,))
    desk.agent("Bob", (team.id,))
    rule_to(desk, team.id, ["help"])
    ticket = desk.new_ticket(body="help me")
    desk.pump(redeliver=True)
    assert len(desk.of_type("ticket.routed")) == 1
    assert len(desk.of_type("ticket.assigned")) == 1
    assert desk.ticket(ticket.id).assignee_id is not None


def test_an_escalated_ticket_moves_to_the_next_tier_and_is_assigned_there(desk: Desk) -> None:
    l2 = desk.team("L2", Strategy.ROUND_ROBIN)
    l1 = desk.team("L1", Strategy.ROUND_ROBIN, escalation_team_id=l2.id)
    desk.agent("First", (l1.id,))
    expert = desk.agent("Expert", (l2.id,))
    ticket = desk.new_ticket(team_id=l1.id)
    desk.pump()
    current = desk.ticket(ticket.id)
    desk.svc.tickets.escalate(SYSTEM, ticket.id, current.version, "needs a database expert")
    desk.pump()
    after = desk.ticket(ticket.id)
    assert (after.team_id, after.assignee_id) == (l2.id, expert.id)
    escalated = desk.of_type("ticket.escalated")
    assert escalated[0]["data"] == {"from_team_id": l1.id, "to_team_id": l2.id, "reason": "needs a database expert"}


def test_a_team_chosen_at_creation_stands_but_the_rules_other_actions_apply(desk: Desk) -> None:
    billing, support = desk.team("Billing"), desk.team("Support")
    rule_to(desk, billing.id, ["invoice"], priority="high")
    ticket = desk.new_ticket(body="invoice question", team_id=support.id)
    desk.pump()
    after = desk.ticket(ticket.id)
    assert (after.team_id, after.priority) == (support.id, Priority.HIGH)
