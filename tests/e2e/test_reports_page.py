"""The reports page in a real browser against the running local stack: an agent signed in with a mailed link
and a TOTP code sees the desk's figures (after the event path counted the tickets), SVG charts with tables, the
backlog and their achievements; switches to business hours and a grouping; downloads the XLSX (opened and
checked); reads it in Russian; axe finds nothing serious; desktop and phone screenshots in
test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible, screenshot
from tests.e2e.conftest import Stack, call
from tests.e2e.test_chat import sign_in_agent

pytestmark = pytest.mark.e2e


def work(stack: Stack, today: str) -> None:
    """Three tickets: one answered and solved, one answered and pending, one new; wait until reports count them."""
    for n, status in enumerate(("solved", "pending", None)):
        body = {"subject": f"Report case {n}", "body": "Hello", "requester_email": f"r{n}@customer.example"}
        code, created = call(stack, "POST", "/v1/tickets", body)
        assert code == 201, created
        ticket = created["ticket"]
        if status:
            reply = {"body": "Done?", "status": status, "version": ticket["version"]}
            for _ in range(5):  # routing may change the ticket first: take its version again
                code, found = call(stack, "POST", f"/v1/tickets/{ticket['id']}/replies", reply)
                if code != 409:
                    break
                reply["version"] = found["error"]["current_version"]
            assert code == 201, found
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, report = call(stack, "GET", f"/v1/reports/summary?from={today}&to={today}")
        groups = report["groups"]
        if groups and groups[0]["tickets_created"] >= 3 and groups[0]["tickets_solved"] >= 1:
            return
        time.sleep(0.3)
    raise AssertionError(f"the reports did not count the tickets in 60 s: {report}")


def test_the_reports_page(stack: Stack, open_page: Callable[..., Page]) -> None:
    today = datetime.now(UTC).date().isoformat()
    work(stack, today)
    page = open_page()
    sign_in_agent(stack, page)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    created = page.locator(".figure").filter(has_text="Tickets created").locator(".figure-value")
    assert int(created.inner_text()) >= 3
    expect(page.get_by_role("img", name="Tickets created and solved per day")).to_be_visible()
    expect(page.get_by_role("heading", name="Backlog now")).to_be_visible()
    expect(page.get_by_text("Solved and stayed solved")).to_be_visible()
    # a note opens on every figure
    note = page.locator(".figure").first.get_by_text("How is this computed?")
    note.click()
    expect(page.locator(".figure").first.get_by_text("Tickets created on these days")).to_be_visible()
    # the table alternative of a chart
    page.get_by_text("Show the numbers as a table").first.click()
    expect(page.get_by_role("row").filter(has_text=today)).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "reports-page")

    page.get_by_label("Business hours").check()
    page.get_by_label("Group by").select_option("channel")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"basis=business.*group_by=channel"))
    expect(page.get_by_role("heading", name="By channel")).to_be_visible()
    expect(page.locator("p.hint").filter(has_text="Business seconds count only the working hours")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    saved = download.value
    assert saved.suggested_filename.endswith("-business.xlsx")  # through a presigned URL of the local S3
    book = load_workbook(io.BytesIO(saved.path().read_bytes()), read_only=True)
    header, *rows = [list(r) for r in book["Report"].iter_rows(values_only=True)]
    assert header[:2] == ["channel", "tickets_created"] and rows and all(isinstance(r[1], int) for r in rows)
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["basis"] == "business" and about["group_by"] == "channel"
    assert_accessible(page)
    screenshot(page, "reports-page-business")

    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", name="Отчёты", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Созданные и решённые заявки по дням")).to_be_visible()
    expect(page.get_by_role("heading", name="Невыполненные заявки сейчас")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "reports-page-ru")
