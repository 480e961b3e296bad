"""Surveys for agents and reports: a paged listing, and the same listing as CSV.

Both read one listing of the ``directory`` index (all surveys, a team's or an agent's at solve time) in a date
range, newest first, so their cost follows what they return, not the size of the table. An export stops at
``MAX_EXPORT_ROWS`` rows or ``MAX_EXPORT_BYTES`` of CSV (a Lambda response carries 6 MB): past that the caller
is asked for a narrower range instead of getting a cut file.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from chalicelib.core.errors import TooLarge
from chalicelib.domain.views import Page

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from chalicelib.domain.surveys import Survey
    from chalicelib.storage.ports import StartKey
    from chalicelib.storage.slice_ports import SurveyQuery, SurveyRepository

MAX_EXPORT_ROWS = 10_000
MAX_EXPORT_BYTES = 5 * 1024 * 1024
EXPORT_PAGE = 500
COLUMNS = (
    "survey_id",
    "ticket_id",
    "ticket_number",
    "customer_id",
    "channel",
    "team_id",
    "assignee_id",
    "solved_at",
    "sent_at",
    "answered_at",
    "rating",
    "reasons",
    "comment",
)
# A cell a spreadsheet would run as a formula starts with one of these: it gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SurveyReports:
    def __init__(self, surveys: SurveyRepository) -> None:
        self.surveys = surveys

    def page(self, query: SurveyQuery, limit: int, start: StartKey = None) -> Page[Survey]:
        if _empty_range(query):
            return Page([], None)
        return self.surveys.listing(query, limit, start)

    def export(self, query: SurveyQuery) -> str:
        """Every survey of the listing as CSV; ``TooLarge`` (naming ``since``) when the range holds too many."""
        lines = [csv_line(COLUMNS)]
        size, start = len(lines[0]), None
        while not _empty_range(query):
            page = self.surveys.listing(query, EXPORT_PAGE, start)
            for survey in page.items:
                lines.append(csv_line(row(survey)))
                size += len(lines[-1].encode())
            if len(lines) - 1 > MAX_EXPORT_ROWS or size > MAX_EXPORT_BYTES:
                raise TooLarge(
                    f"more than {MAX_EXPORT_ROWS} surveys or {MAX_EXPORT_BYTES} bytes: export a shorter range", "since"
                )
            if page.next_key is None:
                return "".join(lines)
            start = page.next_key
        return "".join(lines)


def _empty_range(query: SurveyQuery) -> bool:
    """``until`` at or before ``since``: a range no survey is in (and no key range DynamoDB would accept)."""
    return query.since is not None and query.until is not None and query.until <= query.since


def csv_line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def row(survey: Survey) -> list[str]:
    return [
        survey.id,
        survey.ticket_id,
        str(survey.ticket_number),
        survey.customer_id,
        survey.channel,
        survey.team_id or "",
        survey.assignee_id or "",
        when(survey.solved_at),
        when(survey.sent_at),
        when(survey.answered_at),
        "" if survey.rating is None else str(survey.rating),
        ";".join(survey.reasons),
        safe_cell(survey.comment or ""),
    ]


def safe_cell(text: str) -> str:
    """Text a spreadsheet shows as text (OWASP's CSV injection advice)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
