"""API models of the desk's configuration: routing rules, SLA policies, calendars, triggers, macros, team
settings, escalation and macros applied to tickets. They give each document its documented shape; the domain
parsers (``routing.rules``, ``sla.documents``, ``automations``) check the details and name the field at fault."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from chalicelib.domain.people import Strategy
from chalicelib.http.schemas import EntityId, In, Out, PatchIn, Tag, Text, Version
from chalicelib.storage.ports_desk import AuditRecord, Document

Position = Annotated[int, Field(ge=0, le=100_000, description="Order: lower first; ties by id.")]
Days = Annotated[int, Field(ge=0, le=365, description="Days; 0 turns the step off.")]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Week = dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[tuple[HHMM, HHMM]]]


class Versioned(In):
    version: Version | None = Field(None, description="Required to replace: the version it is based on.")


class RoutingRuleIn(Versioned):
    name: Text
    position: Position = 0
    enabled: bool = True
    conditions: dict[str, Any] = Field(
        default_factory=dict,
        description="channels, recipients, requester_emails, requester_domains, organization_ids, vip, tags_any, "
        "priorities, keywords, business_hours + calendar_id; all given must hold",
    )
    actions: dict[str, Any] = Field(description="team_id, priority, type, add_tags, skills, vip")


class TargetIn(In):
    metric: Literal["first_response", "next_response", "resolution"]
    minutes: Annotated[int, Field(gt=0, le=525_600)]
    business: bool = False


class SlaPolicyIn(Versioned):
    name: Text
    position: Position = 0
    conditions: dict[str, Any] = Field(
        default_factory=dict, description="priorities, channels, team_ids, organization_ids, vip"
    )
    targets: list[TargetIn] = Field(min_length=1)
    calendar_id: EntityId | None = None
    breach_actions: list[Literal["raise_priority", "escalate", "notify_lead"]] = Field(default_factory=list)


class CalendarIn(Versioned):
    name: Text
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    week: Week
    holidays: list[date] = Field(default_factory=list)
    country: Annotated[str, StringConstraints(min_length=2, max_length=3)] | None = None
    subdivision: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None = None


class TriggerIn(Versioned):
    name: Text
    position: Position = 0
    enabled: bool = True
    conditions: dict[str, Any] = Field(
        description="events (required), actor_kinds, statuses, priorities, channels, team_ids, tags_any, "
        "tags_none, changed_field, changed_to, assigned, vip"
    )
    actions: dict[str, Any] = Field(description="set_fields, add_tags, remove_tags, notify_agent_ids, reply_macro_id")


class MacroIn(Versioned):
    name: Text
    body: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] = Field(
        description="Jinja2 text; placeholders {{ticket.number}}, {{ticket.subject}}, {{requester.name}}, "
        "{{requester.first_name}}, {{requester.email}}, {{agent.name}}, ..."
    )
    public: bool = True
    set_fields: dict[str, Any] = Field(default_factory=dict)
    add_tags: list[Tag] = Field(default_factory=list)


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


class DeleteQuery(In):
    version: Annotated[int, Field(ge=1)]


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


class TeamUpdateIn(PatchIn):
    NULLABLE = frozenset({"version", "escalation_team_id", "lead_id", "parent_team_id"})

    version: Version
    name: Text | None = None
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    assignment_strategy: Strategy | None = None
    escalation_team_id: EntityId | None = None
    lead_id: EntityId | None = None
    parent_team_id: EntityId | None = None
    auto_close_days: Days | None = None
    reminder_days: Days | None = None
    solve_after_reminder_days: Days | None = None


class EscalateIn(In):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    version: Version | None = None


class ApplyMacroIn(In):
    version: Version | None = None


class SlaClockOut(Out):
    target_minutes: int
    business: bool
    started_at: datetime | None
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    breached: bool
    running: bool
    elapsed_seconds: int


class SlaOut(Out):
    policy_id: str | None
    policy_version: int | None
    policy_name: str | None
    next_due_at: datetime | None
    metrics: dict[str, SlaClockOut]
