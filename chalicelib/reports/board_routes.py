"""Agent API: the backlog now (every agent and admin) and the signed-in agent's own achievements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Routes

if TYPE_CHECKING:
    from chalicelib.reports import board_schemas as schemas
    from chalicelib.storage.ports import TicketRepository
    from chalicelib.storage.slice_ports import ReportRepository
else:
    schemas = lazy_module("chalicelib.reports.board_schemas")


@dataclass(frozen=True)
class Board:
    tickets: TicketRepository
    reports: ReportRepository
    clock: Callable[[], datetime]
    desk_zone: str

    def today(self) -> date:
        return self.clock().astimezone(ZoneInfo(self.desk_zone)).date()


deps: Provider[Board] = Provider("reports.board_routes")
routes = Routes(__name__, "chalicelib.reports.board_schemas", tag="reports")
bp = routes.bp


@routes(
    "/v1/reports/backlog",
    "GET",
    summary="Unsolved tickets now, by status and by age (time since creation), from the ticket views",
    query="BacklogQuery",
    response="BacklogOut",
)
def report_backlog(call: Call) -> schemas.BacklogOut:
    from chalicelib.reports.backlog import backlog

    board = deps()
    return schemas.BacklogOut.of(backlog(board.tickets, board.clock))


@routes(
    "/v1/reports/achievements",
    "GET",
    summary="The signed-in agent's achievements over the last 30 days (from the daily report items)",
    query="AchievementsQuery",
    response="AchievementsOut",
)
def report_achievements(call: Call) -> schemas.AchievementsOut:
    from chalicelib.reports.achievements import achievements

    q: schemas.AchievementsQuery = call.query
    board = deps()
    last: date = q.to if q.to is not None else board.today()  # type: ignore[assignment]  # validated to a date
    agent_id = call.principal.agent.id
    return schemas.AchievementsOut.of(agent_id, last.isoformat(), achievements(board.reports, agent_id, last))
