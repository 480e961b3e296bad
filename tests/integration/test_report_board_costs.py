"""What the backlog and achievements cost on DynamoDB (moto), request by request: Queries, never a Scan, and
a number that follows the backlog (capped) or the months touched, not the table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.reports import backlog as backlog_module
from chalicelib.reports.achievements import achievements
from chalicelib.reports.backlog import backlog
from chalicelib.tickets.service import NewTicket
from tests.integration.test_report_costs import requests


def test_the_backlog_is_one_query_per_unsolved_status_and_never_reads_solved_tickets(
    dynamo_svc: Any, monkeypatch: Any
) -> None:
    svc = dynamo_svc
    ann = Actor(ActorKind.AGENT, svc.directory.create_agent("ann@desk.example", "Ann").id)
    made = [
        svc.tickets.create(ann, NewTicket(subject=f"Case {n}", body_text="Hi", requester_email=f"c{n}@x.example"))[0]
        for n in range(6)
    ]
    for ticket in made[:3]:  # solved: in the by_status index under "solved", never read
        svc.tickets.reply(ann, ticket.id, ticket.version, "Done", status=Status.SOLVED)
    svc.tickets.update(ann, made[3].id, made[3].version, {"status": Status.PENDING})
    later = svc.clock() + timedelta(hours=30)
    with requests(svc) as seen:
        found = backlog(svc.ticket_repo, lambda: later)
    assert seen == ["Query"] * 4 and found.queries == 4 and found.complete
    assert found.total == 3 and found.by_age()["1d_3d"] == 3
    assert sum(found.counts["pending"].values()) == 1
    # Past the cap a status stops at its pages and says so: the cost stays bounded.
    monkeypatch.setattr(backlog_module, "PAGE", 1)
    monkeypatch.setattr(backlog_module, "MAX_PER_STATUS", 1)
    with requests(svc) as capped:
        found = backlog(svc.ticket_repo, lambda: later)
    assert "Scan" not in capped and not found.complete and sum(found.counts["new"].values()) == 1


def test_achievements_read_one_query_per_month_touched(dynamo_svc: Any) -> None:
    svc = dynamo_svc
    today = svc.clock().date()
    with requests(svc) as seen:
        achievements(svc.repos.reports, "someone", today)
    touched = 1 if (today - timedelta(days=29)).month == today.month else 2
    assert seen == ["Query"] * touched
