"""Time-based automations, triggers and macros end to end on the in-memory desk."""

from __future__ import annotations

from chalicelib.automations.config import MACRO, TRIGGER
from chalicelib.bootstrap.handlers import timers_sweep
from chalicelib.core.resources import DUE_TIMER
from chalicelib.domain.people import Strategy
from chalicelib.domain.tickets import Priority, Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.routing.config import RULE
from tests.unit.desk.conftest import Desk


def agent_actor(desk: Desk) -> Actor:
    team = desk.team("Support", Strategy.MANUAL)
    return Actor(ActorKind.AGENT, desk.agent("Ann", (team.id,)).id)


def set_status(desk: Desk, actor: Actor, ticket_id: str, status: str) -> None:
    desk.svc.tickets.update(actor, ticket_id, desk.ticket(ticket_id).version, {"status": status})
    desk.pump()


def test_a_solved_ticket_closes_after_four_days_and_not_before(desk: Desk) -> None:
    ann = agent_actor(desk)
    ticket = desk.new_ticket()
    desk.pump()
    set_status(desk, ann, ticket.id, "solved")
    desk.clock.advance(days=3, hours=23)
    assert timers_sweep()["due"] == 0
    desk.clock.advance(hours=2)
    assert timers_sweep()["outcomes"] == {"close": 1}
    assert desk.ticket(ticket.id).status is Status.CLOSED
    assert timers_sweep()["due"] == 0  # closed: no timer left in the index


def test_reopening_a_solved_ticket_cancels_the_auto_close(desk: Desk) -> None:
    ann = agent_actor(desk)
    ticket = desk.new_ticket()
    desk.pump()
    set_status(desk, ann, ticket.id, "solved")
    set_status(desk, ann, ticket.id, "open")
    desk.clock.advance(days=10)
    assert timers_sweep()["due"] == 0 and desk.ticket(ticket.id).status is Status.OPEN


def test_a_pending_ticket_is_reminded_then_solved(desk: Desk) -> None:
    ann = agent_actor(desk)
    ticket = desk.new_ticket()
    desk.pump()
    set_status(desk, ann, ticket.id, "pending")
    desk.clock.advance(days=3, minutes=1)
    assert timers_sweep()["outcomes"] == {"remind": 1}
    desk.pump()
    reminded = desk.of_type("ticket.reminded")
    assert len(reminded) == 1 and reminded[0]["data"]["solve_at"].startswith("2026-11-30")
    assert desk.svc.work_repo.get_due(DUE_TIMER, ticket.id).state["action"] == "solve"
    desk.clock.advance(days=4)
    assert timers_sweep()["outcomes"] == {"solve": 1}
    assert desk.ticket(ticket.id).status is Status.SOLVED


def test_a_customer_reply_to_a_pending_ticket_cancels_the_reminder(desk: Desk) -> None:
    ann = agent_actor(desk)
    ticket = desk.new_ticket()
    desk.pump()
    set_status(desk, ann, ticket.id, "pending")
    customer = desk.svc.customer_repo.get_customer(ticket.requester_id)
    desk.svc.tickets.customer_message(customer, ticket.id, "Here is the log", "email")
    desk.pump()
    desk.clock.advance(days=5)
    assert timers_sweep()["due"] == 0 and desk.of_type("ticket.reminded") == []


def test_team_settings_change_the_timers(desk: Desk) -> None:
    team = desk.team("Fast", Strategy.MANUAL, auto_close_days=1)
    ann = Actor(ActorKind.AGENT, desk.agent("Ann", (team.id,)).id)
    ticket = desk.new_ticket(team_id=team.id)
    desk.pump()
    set_status(desk, ann, ticket.id, "solved")
    desk.clock.advance(days=1, minutes=1)
    assert timers_sweep()["outcomes"] == {"close": 1}


def test_a_trigger_fires_once_per_event_even_when_redelivered(desk: Desk) -> None:
    desk.configure(
        TRIGGER,
        {
            "name": "VIP words",
            "position": 1,
            "conditions": {"events": ["ticket.created"], "actor_kinds": ["system"]},
            "actions": {"set_fields": {"priority": "urgent"}, "add_tags": ["escalated"]},
        },
    )
    ticket = desk.new_ticket()
    desk.pump(redeliver=True)
    after = desk.ticket(ticket.id)
    assert (after.priority, after.tags) == (Priority.URGENT, ("escalated",))
    changed = [e for e in desk.of_type("ticket.updated") if (e["data"] or {}).get("trigger_id")]
    assert len(changed) == 1 and changed[0]["actor"]["id"].startswith("trigger:")


def test_two_triggers_that_undo_each_other_do_not_loop(desk: Desk) -> None:
    for name, add, remove in (("add", "a", "b"), ("swap", "b", "a")):
        desk.configure(
            TRIGGER,
            {
                "name": name,
                "position": 1,
                "conditions": {"events": ["ticket.created", "ticket.updated"]},
                "actions": {"add_tags": [add], "remove_tags": [remove]},
            },
        )
    desk.new_ticket()
    events = desk.pump()
    fired = [e for e in events if (e["data"] or {}).get("trigger_id")]
    assert len(fired) == 2  # each trigger once for the original event, then the chain stops


def test_a_trigger_sends_a_canned_reply_and_notifies_agents(desk: Desk) -> None:
    ann = agent_actor(desk)
    macro = desk.configure(
        MACRO, {"name": "Thanks", "body": "Hello {{ requester.first_name }}, ticket {{ ticket.number }} is in."}
    )
    desk.configure(
        TRIGGER,
        {
            "name": "welcome",
            "position": 1,
            "conditions": {"events": ["ticket.created"]},
            "actions": {"reply_macro_id": macro.id, "notify_agent_ids": [ann.id]},
        },
    )
    ticket = desk.new_ticket(email="dora.diaz@x.example", requester_name="Dora Diaz")
    desk.pump()
    replies = [e for e in desk.of_type("message.added") if e["actor"]["kind"] == "system"]
    assert [r["body_preview"] for r in replies] == [f"Hello Dora, ticket {ticket.number} is in."]
    assert replies[0]["public"] is True
    assert desk.of_type("trigger.notified")[0]["data"]["notify_agent_ids"] == [ann.id]
    assert desk.ticket(ticket.id).first_response_at is None  # automatic mail is not the agents' response


def test_a_macro_replies_and_changes_fields_in_one_write(desk: Desk) -> None:
    ann = agent_actor(desk)
    doc = desk.configure(
        MACRO,
        {
            "name": "Need logs",
            "body": "Hi {{ requester.name }}, please send logs.",
            "set_fields": {"status": "pending"},
            "add_tags": ["logs"],
        },
    )
    ticket = desk.new_ticket(email="eve@x.example", requester_name="Eve Example")
    desk.pump()
    before = desk.ticket(ticket.id)
    after = desk.svc.macros.apply(ann, ticket.id, before.version, doc.id, "Ann")
    assert (after.status, after.tags, after.version) == (Status.PENDING, ("logs",), before.version + 1)
    events = desk.pump()
    assert [e["type"] for e in events][:2] == ["message.added", "ticket.updated"]
    assert events[0]["body_preview"] == "Hi Eve Example, please send logs."


def vip_rule_and_trigger(desk: Desk) -> None:
    desk.configure(
        RULE,
        {
            "name": "VIP words",
            "position": 1,
            "enabled": True,
            "conditions": {"keywords": ["contract"]},
            "actions": {"add_tags": ["key-account"]},
        },
    )
    desk.configure(
        TRIGGER,
        {
            "name": "Key accounts are urgent",
            "position": 1,
            "enabled": True,
            "conditions": {"events": ["ticket.created"], "tags_any": ["key-account"]},
            "actions": {"set_fields": {"priority": "urgent"}},
        },
    )


def test_a_created_trigger_sees_the_tag_a_routing_rule_added(desk: Desk) -> None:
    vip_rule_and_trigger(desk)
    ticket = desk.new_ticket(body="About our contract renewal")
    desk.pump()
    after = desk.ticket(ticket.id)
    assert ("key-account" in after.tags, after.priority) == (True, Priority.URGENT)
    # Rules first, then triggers: the trigger's change comes after the routed event in the timeline.
    routed_at = next(i for i, e in enumerate(desk.events) if e["type"] == "ticket.routed")
    fired_at = [i for i, e in enumerate(desk.events) if (e["actor"]["id"] or "").startswith("trigger:")]
    assert fired_at and routed_at < fired_at[0]


def test_a_created_trigger_fires_once_even_when_no_rule_matches(desk: Desk) -> None:
    desk.configure(
        TRIGGER,
        {
            "name": "Tag new",
            "position": 1,
            "enabled": True,
            "conditions": {"events": ["ticket.created"]},
            "actions": {"add_tags": ["new-one"]},
        },
    )
    ticket = desk.new_ticket(body="Nothing special")
    desk.pump(redeliver=True)
    assert desk.ticket(ticket.id).tags == ("new-one",)
    fired = [e for e in desk.events if e["actor"]["id"] and e["actor"]["id"].startswith("trigger:")]
    assert len(fired) == 1


def test_a_created_trigger_without_the_routed_tag_does_not_fire(desk: Desk) -> None:
    vip_rule_and_trigger(desk)
    ticket = desk.new_ticket(body="A plain question")
    desk.pump()
    assert desk.ticket(ticket.id).priority is Priority.NORMAL


def test_a_solve_is_read_once_by_the_survey_and_timer_keepers_together(desk: Desk) -> None:
    from chalicelib.bootstrap.handlers import automations_table
    from chalicelib.events.dispatch import Consumer
    from chalicelib.events.envelope import envelope

    ann = agent_actor(desk)
    ticket = desk.new_ticket()
    desk.pump()
    desk.svc.tickets.update(ann, ticket.id, desk.ticket(ticket.id).version, {"status": "solved"})
    reads: list[str] = []
    work, tickets = desk.svc.work_repo, desk.svc.ticket_repo
    head, get = work.ticket_head, tickets.get
    work.ticket_head = lambda ticket_id: reads.append("head") or head(ticket_id)
    tickets.get = lambda ticket_id, consistent=False: reads.append("get") or get(ticket_id, consistent)
    table = automations_table(desk.svc)
    for entry in desk.svc.ticket_repo.published[desk.delivered :]:
        Consumer("automations", lambda: table).handle(table, envelope(entry))
    assert reads == ["get"]
    assert desk.svc.work_repo.get_due(DUE_TIMER, ticket.id).state["action"] == "close"
