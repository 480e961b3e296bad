"""Pydantic models of what the API accepts and returns, separate from domain objects and storage items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    RootModel,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from chalicelib.core.ids import ID_PATTERN
from chalicelib.domain.people import Agent, ApiToken, Availability, Customer, Organization, Role, Team, Webhook
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import TimelineEntry

EntityId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=200_000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
WorkingHours = dict[str, list[list[str]]]
Version = Annotated[int, Field(ge=1, description="The version this change is based on (or send If-Match).")]
Limit = Annotated[int, Field(ge=1, le=100)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PatchIn(In):
    """A partial update: only the fields sent change. ``null`` is refused (400 naming the field) unless the
    field can be cleared."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"version"})

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"version"})


# -- errors ------------------------------------------------------------------------------------


class FieldErrorOut(Out):
    field: str
    message: str


class ErrorDetailOut(Out):
    code: str
    message: str
    fields: list[FieldErrorOut] | None = None
    current_version: int | None = None
    changes_since: list[dict[str, Any]] | None = None


class ErrorOut(Out):
    error: ErrorDetailOut


# -- tickets -----------------------------------------------------------------------------------


class CreateTicketIn(In):
    subject: Text
    body: Body = Field(description="The customer's request, as text.")
    requester_id: EntityId | None = None
    requester_email: EmailStr | None = None
    requester_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    channel: Channel = Channel.API
    priority: Priority = Priority.NORMAL
    type: TicketType | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    ccs: list[EmailStr] = Field(default_factory=list, max_length=50)
    team_id: EntityId | None = None
    assignee_id: EntityId | None = None

    @model_validator(mode="after")
    def _one_requester(self) -> CreateTicketIn:
        if (self.requester_id is None) == (self.requester_email is None):
            raise ValueError("give exactly one of requester_id and requester_email")
        return self


class ReplyIn(In):
    body: Body
    status: Status | None = Field(None, description="Set the status in the same write (e.g. pending).")
    version: Version | None = None


class NoteIn(In):
    body: Body
    version: Version | None = None


class UpdateTicketIn(PatchIn):
    NULLABLE = frozenset({"version", "type", "team_id", "assignee_id"})

    version: Version | None = None
    subject: Text | None = None
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    tags: list[Tag] | None = Field(None, max_length=50)
    ccs: list[EmailStr] | None = Field(None, max_length=50)
    team_id: EntityId | None = None
    assignee_id: EntityId | None = None
    vip: bool | None = None
    skills: list[Tag] | None = Field(None, max_length=20)


class MergeIn(In):
    target_id: EntityId
    version: Version | None = None


class LinkIn(In):
    related_id: EntityId
    version: Version | None = None


ViewName = Literal[
    "unassigned", "mine", "assignee", "team", "team_queue", "status", "priority", "requester", "organization"
]


class TicketListQuery(In):
    view: ViewName = "unassigned"
    assignee_id: EntityId | None = None
    team_id: EntityId | None = None
    status: Status | None = None
    priority: Priority | None = None
    requester_id: EntityId | None = None
    requester_email: EmailStr | None = None
    organization_id: EntityId | None = None
    include_solved: bool = False
    limit: Limit = 25
    cursor: str | None = None


class PageQuery(In):
    limit: Limit = 25
    cursor: str | None = None
    include_solved: bool = False


class TicketOut(Out):
    id: str
    number: int
    subject: str
    status: Status
    priority: Priority
    type: TicketType | None
    channel: Channel
    tags: list[str]
    requester_id: str
    ccs: list[str]
    followers: list[str]
    organization_id: str | None
    team_id: str | None
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    last_customer_message_at: datetime | None
    last_agent_message_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    related_ids: list[str]
    merged_into_id: str | None
    vip: bool
    skills: list[str]
    version: int

    @classmethod
    def of(cls, ticket: Ticket) -> TicketOut:
        return cls.model_validate(ticket)


class ActorOut(Out):
    kind: Literal["agent", "customer", "system"]
    id: str | None


class ChangeOut(Out):
    field: str
    old: Any = None
    new: Any = None


class AttachmentOut(Out):
    filename: str
    content_type: str
    size: int
    inline: bool = False
    content_id: str | None = None
    url: str | None = Field(None, description="Presigned download URL, valid for 15 minutes.")
    skipped: str | None = Field(None, description="Why the attachment was not stored (e.g. too large).")


class EntryOut(Out):
    id: str
    at: datetime
    kind: Literal["message", "note", "event"]
    event: str
    public: bool
    author: ActorOut
    ticket_version: int
    body: str | None = None
    body_html: str | None = None
    channel: str | None = None
    changes: list[ChangeOut] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    attachments: list[AttachmentOut] = Field(default_factory=list)
    merged_from: str | None = None

    @classmethod
    def of(cls, entry: TimelineEntry, presign: Callable[[str], str] | None = None) -> EntryOut:
        """``presign`` turns a stored attachment's key into a download URL."""
        stored = entry.data.get("attachments") or []
        attachments = [
            AttachmentOut(
                filename=a.get("filename") or "attachment",
                content_type=a.get("content_type") or "application/octet-stream",
                size=int(a.get("size") or 0),
                inline=bool(a.get("inline")),
                content_id=a.get("content_id"),
                url=presign(a["key"]) if presign and a.get("key") else None,
                skipped=a.get("skipped"),
            )
            for a in stored
        ]
        data = {k: v for k, v in entry.data.items() if k != "attachments"}
        return cls(
            id=entry.id,
            at=entry.at,
            kind=entry.kind.value,
            event=entry.event,
            public=entry.public,
            author=ActorOut(kind=entry.author.kind.value, id=entry.author.id),
            ticket_version=entry.ticket_version,
            body=entry.body_text,
            body_html=entry.body_html,
            channel=entry.channel,
            changes=[ChangeOut(field=c.field, old=c.old, new=c.new) for c in entry.changes],
            data=data,
            attachments=attachments,
            merged_from=entry.merged_from,
        )


class TicketDetailOut(Out):
    ticket: TicketOut
    timeline: list[EntryOut]


class TicketPageOut(Out):
    items: list[TicketOut]
    next_cursor: str | None


# -- customers and organizations ---------------------------------------------------------------


class IdentityOut(Out):
    kind: Literal["email", "chat", "phone"]
    value: str


class CustomerIn(In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    emails: list[EmailStr] = Field(default_factory=list, max_length=20)
    chat_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(default_factory=list)
    phones: list[Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{5,32}$")]] = Field(default_factory=list)
    organization_id: EntityId | None = None
    vip: bool = False
    locale: Annotated[str, StringConstraints(max_length=16)] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None


class CustomerUpdateIn(PatchIn):
    NULLABLE = frozenset({"organization_id", "locale", "time_zone"})

    version: Version
    name: Text | None = None
    emails: list[EmailStr] | None = None
    chat_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] | None = None
    phones: list[Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{5,32}$")]] | None = None
    organization_id: EntityId | None = None
    vip: bool | None = None
    locale: Annotated[str, StringConstraints(max_length=16)] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None


class CustomerOut(Out):
    id: str
    name: str
    email: str | None
    identities: list[IdentityOut]
    organization_id: str | None
    vip: bool
    locale: str | None
    time_zone: str | None
    created_at: datetime
    version: int

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(
            id=c.id,
            name=c.name,
            email=c.email,
            identities=[IdentityOut(kind=i.kind.value, value=i.value) for i in c.identities],
            organization_id=c.organization_id,
            vip=c.vip,
            locale=c.locale,
            time_zone=c.time_zone,
            created_at=c.created_at,
            version=c.version,
        )


class CustomerPageOut(Out):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerLookupQuery(In):
    email: EmailStr


class OrganizationIn(In):
    name: Text
    domains: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]] = Field(
        default_factory=list, max_length=20
    )
    vip: bool = False


class OrganizationUpdateIn(PatchIn):
    version: Version
    name: Text | None = None
    domains: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]] | None = None
    vip: bool | None = None


class OrganizationOut(Out):
    id: str
    name: str
    domains: list[str]
    vip: bool
    created_at: datetime
    version: int

    @classmethod
    def of(cls, o: Organization) -> OrganizationOut:
        return cls.model_validate(o)


class OrganizationPageOut(Out):
    items: list[OrganizationOut]
    next_cursor: str | None


# -- agents, teams, tokens, webhooks -----------------------------------------------------------


class AgentIn(In):
    email: EmailStr
    name: Text
    role: Role = Role.AGENT
    subject: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        None, description="The Cognito user's sub; defaults to the agent id (development tokens)."
    )
    teams: list[EntityId] = Field(default_factory=list)
    skills: list[Tag] = Field(default_factory=list)
    capacity: Annotated[int, Field(ge=0, le=1000)] = 20
    time_zone: Annotated[str, StringConstraints(max_length=64)] = "UTC"
    working_hours: WorkingHours | None = None


class AgentUpdateIn(PatchIn):
    version: Version
    name: Text | None = None
    role: Role | None = None
    teams: list[EntityId] | None = None
    skills: list[Tag] | None = None
    capacity: Annotated[int, Field(ge=0, le=1000)] | None = None
    availability: Availability | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    active: bool | None = None
    working_hours: WorkingHours | None = None


class AgentOut(Out):
    id: str
    email: str
    name: str
    role: Role
    teams: list[str]
    skills: list[str]
    capacity: int
    availability: Availability
    time_zone: str
    active: bool
    working_hours: WorkingHours
    created_at: datetime
    version: int

    @classmethod
    def of(cls, a: Agent) -> AgentOut:
        from chalicelib.routing.assignment import hours_to_doc

        return cls.model_validate({**a.__dict__, "working_hours": hours_to_doc(a.working_hours)})


class AgentPageOut(Out):
    items: list[AgentOut]
    next_cursor: str | None


class TeamIn(In):
    name: Text
    description: Annotated[str, StringConstraints(max_length=1000)] = ""
    parent_team_id: EntityId | None = None


class TeamOut(Out):
    id: str
    name: str
    description: str
    assignment_strategy: str
    parent_team_id: str | None
    escalation_team_id: str | None
    lead_id: str | None
    auto_close_days: int
    reminder_days: int
    solve_after_reminder_days: int
    created_at: datetime
    version: int

    @classmethod
    def of(cls, t: Team) -> TeamOut:
        return cls.model_validate(t)


class TeamPageOut(Out):
    items: list[TeamOut]
    next_cursor: str | None


class TokenIn(In):
    name: Text


class TokenOut(Out):
    id: str
    agent_id: str
    name: str
    last4: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, t: ApiToken) -> TokenOut:
        return cls.model_validate(t)


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once; only a hash is stored.")


class TokenListOut(Out):
    items: list[TokenOut]


class WebhookIn(In):
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2000)]
    events: list[Annotated[str, StringConstraints(pattern=r"^(\*|[a-z_]+\.[a-z_*]+)$")]] = Field(min_length=1)


class WebhookOut(Out):
    id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, w: Webhook) -> WebhookOut:
        return cls.model_validate(w)


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="HMAC-SHA256 key for the X-Lambdesk-Signature header; shown once.")


class WebhookListOut(Out):
    items: list[WebhookOut]


class OpenApiDocumentOut(RootModel[dict[str, Any]]):
    """The OpenAPI document itself."""


class HealthOut(Out):
    status: Literal["ok"]
    stage: str
