"""The report API: summary and series in JSON and CSV, who sees what, and 400s naming the field.
Every response is checked against the OpenAPI document."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.contract import Api
from tests.api.support import Desk


def pump_reports(svc: Any) -> int:
    """Every entry written so far, as its event, through the reports queue's table (each twice)."""
    from chalicelib.bootstrap.handlers import reports_table
    from chalicelib.core.resources import REPORT_EVENTS
    from chalicelib.events.envelope import envelope

    table, counted = reports_table(svc), 0
    for entry in svc.ticket_repo.published:
        if entry.event in REPORT_EVENTS:
            for handler in (*table[entry.event], *table[entry.event]):
                handler(envelope(entry))
            counted += 1
    return counted


@pytest.fixture
def today() -> str:
    return datetime.now(UTC).date().isoformat()


@pytest.fixture
def worked(desk: Desk, admin_api: Api, agent: Any, admin: Any, memory_svc: Any) -> dict[str, Any]:
    """Two tickets: one the agent answered and solved, one the admin answered."""
    first = desk.ticket()
    first = desk.patch_ticket(first, assignee_id=agent.id)
    second = desk.ticket(requester_email="eve@customer.example")
    second = desk.patch_ticket(second, assignee_id=admin.id)
    for ticket, status in ((first, "solved"), (second, None)):
        body = {"body": "Try again now.", "version": ticket["version"], **({"status": status} if status else {})}
        assert admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json=body).status in (200, 201)
    assert pump_reports(memory_svc) > 0
    return {"first": first, "second": second}


def test_the_summary_counts_the_desks_tickets_and_their_times(admin_api: Api, worked: Any, today: str) -> None:
    reply = admin_api.get("/v1/reports/summary", query={"from": today, "to": today})
    assert reply.status == 200, reply.json
    body = reply.json
    assert (body["from"], body["to"], body["tz"], body["group_by"]) == (today, today, "UTC", None)
    assert 0.024 < body["error_bound"] < 0.025
    (group,) = body["groups"]
    assert (group["key"], group["tickets_created"], group["tickets_solved"], group["replies"]) == ("all", 2, 1, 2)
    # Agents created both: their first reply waits for the customer's own first message (none yet).
    assert group["first_reply_time"]["count"] == 0 and group["resolution_time"]["count"] == 1
    assert group["fcr_rate"] == 1.0 and group["reopen_rate"] == 0.0


def test_grouped_by_agent_admins_see_every_agent_and_an_agent_only_their_own_row(
    admin_api: Api, agent_api: Api, worked: Any, agent: Any, admin: Any, today: str
) -> None:
    query = {"from": today, "to": today, "group_by": "agent"}
    everyone = {g["key"]: g["tickets_solved"] for g in admin_api.get("/v1/reports/summary", query=query).json["groups"]}
    assert everyone[agent.id] == 1 and everyone[admin.id] == 0
    own = agent_api.get("/v1/reports/summary", query=query).json["groups"]
    assert [g["key"] for g in own] == [agent.id]
    other = agent_api.get("/v1/reports/series", query={**query, "key": admin.id})
    assert other.status == 403


def test_the_summary_as_csv_has_a_row_per_group(admin_api: Api, worked: Any, today: str) -> None:
    query = {"from": today, "to": today, "group_by": "channel", "format": "csv"}
    reply = admin_api.get("/v1/reports/summary", query=query)
    assert reply.status == 200 and reply.header("content-type").startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.body.decode())))
    assert [(r["channel"], r["tickets_created"], r["tickets_solved"]) for r in rows] == [("api", "2", "1")]


def test_the_series_has_every_day_of_the_range_empty_days_too(admin_api: Api, worked: Any, today: str) -> None:
    day = datetime.fromisoformat(today).date()
    first = day.replace(day=1)
    reply = admin_api.get("/v1/reports/series", query={"from": first.isoformat(), "to": today})
    assert reply.status == 200
    days = reply.json["days"]
    assert days[0]["date"] == first.isoformat() and len(days) == day.day
    assert days[-1]["tickets_created"] == 2 and sum(d["tickets_created"] for d in days) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "2026-11-30"}, "query.from"),
        ({"from": "2026-11-31", "to": "2026-12-01"}, "query.from"),
        ({"from": "1764547200", "to": "2026-12-01"}, "query.from"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "query.to"),
        ({"from": "2025-01-01", "to": "2026-12-01"}, "query.to"),
        ({"from": "2026-11-01", "to": "2026-11-30", "tz": "Mars/Olympus"}, "query.tz"),
        ({"from": "2026-11-01", "to": "2026-11-30", "tz": "Asia/Kolkata"}, "query.tz"),
        ({"from": "2026-11-01", "to": "2026-11-30", "group_by": "customer"}, "query.group_by"),
        ({"from": "2026-11-01", "to": "2026-11-30", "format": "xml"}, "query.format"),
        ({"from": "2026-11-01", "to": "2026-11-30", "limit": "5"}, "query.limit"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_field(admin_api: Api, query: dict[str, str], field: str) -> None:
    reply = admin_api.get("/v1/reports/summary", query=query)
    assert reply.status == 400 and reply.error_fields == [field], reply.json


def test_a_zone_with_the_desks_offsets_is_answered(admin_api: Api) -> None:
    reply = admin_api.get("/v1/reports/summary", query={"from": "2026-11-01", "to": "2026-11-30", "tz": "Etc/UTC"})
    assert reply.status == 200 and reply.json["tz"] == "Etc/UTC"


def test_a_series_by_group_needs_the_groups_key(admin_api: Api) -> None:
    query = {"from": "2026-11-01", "to": "2026-11-30", "group_by": "team"}
    reply = admin_api.get("/v1/reports/series", query=query)
    assert reply.status == 400 and reply.error_fields == ["query.key"]


def test_reports_need_an_agents_token(api: Api) -> None:
    assert api.get("/v1/reports/summary", query={"from": "2026-11-01", "to": "2026-11-30"}).status == 401


def test_the_desks_summary_and_csv_carry_the_knowledge_bases_day_and_groups_leave_it_null(
    api: Api, admin_api: Api, memory_svc: Any, tmp_path: Any, today: str
) -> None:
    from tests.api.test_kb_api import rebuild, write

    memory_svc.kb.cache.check_seconds, memory_svc.kb.cache.directory = 0.0, tmp_path / "kb"
    article = write(admin_api, status="published")
    rebuild(admin_api)
    assert api.get("/v1/kb/search", query={"q": "pin", "viewer": "viewer-0001"}).status == 200  # one impression
    assert api.get("/v1/kb/search", query={"q": "zzzz qqqq", "viewer": "viewer-0001"}).status == 200  # nothing found
    assert api.post("/v1/kb/clicks", json={"article_id": article["id"], "position": 1}).status == 204
    assert api.get(f"/v1/kb/published/{article['slug']}", query={"viewer": "viewer-0001"}).status == 200
    assert api.post("/v1/kb/deflections", json={"article_id": article["id"], "viewer": "viewer-0001"}).status == 204

    (desk,) = admin_api.get("/v1/reports/summary", query={"from": today, "to": today}).json["groups"]
    assert desk["deflections"] == {"explicit": 1, "probable": 0} and desk["chats_missed"] == 0  # no portal reader
    kb = desk["kb"]
    assert (kb["searches"], kb["impressions"], kb["zero_results"], kb["clicks"], kb["views"]) == (2, 1, 1, 1, 1)
    assert (kb["click_through_rate"], kb["zero_result_rate"]) == (1.0, 0.5)
    (row,) = csv.DictReader(io.StringIO(admin_api.get(
        "/v1/reports/summary", query={"from": today, "to": today, "format": "csv"}
    ).body.decode()))  # fmt: skip
    assert (row["deflections_explicit"], row["deflections_probable"], row["kb_zero_results"]) == ("1", "0", "1")
    grouped = admin_api.get("/v1/reports/summary", query={"from": today, "to": today, "group_by": "channel"})
    assert all(g["kb"] is None and g["deflections"] is None for g in grouped.json["groups"])
    (day,) = admin_api.get("/v1/reports/series", query={"from": today, "to": today}).json["days"]
    assert day["kb"]["searches"] == 2 and day["deflections"]["explicit"] == 1
