"""The local stack as a user starts it (`lambdesk run`, what `make run` calls), driven over HTTP."""

from __future__ import annotations

import signal
import socket
import subprocess
import time

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import LAMBDESK, Stack, call
from tests.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.e2e


def test_the_stack_serves_the_seeded_desk_to_the_printed_token(stack: Stack) -> None:
    assert call(stack, "GET", "/health", token=None)[0] == 200
    assert call(stack, "GET", "/v1/tickets", token=None)[0] == 401
    status, page = call(stack, "GET", "/v1/tickets?view=status&status=open")
    assert status == 200 and len(page["items"]) >= 3
    status, me = call(stack, "GET", "/v1/me")
    assert status == 200 and me["role"] == "admin"
    status, document = call(stack, "GET", "/openapi.json", token=None)
    assert status == 200 and "/v1/tickets" in document["paths"]


def test_the_demo_desk_has_a_past_that_the_reports_show(stack: Stack) -> None:
    """The demo's tickets were written over days, answered in minutes and solved in hours, not all at one
    instant: a support lead opening the reports sees real durations, and nothing is overdue at startup."""
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    since = (today - timedelta(days=14)).isoformat()
    status, series = call(stack, "GET", f"/v1/reports/series?from={since}&to={today.isoformat()}")
    assert status == 200, series
    days = [day["date"] for day in series["days"] if day["tickets_created"]]
    assert len(days) >= 3, series  # created over several days
    status, summary = call(stack, "GET", f"/v1/reports/summary?from={since}&to={today.isoformat()}")
    assert status == 200, summary
    desk = summary["groups"][0]
    assert desk["first_reply_time"]["count"] >= 4 and 10 * 60 <= desk["first_reply_time"]["median_s"] <= 2 * 3600
    assert desk["resolution_time"]["count"] >= 4 and desk["resolution_time"]["p90_s"] >= 3600
    assert 0 < desk["fcr_rate"] < 1 and desk["csat"]["responses"] >= 2
    assert desk["sla"]["achieved"] > 0 and desk["sla"]["breached"] == 0  # the open ones fall due later


def test_the_seeded_help_articles_are_searchable_and_the_agents_only_one_stays_hidden(stack: Stack) -> None:
    status, found = call(stack, "GET", "/v1/kb/search?q=refund", token=None)
    assert status == 200 and found["items"][0]["title"] == "When will I get my refund?"
    status, anonymous = call(stack, "GET", "/v1/kb/search?q=escalating+incidents", token=None)
    assert status == 200 and all("Escalating" not in item["title"] for item in anonymous["items"])
    status, agent = call(stack, "GET", "/v1/kb/search?q=escalating+incidents")
    assert status == 200 and agent["items"][0]["title"] == "Escalating API incidents to L2"


def test_a_ticket_flows_through_the_api_and_its_events_reach_a_webhook(stack: Stack) -> None:
    with webhook_receiver() as receiver:
        status, hook = call(stack, "POST", "/v1/webhooks", {"url": receiver.url, "events": ["*"]})
        assert status == 201
        status, created = call(
            stack,
            "POST",
            "/v1/tickets",
            {
                "subject": "E2E: cannot export",
                "body": "Export hangs at 99%",
                "requester_email": "e2e@customer.example",
            },
        )
        assert status == 201
        ticket = created["ticket"]
        status, stale = call(
            stack, "PATCH", f"/v1/tickets/{ticket['id']}", {"priority": "high"}, headers={"If-Match": '"0"'}
        )
        # Routing may already have assigned it: the creation is what makes version 0 stale.
        assert status == 409 and stale["error"]["current_version"] >= 1
        assert stale["error"]["changes_since"][0]["event"] == "ticket.created"
        # The reply sets the status itself: whether the router opened the ticket first is a race.
        status, replied = call(
            stack,
            "POST",
            f"/v1/tickets/{ticket['id']}/replies",
            {"body": "Which browser?", "status": "pending", "version": 1},
        )
        assert status == 201 and replied["status"] == "pending"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            # What the API calls caused (routing and assignment by the system are checked elsewhere).
            events = [e for e in receiver.events() if e["ticket"]["id"] == ticket["id"]]
            mine = [e["type"] for e in events if e["actor"]["kind"] != "system"]
            if len(mine) >= 4:
                break
            time.sleep(0.2)
        assert sorted(mine) == ["message.added", "message.added", "ticket.created", "ticket.updated"]
        assert receiver.received[0].signed_with(hook["secret"])
        call(stack, "DELETE", f"/v1/webhooks/{hook['id']}")


def test_the_cli_mints_tokens_for_the_running_stack(stack: Stack) -> None:
    out = subprocess.run(
        [str(LAMBDESK), "token", "--email", "chloe@lambdesk.local"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    )
    status, me = call(stack, "GET", "/v1/me", token=out.stdout.strip())
    assert status == 200 and me["email"] == "chloe@lambdesk.local" and me["role"] == "agent"


def test_a_new_ticket_reaches_the_reports_through_the_worker_within_seconds(stack: Stack) -> None:
    from datetime import UTC, datetime

    today = datetime.now(UTC).date().isoformat()

    def created() -> int:
        status, report = call(stack, "GET", f"/v1/reports/summary?from={today}&to={today}&tz=UTC")
        assert status == 200, report
        return sum(g["tickets_created"] for g in report["groups"])

    before = created()
    status, _ = call(
        stack, "POST", "/v1/tickets", {"subject": "E2E: report me", "body": "Hi", "requester_email": "r@x.example"}
    )
    assert status == 201
    started = time.monotonic()
    while created() == before:
        assert time.monotonic() - started < 30, "the ticket did not reach the reports in 30 s"
        time.sleep(0.2)
    assert created() == before + 1


# Last in the module: it stops the stack the tests above share.
def test_ctrl_c_stops_everything(stack: Stack) -> None:
    port = int(stack.url.rsplit(":", 1)[1])
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=20) == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
