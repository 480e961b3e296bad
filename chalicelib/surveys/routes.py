"""Agent API: surveys (listing and CSV export, for agents) and survey settings per team (admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalice import Response  # type: ignore[attr-defined]

from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Result, Routes
from chalicelib.http.paging import next_cursor, start_key

if TYPE_CHECKING:
    from chalicelib.surveys import schemas
    from chalicelib.surveys.config import Effective, SurveySettingsAdmin
    from chalicelib.surveys.reports import SurveyReports
else:
    schemas = lazy_module("chalicelib.surveys.schemas")

CSV = "text/csv"


@dataclass(frozen=True)
class Needs:
    reports: SurveyReports
    settings: SurveySettingsAdmin


deps: Provider[Needs] = Provider("surveys.routes")
routes = Routes(__name__, "chalicelib.surveys.schemas", tag="surveys")
bp = routes.bp
# ``scope``: a team id, or "default" (the desk's default): not an id, so not named ``*_id``.
SETTINGS = "/v1/survey-settings/{scope}"


@routes(
    "/v1/surveys",
    "GET",
    summary="Surveys sent, newest first (by team or agent at solve time, rating, answered, date sent)",
    query="SurveyListQuery",
    response="SurveyPageOut",
)
def list_surveys(call: Call) -> schemas.SurveyPageOut:
    query: schemas.SurveyListQuery = call.query
    scope = query.scope()
    page = deps().reports.page(query.query(), query.limit, start_key(query.cursor, scope))
    return schemas.SurveyPageOut(
        items=[schemas.SurveyOut.of(s) for s in page.items], next_cursor=next_cursor(page.next_key, scope)
    )


@routes(
    "/v1/surveys/export",
    "GET",
    summary="The same surveys as CSV (one file; a range too large for one response gets 413)",
    query="SurveyExportQuery",
    produces=CSV,
)
def export_surveys(call: Call) -> Response:
    query: schemas.SurveyExportQuery = call.query
    body = deps().reports.export(query.query())
    headers: dict[str, str | list[str]] = {
        "Content-Type": f"{CSV}; charset=utf-8",
        "Content-Disposition": 'attachment; filename="surveys.csv"',
    }
    return Response(body=body, status_code=200, headers=headers)


@routes(
    "/v1/survey-settings",
    "GET",
    summary="Survey settings stored: the desk's default and each team's own",
    response="SurveySettingsListOut",
    admin=True,
)
def list_survey_settings(call: Call) -> schemas.SurveySettingsListOut:
    return schemas.SurveySettingsListOut(items=[schemas.SurveySettingsOut.of(e) for e in deps().settings.stored()])


@routes(
    SETTINGS,
    "GET",
    summary="The survey settings that apply to a team ('default': the desk's default)",
    response="SurveySettingsOut",
    admin=True,
)
def get_survey_settings(call: Call, scope: str) -> Result:
    return _settings(deps().settings.effective(scope))


@routes(
    SETTINGS,
    "PUT",
    summary="Set a team's survey settings ('default': the desk's default); version 0 creates them",
    body="SurveySettingsIn",
    response="SurveySettingsOut",
    admin=True,
    versioned=True,
)
def put_survey_settings(call: Call, scope: str) -> Result:
    data: schemas.SurveySettingsIn = call.body
    assert call.version is not None  # versioned: the framework answered 428 without one
    return _settings(deps().settings.put(call.principal.agent.id, scope, call.version, data.document()))


@routes(
    SETTINGS,
    "DELETE",
    summary="Remove a team's own survey settings (it falls back to 'default')",
    query="chalicelib.config.schemas.DeleteQuery",
    status=204,
    admin=True,
)
def delete_survey_settings(call: Call, scope: str) -> Result:
    deps().settings.remove(call.principal.agent.id, scope, call.query.version)
    return Result(None, 204)


def _settings(found: Effective) -> Result:
    out = schemas.SurveySettingsOut.of(found)
    return Result(out, headers={"ETag": f'"{out.version}"'})
