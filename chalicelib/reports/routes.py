"""Agent API: reports. Every agent sees the desk's figures and those of every team, channel and priority;
grouped by agent, an agent sees their own row and admins see every agent's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from chalice import Response  # type: ignore[attr-defined]

from chalicelib.core.errors import FieldError, Forbidden
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.domain.people import Principal
from chalicelib.http.framework import XLSX, Call, Routes
from chalicelib.reports.basis import on_basis
from chalicelib.reports.queries import Day, Group

if TYPE_CHECKING:
    from chalicelib.reports import export, schemas, workbook
    from chalicelib.reports.figures import Figures
    from chalicelib.reports.queries import ReportQueries
else:
    schemas = lazy_module("chalicelib.reports.schemas")
    export = lazy_module("chalicelib.reports.export")
    workbook = lazy_module("chalicelib.reports.workbook")

CSV = "text/csv"

deps: Provider[ReportQueries] = Provider("reports.routes")
routes = Routes(__name__, "chalicelib.reports.schemas", tag="reports")
bp = routes.bp


@routes(
    "/v1/reports/summary",
    "GET",
    summary="Figures of a range of local days, for the desk or per agent, team, channel or priority "
    "(format=csv or xlsx; basis=calendar or business)",
    query="ReportQuery",
    response="ReportSummaryOut",
    produces=(CSV, XLSX),
)
def report_summary(call: Call) -> schemas.ReportSummaryOut | Response:
    q: schemas.ReportQuery = call.query
    queries = deps()
    with _query_fields():
        groups = queries.summary(q.first, q.last, q.tz, q.group_by)
    if q.group_by == "agent" and not call.principal.is_admin:
        groups = [g for g in groups if g.key == call.principal.agent.id]
    groups = [Group(g.key, on_basis(g.figures, q.basis)) for g in groups]
    if q.format != "json":
        rows = [(g.key, g.figures) for g in groups]
        return export_file(q, q.group_by or "group", rows, f"report-{q.first}-{q.last}-{q.basis}", queries.desk_zone)
    return schemas.ReportSummaryOut(
        from_=q.first,
        to=q.last,
        tz=q.tz or queries.desk_zone,
        group_by=q.group_by,
        basis=q.basis,
        error_bound=_bound(),
        groups=[schemas.ReportGroupOut.of(g) for g in groups],
    )


@routes(
    "/v1/reports/series",
    "GET",
    summary="The same figures day by day (every day of the range), for the desk or one group "
    "(format=csv or xlsx; basis=calendar or business)",
    query="SeriesQuery",
    response="ReportSeriesOut",
    produces=(CSV, XLSX),
)
def report_series(call: Call) -> schemas.ReportSeriesOut | Response:
    q: schemas.SeriesQuery = call.query
    key = _series_key(q, call.principal)
    queries = deps()
    with _query_fields():
        days = queries.series(q.first, q.last, q.tz, q.group_by, key)
    days = [Day(d.day, on_basis(d.figures, q.basis)) for d in days]
    if q.format != "json":
        rows = [(d.day.isoformat(), d.figures) for d in days]
        return export_file(q, "date", rows, f"series-{q.first}-{q.last}-{q.basis}", queries.desk_zone)
    return schemas.ReportSeriesOut(
        from_=q.first,
        to=q.last,
        tz=q.tz or queries.desk_zone,
        group_by=q.group_by,
        basis=q.basis,
        key=key or "all",
        error_bound=_bound(),
        days=[schemas.ReportDayOut.of(d) for d in days],
    )


def _series_key(q: schemas.SeriesQuery, principal: Principal) -> str | None:
    from chalicelib.core.errors import InvalidInput

    if q.group_by is None:
        if q.key is not None:
            raise InvalidInput("key needs group_by", "query.key")
        return None
    if q.key is None:
        raise InvalidInput("name the group's value when group_by is set", "query.key")
    if q.group_by == "agent" and q.key != principal.agent.id and not principal.is_admin:
        raise Forbidden("agents see their own figures; admins see every agent's")
    return q.key


@contextmanager
def _query_fields() -> Iterator[None]:
    """A field the service refuses is a field of the query string."""
    try:
        yield
    except FieldError as exc:
        raise exc.within("query") from None


def _bound() -> float:
    from chalicelib.reports.histogram import RELATIVE_ERROR

    return round(RELATIVE_ERROR, 4)


def export_file(
    q: schemas.ReportQuery, first_column: str, rows: Sequence[tuple[str, Figures]], stem: str, zone: str
) -> Response:
    """The rows as a CSV or XLSX download (``q.format``)."""
    if q.format == "csv":
        return download(export.table(first_column, rows), f"{stem}.csv", f"{CSV}; charset=utf-8")
    return download(xlsx(q, first_column, rows, zone), f"{stem}.xlsx", XLSX)


def xlsx(q: schemas.ReportQuery, first_column: str, rows: Sequence[tuple[str, Figures]], zone: str) -> bytes:
    """The workbook of ``rows``, its ``About`` sheet saying what was asked."""
    about = [
        ("from", q.first.isoformat()),
        ("to", q.last.isoformat()),
        ("tz", q.tz or zone),
        ("basis", q.basis),
        ("group_by", q.group_by or ""),
        ("error_bound", str(_bound())),
    ]
    return workbook.workbook(first_column, rows, about)


def download(body: str | bytes, filename: str, media_type: str) -> Response:
    """A file to save: CSV as text; XLSX as bytes, which Chalice base64-encodes for API Gateway because its
    media type is one of ``app.api.binary_types`` (app.py)."""
    headers: dict[str, str | list[str]] = {
        "Content-Type": media_type,
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(body=body, status_code=200, headers=headers)
