"""Pydantic models of the survey routes: the listing and its filters, and the per-team settings."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field

from chalicelib.domain.surveys import Survey
from chalicelib.domain.tickets import Channel
from chalicelib.http.schemas import EntityId, In, Limit, Out, Query, Tag
from chalicelib.storage.slice_ports import SurveyQuery
from chalicelib.surveys.config import Effective, settings_to_doc
from chalicelib.surveys.rules import MAX_DELAY_HOURS, MAX_THROTTLE_DAYS

Rating = Annotated[int, Field(ge=1, le=5)]


def _written_out(value: Any) -> Any:
    """An instant is written out (ISO 8601 with a zone): a number is not read as a timestamp."""
    if isinstance(value, datetime) or (isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", value)):
        return value
    raise ValueError("an ISO 8601 date-time with a zone")


Instant = Annotated[AwareDatetime, BeforeValidator(_written_out)]


class SurveyFilters(Query):
    team_id: EntityId | None = Field(None, description="The team the ticket had when it was solved.")
    agent_id: EntityId | None = Field(None, description="The assignee the ticket had when it was solved.")
    rating: Rating | None = None
    answered: bool | None = Field(None, description="true: answered only; false: not answered (yet) only.")
    since: Instant | None = Field(None, description="Sent at or after this time (with a zone).")
    until: Instant | None = Field(None, description="Sent before this time (with a zone); at or before since: none.")

    def query(self) -> SurveyQuery:
        return SurveyQuery(self.team_id, self.agent_id, self.since, self.until, self.rating, self.answered)

    def scope(self) -> str:
        """What a cursor is valid for: this listing with these filters."""
        return "surveys:" + ":".join(str(v) for v in self.model_dump(exclude={"limit", "cursor"}).values())


class SurveyListQuery(SurveyFilters):
    limit: Limit = 25
    cursor: str | None = None


class SurveyExportQuery(SurveyFilters):
    pass


class SurveyOut(Out):
    id: str
    ticket_id: str
    ticket_number: int
    customer_id: str
    channel: str
    team_id: str | None = Field(description="At solve time.")
    assignee_id: str | None = Field(description="At solve time.")
    solved_at: datetime
    sent_at: datetime
    answerable_until: datetime
    rating: int | None
    comment: str | None
    reasons: list[str]
    answered_at: datetime | None

    @classmethod
    def of(cls, survey: Survey) -> SurveyOut:
        return cls.model_validate(survey)


class SurveyPageOut(Out):
    items: list[SurveyOut]
    next_cursor: str | None


# -- settings ---------------------------------------------------------------------------------------


class CriteriaIn(In):
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    team_ids: list[EntityId] = Field(default_factory=list, max_length=50)
    organization_ids: list[EntityId] = Field(default_factory=list, max_length=50)
    channels: list[Channel] = Field(default_factory=list, max_length=5)


class SurveySettingsIn(In):
    version: int | None = Field(
        None, ge=0, description="The version it is based on (or send If-Match): 0 when the team has none yet."
    )
    enabled: bool = True
    delay_hours: int = Field(24, ge=0, le=MAX_DELAY_HOURS, description="Hours from the solve to the survey.")
    throttle_days: int = Field(7, ge=0, le=MAX_THROTTLE_DAYS, description="No survey for a customer surveyed within.")
    include: CriteriaIn = Field(default_factory=CriteriaIn, description="Survey only tickets matching every list.")
    exclude: CriteriaIn = Field(default_factory=CriteriaIn, description="Never survey tickets matching any list.")

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"version"})


class CriteriaOut(Out):
    tags: list[str]
    team_ids: list[str]
    organization_ids: list[str]
    channels: list[str]


class SurveySettingsOut(Out):
    team_id: str = Field(description="A team's id, or 'default' for teams without settings of their own.")
    version: int = Field(description="0 while the team has no settings of its own.")
    inherited_from: str | None = Field(description="'default' or 'built-in' when the team has none of its own.")
    enabled: bool
    delay_hours: int
    throttle_days: int
    include: CriteriaOut
    exclude: CriteriaOut
    updated_at: datetime | None
    updated_by: str | None

    @classmethod
    def of(cls, found: Effective) -> SurveySettingsOut:
        doc = found.document
        return cls(
            team_id=found.team_id,
            version=doc.version if doc else 0,
            inherited_from=found.inherited_from,
            updated_at=doc.updated_at if doc else None,
            updated_by=doc.updated_by if doc else None,
            **settings_to_doc(found.settings),
        )


class SurveySettingsListOut(Out):
    items: list[SurveySettingsOut]
