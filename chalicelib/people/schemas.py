"""Pydantic models of the people routes (customers, organizations, agents, teams, tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from chalicelib.domain.people import Agent, ApiToken, Availability, Customer, Organization, Role, Strategy, Team
from chalicelib.http.schemas import (
    Cursor,
    Days,
    Email,
    EntityId,
    In,
    Locale,
    Out,
    PatchIn,
    Query,
    Tag,
    Text,
    TimeZone,
    Version,
    WorkingHours,
    one_nonempty,
)
from chalicelib.http.schemas import PageQuery as PageQuery  # the routes' paging query, re-exported

# -- customers and organizations ---------------------------------------------------------------


class IdentityOut(Out):
    kind: Literal["email", "chat", "phone"]
    value: str


class CustomerIn(In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=one_nonempty("emails", "chat_ids", "phones"))

    name: Annotated[str, StringConstraints(max_length=200), AfterValidator(str.strip)] = ""
    emails: list[Email] = Field(default_factory=list, max_length=20)
    chat_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(default_factory=list)
    phones: list[Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{5,32}$")]] = Field(default_factory=list)
    organization_id: EntityId | None = None
    vip: bool = False
    locale: Locale | None = None
    time_zone: TimeZone | None = None


class CustomerUpdateIn(PatchIn):
    NULLABLE = frozenset({"organization_id", "locale", "time_zone"})

    version: Version | None = None
    name: Text | None = None
    emails: list[Email] | None = None
    chat_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] | None = None
    phones: list[Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{5,32}$")]] | None = None
    organization_id: EntityId | None = None
    vip: bool | None = None
    locale: Locale | None = None
    time_zone: TimeZone | None = None
    manager: bool | None = Field(None, description="Sees and answers every ticket of the organization in the portal")
    mail_updates: bool | None = Field(None, description="Gets the desk's answers by mail (else only in the portal)")


class CustomerOut(Out):
    id: str
    name: str
    email: str | None
    identities: list[IdentityOut]
    organization_id: str | None
    vip: bool
    locale: str | None
    time_zone: str | None
    manager: bool
    mail_updates: bool
    created_at: datetime
    version: int
    merged_into_id: str | None = Field(None, description="Set when this customer was merged into another.")

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
            manager=c.manager,
            mail_updates=c.mail_updates,
            created_at=c.created_at,
            version=c.version,
            merged_into_id=c.merged_into_id,
        )


class CustomerPageOut(Out):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerLookupQuery(Query):
    email: Email


class OrganizationIn(In):
    name: Text
    domains: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]] = Field(
        default_factory=list, max_length=20
    )
    vip: bool = False


class OrganizationUpdateIn(PatchIn):
    version: Version | None = None
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


class AttachIn(In):
    cursor: Cursor | None = None


class AttachOut(Out):
    attached: int = Field(description="Customers of the organization's domains that joined it in this call.")
    next_cursor: str | None = Field(description="Not null: call again with it to go on.")


class CustomerMergeIn(In):
    target_id: EntityId = Field(description="The customer who keeps the identities and the tickets.")
    version: Version | None = None


class CustomerMergeOut(Out):
    customer: CustomerOut = Field(description="The customer merged into, with every identity.")
    moved_tickets: int = Field(description="Tickets re-pointed to it in this call.")
    more_tickets: bool = Field(description="True: tickets remain; call again (idempotent) to move the next batch.")


class OrganizationPageOut(Out):
    items: list[OrganizationOut]
    next_cursor: str | None


# -- agents, teams, tokens, webhooks -----------------------------------------------------------


class AgentIn(In):
    email: Email
    name: Text
    role: Role = Role.AGENT
    subject: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        None, description="The Cognito user's sub; defaults to the agent id (development tokens)."
    )
    teams: list[EntityId] = Field(default_factory=list)
    skills: list[Tag] = Field(default_factory=list)
    capacity: Annotated[int, Field(ge=0, le=1000)] = 20
    time_zone: TimeZone = "UTC"
    working_hours: WorkingHours | None = None


class AgentUpdateIn(PatchIn):
    version: Version | None = None
    name: Text | None = None
    role: Role | None = None
    teams: list[EntityId] | None = None
    skills: list[Tag] | None = None
    capacity: Annotated[int, Field(ge=0, le=1000)] | None = None
    availability: Availability | None = None
    time_zone: TimeZone | None = None
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
        from chalicelib.calendars.working_hours import hours_to_doc

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


class TeamUpdateIn(PatchIn):
    NULLABLE = frozenset({"escalation_team_id", "lead_id", "parent_team_id"})

    version: Version | None = None
    name: Text | None = None
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    assignment_strategy: Strategy | None = None
    escalation_team_id: EntityId | None = None
    lead_id: EntityId | None = None
    parent_team_id: EntityId | None = None
    auto_close_days: Days | None = None
    reminder_days: Days | None = None
    solve_after_reminder_days: Days | None = None
