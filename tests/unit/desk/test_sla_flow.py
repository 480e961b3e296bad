"""SLA policies, alerts and breach actions end to end on the in-memory desk, with a settable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.bootstrap.handlers import sla_sweep
from chalicelib.config.calendars import CALENDAR
from chalicelib.core.resources import DUE_SLA
from chalicelib.domain.people import Strategy
from chalicelib.domain.tickets import Priority
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.sla.config import POLICY
from tests.unit.desk.conftest import Desk

OFFICE = {
    "name": "Berlin office",
    "time_zone": "Europe/Berlin",
    "week": {d: [["09:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-11-24"],
}


def policy(desk: Desk, minutes: int = 60, business: bool = False, **extra: Any) -> Any:
    body: dict[str, Any] = {
        "name": "Standard",
        "targets": [{"metric": "first_response", "minutes": minutes, "business": business}],
        **extra,
    }
    if business:
        body["calendar_id"] = desk.configure(CALENDAR, OFFICE).id
    return desk.configure(POLICY, body)


def sla_state(desk: Desk, ticket_id: str) -> Any:
    return desk.svc.work_repo.get_due(DUE_SLA, ticket_id)


def test_a_new_ticket_gets_its_policy_and_due_time_in_the_index(desk: Desk) -> None:
    doc = policy(desk, minutes=60)
    ticket = desk.new_ticket()
    desk.pump()
    state = sla_state(desk, ticket.id)
    assert (state.state["policy_id"], state.state["policy_version"]) == (doc.id, 1)
    assert state.state["metrics"]["first_response"]["due_at"] == "2026-11-23T11:00:00+00:00"
    assert state.due_at == datetime(2026, 11, 23, 10, 45, tzinfo=UTC)  # the 75 % warning comes first


def test_warning_then_breach_fire_exactly_once_each(desk: Desk) -> None:
    team = desk.team("Support", Strategy.MANUAL)
    ann = desk.agent("Ann", (team.id,))
    policy(desk, minutes=60)
    ticket = desk.new_ticket(team_id=team.id, assignee_id=ann.id)
    desk.pump()
    desk.clock.advance(minutes=44)
    assert sla_sweep()["due"] == 0  # nothing is read before it is due
    desk.clock.advance(minutes=2)
    assert sla_sweep()["fired"] == 1
    assert sla_sweep() == {"due": 0, "fired": 0, "failed": 0}
    desk.clock.advance(minutes=15)
    assert sla_sweep()["fired"] == 1
    desk.clock.advance(minutes=30)
    assert sla_sweep()["fired"] == 0
    desk.pump()
    warnings, breaches = desk.of_type("sla.warning"), desk.of_type("sla.breached")
    assert [(e["data"]["metric"], e["data"]["notify_agent_ids"]) for e in warnings] == [("first_response", [ann.id])]
    assert len(breaches) == 1 and breaches[0]["data"]["due_at"] == "2026-11-23T11:00:00+00:00"
    assert sla_state(desk, ticket.id).due_at is None  # nothing else will fall due: out of the index


def test_a_reply_in_time_meets_the_target_and_nothing_fires(desk: Desk) -> None:
    team = desk.team("Support", Strategy.MANUAL)
    ann = desk.agent("Ann", (team.id,))
    policy(desk, minutes=60)
    ticket = desk.new_ticket(team_id=team.id, assignee_id=ann.id)
    desk.pump()
    desk.clock.advance(minutes=30)
    desk.svc.tickets.reply(Actor(ActorKind.AGENT, ann.id), ticket.id, desk.ticket(ticket.id).version, "On it")
    desk.pump()
    desk.clock.advance(hours=5)
    assert sla_sweep()["due"] == 0
    state = sla_state(desk, ticket.id)
    assert state.due_at is None and state.state["metrics"]["first_response"]["met_at"] is not None


def test_pending_pauses_the_clock_and_the_customer_reply_resumes_it(desk: Desk) -> None:
    team = desk.team("Support", Strategy.MANUAL)
    ann = desk.agent("Ann", (team.id,))
    policy(desk, minutes=60, targets=[{"metric": "resolution", "minutes": 60, "business": False}])
    ticket = desk.new_ticket(team_id=team.id, assignee_id=ann.id)
    desk.pump()
    desk.clock.advance(minutes=20)
    desk.svc.tickets.update(
        Actor(ActorKind.AGENT, ann.id), ticket.id, desk.ticket(ticket.id).version, {"status": "pending"}
    )
    desk.pump()
    assert sla_state(desk, ticket.id).due_at is None  # paused: nothing can fall due
    desk.clock.advance(hours=10)
    customer = desk.svc.customer_repo.get_customer(ticket.requester_id)
    desk.svc.tickets.customer_message(customer, ticket.id, "Still broken", "email")
    desk.pump()
    # 20 minutes ran before the pause: 40 remain from the reply, warning at 45 of 60 minutes.
    resumed = desk.clock.now
    state = sla_state(desk, ticket.id)
    expected = resumed.replace(microsecond=0) + timedelta(minutes=40)
    assert state.state["metrics"]["resolution"]["due_at"] == expected.isoformat()


def test_business_hours_targets_fall_due_inside_working_time_skipping_holidays_and_lunch(desk: Desk) -> None:
    policy(desk, minutes=240, business=True)
    desk.clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 16:00 in Berlin, one hour left
    ticket = desk.new_ticket()
    desk.pump()
    due = sla_state(desk, ticket.id).state["metrics"]["first_response"]["due_at"]
    # 1 h Monday, Tuesday is a holiday, then Wednesday 09:00-12:00: due Wednesday 12:00 Berlin = 11:00 UTC.
    assert due == "2026-11-25T11:00:00+00:00"
    warn = datetime.fromisoformat(sla_state(desk, ticket.id).state["metrics"]["first_response"]["warn_at"])
    assert warn == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 3 of 4 hours: Wednesday 11:00 Berlin, not midnight


def test_a_breach_raises_priority_and_escalates_to_the_next_tier(desk: Desk) -> None:
    l2 = desk.team("L2", Strategy.ROUND_ROBIN)
    lead = desk.agent("Lead", (l2.id,))
    l1 = desk.team("L1", Strategy.MANUAL, escalation_team_id=l2.id, lead_id=lead.id)
    ann = desk.agent("Ann", (l1.id,))
    policy(desk, minutes=30, breach_actions=["raise_priority", "escalate", "notify_lead"])
    ticket = desk.new_ticket(team_id=l1.id, assignee_id=ann.id)
    desk.pump()
    desk.clock.advance(minutes=31)
    sla_sweep()
    desk.pump()
    after = desk.ticket(ticket.id)
    assert (after.priority, after.team_id, after.assignee_id) == (Priority.HIGH, l2.id, lead.id)
    breach = desk.of_type("sla.breached")[0]["data"]
    assert ann.id in breach["notify_agent_ids"] and lead.id in breach["notify_agent_ids"]
    assert breach["actions"] == {"priority": "high", "team_id": l2.id, "assignee_id": None}


def test_editing_a_policy_does_not_rewrite_a_running_clock(desk: Desk) -> None:
    doc = policy(desk, minutes=60)
    old = desk.new_ticket()
    desk.pump()
    desk.svc.documents.replace(
        "admin-1",
        POLICY,
        doc.id,
        1,
        {**doc.body, "targets": [{"metric": "first_response", "minutes": 10, "business": False}]},
    )
    new = desk.new_ticket()
    desk.pump()
    desk.svc.tickets.note(
        Actor(ActorKind.AGENT, "x"), old.id, desk.ticket(old.id).version, "touch"
    )  # an event on the old one
    desk.pump()
    assert sla_state(desk, old.id).state["policy_version"] == 1
    assert sla_state(desk, old.id).state["metrics"]["first_response"]["target_minutes"] == 60
    assert sla_state(desk, new.id).state["policy_version"] == 2
    assert sla_state(desk, new.id).state["metrics"]["first_response"]["target_minutes"] == 10
