"""The reports page through the test client: behind the agent web sign-in; figures with a note on how each is
computed, SVG charts with a title, a description and a table; backlog; achievements; CSV and XLSX downloads
on the basis asked; an agent grouped by agent sees their own row; English and Russian."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

PAGE = "/portal/agent/reports"


def signed_in(memory_svc: Any, agent: Any) -> dict[str, str]:
    """Headers of a browser holding an agent web session (as the TOTP step leaves it)."""
    from chalicelib.chat.agent_web import SESSION_TTL, digest
    from chalicelib.storage import keys
    from chalicelib.web.cookies import cookie_name

    token = f"session-of-{agent.id}"
    repo = memory_svc.chat.web_auth().repo
    repo.put_secret(keys.agent_session(digest(token)), {"agent_id": agent.id}, memory_svc.clock() + SESSION_TTL)
    return {"Cookie": f"{cookie_name('agent_session')}={token}"}


@pytest.fixture
def browser(client: Any, memory_svc: Any, agent: Any) -> Any:
    headers = signed_in(memory_svc, agent)

    def get(path: str, extra: dict[str, str] | None = None) -> Any:
        return client.http.get(path, headers={**headers, **(extra or {})})

    return get


def test_the_page_sends_a_visitor_without_a_session_to_sign_in(client: Any) -> None:
    reply = client.http.get(PAGE)
    assert reply.status_code == 303 and reply.headers["Location"] == "/portal/agent/sign-in"
    assert client.http.get(PAGE + "/export?format=csv").status_code == 401


def test_the_page_shows_the_desks_figures_charts_backlog_and_achievements(
    browser: Any, reported: Any, report_day: str
) -> None:
    reply = browser(f"{PAGE}?from={report_day}&to={report_day}")
    page = reply.body.decode()
    assert reply.status_code == 200, page[:2000]
    figures = re.findall(r'<p class="figure-label">([^<]+)</p>\s*<p class="figure-value">([^<]+)</p>', page)
    shown = dict(figures)
    assert shown["Tickets created"] == "2" and shown["Tickets solved"] == "1"
    assert shown["First-contact resolution"] == "100%" and shown["First reply, median"] == "\u2013"
    assert shown["Solved and stayed solved"] == "1"  # the signed-in agent's achievement
    # every figure has its note; two charts, each an image with a title and a description, and a table
    assert page.count('<li class="figure">') == 8 and page.count("How is this computed?") >= 8 + 2 + 1 + 3
    assert (
        len(re.findall(r'<svg class="chart-svg"[^>]*role="img" aria-labelledby="[\w-]+-title [\w-]+-desc"', page)) == 2
    )
    assert page.count("<desc id=") == 2 and page.count('<details class="as-table">') == 2
    assert "<script" not in page.split("</head>")[1]  # no chart JavaScript (nor any other) in the body
    # the backlog: the answered ticket is open (under an hour old); the solved one is not there
    assert '<tr><th scope="row">Open</th><td>1</td>' + "<td>0</td>" * 5 + "<td>1</td></tr>" in page
    assert f"{PAGE}/export?from={report_day}" in page and "format=xlsx" in page


def test_business_basis_is_kept_in_the_form_and_the_downloads(
    browser: Any, reported: Any, report_day: str, memory_svc: Any
) -> None:
    page = browser(f"{PAGE}?from={report_day}&to={report_day}&basis=business&group_by=channel").body.decode()
    assert 'value="business" checked' in page and "basis=business" in page and "Business seconds count" in page
    assert '<th scope="row">api</th>' in page
    link = re.search(r'href="(/portal/agent/reports/export\?[^"]+format=xlsx)"', page)
    assert link is not None
    # bytes a browser cannot be sent through API Gateway (it asks for text/html first): stored, then a redirect
    reply = browser(link.group(1).replace("&amp;", "&"))
    assert reply.status_code == 303
    location = urlsplit(reply.headers["Location"])
    bucket, key = location.path.lstrip("/").split("/", 1)
    assert key.startswith("report-exports/") and key.endswith(f"-{report_day}-business.xlsx")
    assert parse_qs(location.query)["filename"] == [key.rsplit("/", 1)[1]]
    book = load_workbook(io.BytesIO(memory_svc.objects.get(bucket, key)))
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["basis"] == "business" and about["group_by"] == "channel"
    header, row = list(book["Report"].iter_rows(values_only=True))
    assert (header[0], row[0], row[1]) == ("channel", "api", 2)


def test_the_csv_download_of_an_agent_grouped_by_agent_has_their_row_only(
    browser: Any, reported: Any, report_day: str, agent: Any
) -> None:
    reply = browser(f"{PAGE}/export?from={report_day}&to={report_day}&group_by=agent&format=csv")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.body.decode())))
    assert [(r["agent"], r["tickets_solved"]) for r in rows] == [(agent.id, "1")]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-31", "from"),
        ("from=2026-12-02&to=2026-12-01", "to"),
        ("tz=Asia/Kolkata", "tz"),
        ("basis=x", "basis"),
    ],
)
def test_a_wrong_setting_is_named_and_the_page_still_shows_the_backlog(browser: Any, query: str, field: str) -> None:
    reply = browser(f"{PAGE}?{query}")
    page = reply.body.decode()
    assert reply.status_code == 400 and f'href="#f-{field}"' in page and "Backlog now" in page
    assert "Download these figures" not in page


def test_the_page_speaks_russian(browser: Any, reported: Any, report_day: str) -> None:
    page = browser(f"{PAGE}?from={report_day}&to={report_day}", {"Accept-Language": "ru"}).body.decode()
    assert "<h1>Отчёты</h1>" in page and "Как это считается?" in page and "Невыполненные заявки сейчас" in page


def test_grouped_by_agent_the_page_names_the_agent_and_shows_only_their_row(
    browser: Any, reported: Any, report_day: str, agent: Any, admin: Any
) -> None:
    page = browser(f"{PAGE}?from={report_day}&to={report_day}&group_by=agent").body.decode()
    rows = re.findall(r'<tr>\s*<th scope="row">([^<]+)</th>', page)
    assert agent.name in rows and agent.id not in page.split("By agent")[1].split("Backlog now")[0]
    assert admin.name not in rows
