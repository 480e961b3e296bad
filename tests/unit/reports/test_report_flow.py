"""The reports consumer end to end on the in-memory desk: real ticket writes, the SLA sweep, redelivery."""

from __future__ import annotations

from datetime import date

from chalicelib.bootstrap.handlers import sla_sweep
from chalicelib.domain.tickets import Status
from chalicelib.sla.config import POLICY
from tests.unit.reports.conftest import Desk, pump_reports, team_agent

DAY = date(2026, 11, 23)


def test_a_ticket_answered_late_and_solved_counts_once_however_often_its_events_arrive(desk: Desk) -> None:
    desk.configure(POLICY, {"name": "Standard", "targets": [{"metric": "first_response", "minutes": 60}]})
    team, ann = team_agent(desk)
    ticket = desk.new_ticket(team_id=team.id)
    desk.svc.tickets.update(ann, ticket.id, ticket.version, {"assignee_id": ann.id})
    pump_reports(desk)
    desk.clock.advance(minutes=90)
    assert sla_sweep()["fired"] == 1
    desk.svc.tickets.reply(ann, ticket.id, desk.ticket(ticket.id).version, "Done", status=Status.SOLVED)
    assert pump_reports(desk) == 3  # sla.breached, the reply, the solve

    (desk_wide,) = desk.svc.reports.queries.summary(DAY, DAY, None, None)
    f = desk_wide.figures
    assert (desk_wide.key, f.tickets_created, f.tickets_solved, f.replies, f.fcr) == ("all", 1, 1, 1, 1)
    assert (f.first_reply_time.count, f.first_reply_time.total_s) == (1, 5400)
    assert f.first_reply_time.median_s is not None and abs(f.first_reply_time.median_s - 5400) <= 0.0247 * 5400
    assert (f.sla_achieved, f.sla_breached, f.sla_compliance) == (0, 1, 0.0)
    assert [(t.target, t.achieved, t.breached) for t in f.sla_targets] == [("first_response", 0, 1)]
    by_agent = desk.svc.reports.queries.summary(DAY, DAY, None, "agent")
    assert {g.key: g.figures.tickets_solved for g in by_agent} == {"none": 0, ann.id: 1}
    assert {g.key: g.figures.tickets_created for g in by_agent} == {"none": 1, ann.id: 0}


def test_an_event_that_makes_nothing_true_writes_nothing(desk: Desk) -> None:
    team, ann = team_agent(desk)
    ticket = desk.new_ticket(team_id=team.id)
    pump_reports(desk)
    writes = desk.svc.repos.reports.writes
    desk.svc.tickets.update(ann, ticket.id, ticket.version, {"tags": ["vip"]})
    assert pump_reports(desk) == 1
    assert desk.svc.repos.reports.writes == writes


def test_an_event_whose_entry_the_read_does_not_show_yet_fails_so_sqs_delivers_it_again(desk: Desk) -> None:
    import json

    import pytest

    from chalicelib.bootstrap.handlers import consume
    from chalicelib.reports.aggregator import NotVisibleYet

    ticket = desk.new_ticket()
    aggregator = desk.svc.reports.aggregator()
    unseen = {"id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "type": "message.added", "ticket": {"id": ticket.id}}
    with pytest.raises(NotVisibleYet):
        aggregator.on_event(unseen)
    with pytest.raises(NotVisibleYet):
        aggregator.on_event({**unseen, "ticket": {"id": "01YYYYYYYYYYYYYYYYYYYYYYYY"}})
    record = {
        "messageId": "m-1",
        "receiptHandle": "r",
        "body": json.dumps(unseen),
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:lambdesk-test-reports",
        "awsRegion": "us-east-1",
    }
    assert consume("reports", {"Records": [record]}) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert desk.svc.repos.reports.writes == 0
