"""The reports page of the agent web area (``/portal/agent/reports``, behind the chat console's sign-in).

A GET form (range, zone, calendar/business basis, grouping) over the same queries as the API; charts drawn
as inline SVG on the server; the backlog now; the signed-in agent's achievements; CSV and XLSX downloads of
the same figures on the same basis. Grouped by agent, an agent sees their own row and admins every agent's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.core.errors import FieldError, Unauthenticated
from chalicelib.core.providers import Provider
from chalicelib.domain.people import Role
from chalicelib.web.views import PageRequest, page_route

if TYPE_CHECKING:
    from chalicelib.domain.people import Agent
    from chalicelib.reports.board_routes import Board
    from chalicelib.reports.queries import Group, ReportQueries
    from chalicelib.reports.schemas import ReportQuery


@dataclass(frozen=True)
class Needs:
    queries: ReportQueries
    board: Board
    # the signed-in agent of a request's cookies (raises Unauthenticated), as the chat console knows them
    agent: Callable[[Mapping[str, str]], Agent]
    # store a file for a browser to fetch (file name, bytes, media type) -> a short-lived presigned URL
    stash: Callable[[str, bytes, str], str]
    # the names of a dimension's values to show instead of ids ("agent", "team"; others: none)
    names: Callable[[str], Mapping[str, str]]


deps: Provider[Needs] = Provider("reports.page")
bp = Blueprint(__name__)
PAGE = "/portal/agent/reports"
EXPORT = PAGE + "/export"
SIGN_IN = "/portal/agent/sign-in"
DEFAULT_DAYS = 7
FIELDS = ("from", "to", "tz", "basis", "group_by")


def _asked(request: PageRequest, needs: Needs) -> dict[str, str]:
    """The form's values: what the query string says, else the last week in the desk's zone."""
    today = needs.board.today()
    defaults = {
        "from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
        "to": today.isoformat(),
        "tz": needs.queries.desk_zone,
        "basis": "calendar",
        "group_by": "",
    }
    return {name: (request.query(name) or defaults[name]).strip() for name in FIELDS}


def _query(asked: Mapping[str, str], fmt: str = "json") -> tuple[ReportQuery | None, list[str]]:
    """The checked query, or the names of the fields that are wrong."""
    from pydantic import ValidationError

    from chalicelib.reports.schemas import ReportQuery

    raw = {k: v for k, v in asked.items() if v} | {"format": fmt}
    try:
        return ReportQuery.model_validate(raw), []
    except ValidationError as exc:
        return None, sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})


def _own_rows(groups: list[Group], q: ReportQuery, agent: Agent) -> list[Group]:
    if q.group_by == "agent" and agent.role is not Role.ADMIN:
        return [g for g in groups if g.key == agent.id]
    return groups


@page_route(bp, PAGE, name="agent_reports")
def reports_page(request: PageRequest) -> Response:
    needs = deps()
    try:
        agent = needs.agent(request.cookies)
    except Unauthenticated:
        return request.redirect(SIGN_IN)
    asked = _asked(request, needs)
    q, errors = _query(asked)
    context: dict[str, Any] = {"asked": asked, "errors": errors, "agent_name": agent.name, "downloads": None}
    if q is not None:
        try:
            context |= _figures(needs, q, agent, request.locale)
        except FieldError as exc:
            context["errors"] = [exc.path]
    if not context["errors"]:
        context["downloads"] = {
            fmt: request.url(EXPORT) + "?" + urlencode({k: v for k, v in asked.items() if v} | {"format": fmt})
            for fmt in ("csv", "xlsx")
        }
    context |= _now(needs, agent, request.locale)
    return request.page("agent/reports.html", context, status=400 if context["errors"] else 200)


def _figures(needs: Needs, q: ReportQuery, agent: Agent, locale: str) -> dict[str, Any]:
    from chalicelib.reports import page_model as model
    from chalicelib.reports.basis import on_basis
    from chalicelib.reports.queries import Day, Group

    queries = needs.queries
    desk = queries.summary(q.first, q.last, q.tz, None)  # the one group "all", or none on days without facts
    found: dict[str, Any] = {"desk": model.shown(on_basis(desk[0].figures, q.basis), locale) if desk else None}
    if q.group_by:
        groups = _own_rows(queries.summary(q.first, q.last, q.tz, q.group_by), q, agent)
        names = needs.names(q.group_by)
        shown = [Group(names.get(g.key, g.key), on_basis(g.figures, q.basis)) for g in groups]
        found["groups"] = model.grouped(shown, locale)
    days = [Day(d.day, on_basis(d.figures, q.basis)) for d in queries.series(q.first, q.last, q.tz, None, None)]
    found["volume"] = model.volume(days, locale)
    found["first_replies"] = model.first_replies(days, locale)
    return found


def _now(needs: Needs, agent: Agent, locale: str) -> dict[str, Any]:
    from chalicelib.reports import page_model as model
    from chalicelib.reports.achievements import QUICK_S, WINDOW_DAYS, achievements
    from chalicelib.reports.backlog import backlog

    board = needs.board
    return {
        "backlog": model.backlog_rows(backlog(board.tickets, board.clock), locale),
        "achievements": achievements(board.reports, agent.id, board.today()),
        "window_days": WINDOW_DAYS,
        "quick": model.duration(QUICK_S, locale),
    }


@page_route(bp, EXPORT, name="agent_reports_export")
def export(request: PageRequest) -> Response:
    """The page's figures as a CSV or XLSX file (the same range, zone, basis and grouping).

    CSV is text: answered here. XLSX is bytes, which API Gateway passes to a browser only when the request's
    first Accept type is a binary media type, and a browser following a link asks for text/html first: the
    workbook goes to S3 and the browser is sent to a 5-minute presigned URL (decision 060)."""
    from chalicelib.core.errors import InvalidInput
    from chalicelib.http.framework import XLSX
    from chalicelib.reports.basis import on_basis
    from chalicelib.reports.routes import export_file, xlsx

    needs = deps()
    agent = needs.agent(request.cookies)
    fmt = request.query("format") or "csv"
    q, errors = _query(_asked(request, needs), fmt if fmt in ("csv", "xlsx") else "?")
    if q is None:
        raise InvalidInput(f"these report fields are not right: {', '.join(errors)}")
    groups = _own_rows(needs.queries.summary(q.first, q.last, q.tz, q.group_by), q, agent)
    rows = [(g.key, on_basis(g.figures, q.basis)) for g in groups]
    stem = f"report-{q.first}-{q.last}-{q.basis}"
    if q.format == "xlsx":
        body = xlsx(q, q.group_by or "group", rows, needs.queries.desk_zone)
        url = needs.stash(f"{stem}.xlsx", body, XLSX)
        headers: dict[str, str | list[str]] = {"Location": url, "Cache-Control": "no-store"}
        return Response(body="", status_code=303, headers=headers)
    return export_file(q, q.group_by or "group", rows, stem, needs.queries.desk_zone)
