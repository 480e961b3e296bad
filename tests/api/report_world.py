"""A worked desk for the report tests beyond the summary's own (exports, backlog, achievements, the page):
two tickets, one assigned to the agent and solved, one assigned to the admin and answered; every event counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.contract import Api
from tests.api.support import Desk


def count_reports(svc: Any) -> None:
    """Every entry written so far, as its event, through the reports queue's table."""
    from chalicelib.bootstrap.handlers import reports_table
    from chalicelib.core.resources import REPORT_EVENTS
    from chalicelib.events.envelope import envelope

    table = reports_table(svc)
    for entry in svc.ticket_repo.published:
        if entry.event in REPORT_EVENTS:
            for handler in table[entry.event]:
                handler(envelope(entry))


@pytest.fixture
def report_day() -> str:
    return datetime.now(UTC).date().isoformat()


@pytest.fixture
def reported(desk: Desk, admin_api: Api, agent: Any, admin: Any, memory_svc: Any) -> dict[str, Any]:
    first = desk.patch_ticket(desk.ticket(), assignee_id=agent.id)
    second = desk.patch_ticket(desk.ticket(requester_email="eve@customer.example"), assignee_id=admin.id)
    for ticket, status in ((first, "solved"), (second, None)):
        body = {"body": "Try again now.", "version": ticket["version"], **({"status": status} if status else {})}
        assert admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json=body).status in (200, 201)
    count_reports(memory_svc)
    return {"first": first, "second": second}
