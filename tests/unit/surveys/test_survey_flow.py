"""Surveys end to end on the in-memory desk: due times, the checks made when due, the facts recorded."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.bootstrap.handlers import survey_sweep
from chalicelib.core.resources import DUE_SURVEY
from chalicelib.domain.people import Role
from chalicelib.domain.tickets import Channel
from tests.unit.surveys.conftest import Desk, agent_of, solved_ticket, survey_events


def settings_for(desk: Desk, team_id: str, **body: object) -> None:
    admin = desk.svc.directory.create_agent(f"admin-{team_id.lower()}@agents.example", "Ada", Role.ADMIN)
    desk.svc.surveys.settings.put(admin.id, team_id, 0, body)


def test_a_solved_ticket_gets_its_survey_a_day_later_not_before(desk: Desk) -> None:
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id)
    assert desk.svc.work_repo.get_due(DUE_SURVEY, ticket.id).due_at == ticket.solved_at + timedelta(hours=24)
    desk.clock.advance(hours=23, minutes=59)
    assert survey_sweep() == {"due": 0, "outcomes": {}}
    desk.clock.advance(minutes=1)
    assert survey_sweep() == {"due": 1, "outcomes": {"sent": 1}}
    (requested,) = survey_events(desk)
    assert requested["actor"] == {"kind": "system", "id": "surveys"}
    assert requested["data"]["delivery"] == "mail" and requested["data"]["solved_at"] == ticket.solved_at.isoformat()
    assert desk.svc.work_repo.get_due(DUE_SURVEY, ticket.id).due_at is None  # out of the index
    assert survey_sweep()["due"] == 0


def test_a_ticket_reopened_before_its_survey_is_due_gets_none(desk: Desk) -> None:
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id)
    customer = desk.svc.customer_repo.get_customer(ticket.requester_id)
    desk.clock.advance(hours=3)
    desk.svc.tickets.customer_message(customer, ticket.id, "Still broken", "email")
    desk.pump()
    assert desk.svc.work_repo.get_due(DUE_SURVEY, ticket.id).due_at is None
    desk.clock.advance(days=3)
    assert survey_sweep()["due"] == 0 and survey_events(desk) == []


def test_a_second_solve_gets_its_own_survey_timed_from_the_second_solve(desk: Desk) -> None:
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id)
    desk.clock.advance(hours=2)
    desk.svc.tickets.update(ann, ticket.id, desk.ticket(ticket.id).version, {"status": "open"})
    desk.clock.advance(hours=1)
    desk.svc.tickets.update(ann, ticket.id, desk.ticket(ticket.id).version, {"status": "solved"})
    desk.pump()
    desk.clock.advance(hours=22)  # 25 h after the first solve, 22 h after the second
    assert survey_sweep()["due"] == 0
    desk.clock.advance(hours=2)
    assert survey_sweep()["outcomes"] == {"sent": 1}
    (requested,) = survey_events(desk)
    assert requested["data"]["solved_at"] == desk.ticket(ticket.id).solved_at.isoformat()


def test_redelivered_events_and_repeated_sweeps_send_one_survey(desk: Desk) -> None:
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id)
    desk.pump(redeliver=True)
    desk.clock.advance(hours=25)
    survey_sweep()
    desk.pump(redeliver=True)
    # A sweep that read the index before the first one cleared it: the claim of this solve refuses it.
    from chalicelib.storage.ports import DueItem

    desk.svc.work_repo.put_due(DueItem(DUE_SURVEY, ticket.id, desk.clock.now, {}, desk.ticket(ticket.id).version))
    assert survey_sweep()["outcomes"] == {"surveyed for this solve already": 1}
    assert len(survey_events(desk)) == 1


def test_no_survey_without_a_public_agent_reply(desk: Desk) -> None:
    team, ann = agent_of(desk)
    ticket = desk.new_ticket(email="quiet@customer.example", team_id=team.id, channel=Channel.EMAIL)
    desk.svc.tickets.note(ann, ticket.id, ticket.version, "Duplicate of #1")
    desk.svc.tickets.update(ann, ticket.id, desk.ticket(ticket.id).version, {"status": "solved"})
    desk.pump()
    desk.clock.advance(hours=25)
    assert survey_sweep()["outcomes"] == {"no public agent reply": 1}
    assert survey_events(desk) == []


def test_a_customer_surveyed_in_the_last_seven_days_is_not_asked_again(desk: Desk) -> None:
    team, ann = agent_of(desk)
    solved_ticket(desk, ann, team.id, subject="First")
    desk.clock.advance(hours=25)
    assert survey_sweep()["outcomes"] == {"sent": 1}
    solved_ticket(desk, ann, team.id, subject="Second")
    desk.clock.advance(hours=25)  # the second is due two days after the first survey
    assert survey_sweep()["outcomes"] == {"customer surveyed recently": 1}
    desk.clock.advance(days=6)
    solved_ticket(desk, ann, team.id, subject="Third")
    desk.clock.advance(hours=25)  # more than seven days after the first survey
    assert survey_sweep()["outcomes"] == {"sent": 1}
    assert len(survey_events(desk)) == 2


def test_only_mail_and_portal_tickets_are_surveyed(desk: Desk) -> None:
    team, ann = agent_of(desk)
    for n, channel in enumerate((Channel.PORTAL, Channel.CHAT, Channel.API, Channel.PHONE)):
        solved_ticket(desk, ann, team.id, email=f"c{n}@customer.example", channel=channel)
    desk.clock.advance(hours=25)
    assert survey_sweep()["outcomes"] == {"sent": 1}  # chat, API and phone tickets were never due
    (requested,) = survey_events(desk)
    assert desk.ticket(requested["ticket"]["id"]).channel is Channel.PORTAL


def test_rules_include_and_exclude_tickets_by_tag_team_and_organization(desk: Desk) -> None:
    team, ann = agent_of(desk)
    settings_for(desk, "default", exclude={"tags": ["legal"]})
    settings_for(desk, team.id, include={"channels": ["email"]}, exclude={"organization_ids": ["ORG1"]})
    kept = solved_ticket(desk, ann, team.id, email="a@customer.example", tags=("billing",))
    solved_ticket(desk, ann, team.id, email="b@customer.example", channel=Channel.PORTAL)  # not included
    other, bob = agent_of(desk, "Billing")
    solved_ticket(desk, bob, other.id, email="c@customer.example", tags=("legal",))  # default: excluded
    desk.clock.advance(hours=25)
    assert survey_sweep()["outcomes"] == {"sent": 1, "excluded by the rules": 2}
    assert [e["ticket"]["id"] for e in survey_events(desk)] == [kept.id]


def test_team_settings_set_the_delay_and_can_turn_surveys_off(desk: Desk) -> None:
    fast, ann = agent_of(desk, "Fast")
    quiet, bob = agent_of(desk, "Quiet")
    settings_for(desk, fast.id, delay_hours=0)
    settings_for(desk, quiet.id, enabled=False)
    ticket = solved_ticket(desk, ann, fast.id, email="a@customer.example")
    solved_ticket(desk, bob, quiet.id, email="b@customer.example")
    desk.clock.advance(seconds=1)
    assert survey_sweep()["outcomes"] == {"sent": 1}
    desk.clock.advance(days=5)
    assert survey_sweep()["due"] == 0
    assert [e["ticket"]["id"] for e in survey_events(desk)] == [ticket.id]


def test_the_survey_keeps_the_assignee_and_team_the_ticket_had_when_solved(desk: Desk) -> None:
    team, ann = agent_of(desk)
    other, bob = agent_of(desk, "Billing")
    ticket = solved_ticket(desk, ann, team.id)
    desk.clock.advance(hours=1)
    desk.svc.tickets.update(bob, ticket.id, desk.ticket(ticket.id).version, {"assignee_id": bob.id})
    desk.svc.tickets.update(bob, ticket.id, desk.ticket(ticket.id).version, {"team_id": other.id})
    desk.pump()
    desk.clock.advance(hours=24)
    survey_sweep()
    (requested,) = survey_events(desk)
    survey = desk.svc.survey_repo.get(requested["data"]["survey_id"])
    assert (survey.assignee_id, survey.team_id, survey.channel) == (ann.id, team.id, "email")
    assert (survey.ticket_number, survey.customer_id) == (ticket.number, ticket.requester_id)
    assert survey.answerable_until == survey.sent_at + timedelta(days=14)


def test_a_ticket_closed_before_its_survey_is_due_gets_none(desk: Desk) -> None:
    team, ann = agent_of(desk)
    ticket = solved_ticket(desk, ann, team.id)
    desk.svc.tickets.update(ann, ticket.id, desk.ticket(ticket.id).version, {"status": "closed"})
    desk.pump()
    desk.clock.advance(hours=25)
    assert survey_sweep()["due"] == 0 and survey_events(desk) == []


def test_without_a_public_address_for_links_nothing_is_sent(desk: Desk) -> None:
    team, ann = agent_of(desk)
    solved_ticket(desk, ann, team.id)
    desk.svc.settings = desk.svc.settings.replace(portal_url=None)
    desk.clock.advance(hours=25)
    assert survey_sweep()["outcomes"] == {"no public address for survey links": 1}
