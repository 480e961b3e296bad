"""API models of configuration documents in general (their envelope, deletes, the audit trail) and of
calendars. Each feature keeps the models of its own documents (``routing.schemas``, ``sla.schemas``,
``automations.schemas``); they give each document its documented shape, and the features' parsers check the
details and name the field at fault."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from chalicelib.http.schemas import DAY_NAMES, In, Out, Query, Text, TimeZone, Version, Week, one_nonempty
from chalicelib.storage.ports import AuditRecord, Document

Position = Annotated[int, Field(ge=0, le=100_000, description="Order: lower first; ties by id.")]


class Versioned(In):
    version: Version | None = Field(
        None, description="To replace: the version it is based on (or send If-Match); ignored on create."
    )


def _calendar_rules(schema: dict[str, Any]) -> None:
    """A week with working time; a country with known public holidays; a subdivision only with a country.

    Which subdivisions a country has is checked (400 naming ``subdivision``) but not spelled out per country:
    a hundred alternatives in the document made generated tests walk each of them for minutes."""
    from chalicelib.calendars.calendar import holiday_regions

    schema["properties"]["week"].update(one_nonempty(*DAY_NAMES))
    regions = holiday_regions()
    subdivisions = sorted({code for codes in regions.values() for code in codes})
    schema["properties"]["country"] = {"anyOf": [_one_of(sorted(regions)), {"type": "null"}], "default": None}
    schema["properties"]["subdivision"] = {"anyOf": [_one_of(subdivisions), {"type": "null"}], "default": None}
    schema["anyOf"] = [
        {"properties": {"subdivision": {"type": "null"}}},
        {"required": ["country"], "properties": {"country": {"type": "string"}}},
    ]


def _one_of(codes: Iterable[str]) -> dict[str, Any]:
    # A pattern rather than an enum, as for time zones: the same set, and tools sample it instead of walking it.
    # The codes are letters, digits and spaces.
    return {"type": "string", "pattern": "^(?:" + "|".join(codes) + ")$"}


class CalendarIn(Versioned):
    """Intervals of a day must be ordered, end after they start and not overlap (checked, 400 naming the day)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=lambda schema, _: _calendar_rules(schema),
    )

    name: Text
    time_zone: TimeZone
    week: Week
    holidays: list[date] = Field(default_factory=list)
    country: Annotated[str, StringConstraints(min_length=2, max_length=3)] | None = None
    subdivision: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None = None


class ConfigOut(Out):
    id: str
    kind: str
    version: int
    updated_at: datetime
    updated_by: str
    document: dict[str, Any]

    @classmethod
    def of(cls, doc: Document) -> ConfigOut:
        return cls(
            id=doc.id,
            kind=doc.kind,
            version=doc.version,
            updated_at=doc.updated_at,
            updated_by=doc.updated_by,
            document=doc.body,
        )


class ConfigListOut(Out):
    items: list[ConfigOut]


class DeleteQuery(Query):
    version: Version | None = None


class AuditOut(Out):
    id: str
    at: datetime
    actor_id: str
    action: str
    kind: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, record: AuditRecord) -> AuditOut:
        return cls.model_validate(record)


class AuditPageOut(Out):
    items: list[AuditOut]
    next_cursor: str | None
