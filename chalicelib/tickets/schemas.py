"""Pydantic models of the ticket routes: what they accept and return."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.http.schemas import (
    Body,
    Cursor,
    Email,
    EntityId,
    In,
    Limit,
    Out,
    PatchIn,
    Query,
    Tag,
    Text,
    Version,
    exactly_one,
    no_null_query,
    text,
)
from chalicelib.http.schemas import PageQuery as PageQuery  # the routes' paging query, re-exported

# -- tickets -----------------------------------------------------------------------------------


class CreateTicketIn(In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=exactly_one("requester_id", "requester_email"))

    subject: Text
    body: Body = Field(description="The customer's request, as text.")
    requester_id: EntityId | None = None
    requester_email: Email | None = None
    requester_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    channel: Channel = Channel.API
    priority: Priority = Priority.NORMAL
    type: TicketType | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    ccs: list[Email] = Field(default_factory=list, max_length=50)
    team_id: EntityId | None = None
    assignee_id: EntityId | None = None

    @model_validator(mode="after")
    def _one_requester(self) -> CreateTicketIn:
        if (self.requester_id is None) == (self.requester_email is None):
            raise ValueError("give exactly one of requester_id and requester_email")
        return self


MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # the default attachment limit (LAMBDESK_MAX_ATTACHMENT_BYTES)
# The key POST /v1/attachments gave for an upload: <prefix><agent id>/<upload id>/<file name>.
UploadKey = Annotated[
    str,
    StringConstraints(
        pattern=r"^attachments/uploads/[0-9A-HJKMNP-TV-Z]{26}/[0-9A-HJKMNP-TV-Z]{26}/[A-Za-z0-9._-]{1,100}$"
    ),
]
ContentType = Annotated[
    str,
    StringConstraints(
        max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"
    ),
]


class ReplyIn(In):
    body: Body
    status: Status | None = Field(None, description="Set the status in the same write (e.g. pending).")
    version: Version | None = None
    attachments: list[UploadKey] = Field(
        default_factory=list, max_length=10, description="Keys of files uploaded with POST /v1/attachments."
    )


class AttachmentUploadIn(In):
    filename: text(255)  # type: ignore[valid-type]
    content_type: ContentType
    size: Annotated[int, Field(ge=1, le=MAX_UPLOAD_BYTES, description="Bytes (the deployment may allow fewer).")]


class AttachmentUploadOut(Out):
    key: str = Field(description="Name it in the reply's attachments once the file is uploaded.")
    url: str = Field(description="POST a multipart form here: every field below, then the file as 'file'.")
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


class NoteIn(In):
    body: Body
    version: Version | None = None


class UpdateTicketIn(PatchIn):
    NULLABLE = frozenset({"type", "team_id", "assignee_id"})

    version: Version | None = None
    subject: Text | None = None
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    tags: list[Tag] | None = Field(None, max_length=50)
    ccs: list[Email] | None = Field(None, max_length=50)
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


# The parameter each view needs (the requester view: requester_id or requester_email, one of them).
VIEW_NEEDS: dict[str, tuple[str, ...]] = {
    "assignee": ("assignee_id",),
    "team": ("team_id",),
    "team_queue": ("team_id",),
    "status": ("status",),
    "priority": ("priority",),
    "requester": ("requester_id", "requester_email"),
    "organization": ("organization_id",),
}


def _one_view_shape(schema: dict[str, Any], model: Any) -> None:
    """The document states what a view needs: one branch per view and parameter (``oneOf``)."""
    no_null_query(schema)
    branches: list[dict[str, Any]] = [{"properties": {"view": {"enum": ["unassigned", "mine"]}}}]
    for view, names in VIEW_NEEDS.items():
        branches += [{"required": ["view", n], "properties": {"view": {"const": view}}} for n in names]
    schema["oneOf"] = branches


class TicketListQuery(Query):
    """Which view, and the one parameter it needs; the others are ignored."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_view_shape)

    view: ViewName = "unassigned"
    assignee_id: EntityId | None = None
    team_id: EntityId | None = None
    status: Status | None = None
    priority: Priority | None = None
    requester_id: EntityId | None = None
    requester_email: Email | None = None
    organization_id: EntityId | None = None
    include_solved: bool = False
    limit: Limit = 25
    cursor: Cursor | None = None


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


class SatisfactionOut(Out):
    """The customer's latest answer to a satisfaction survey of this ticket (``csat.answered`` on the timeline)."""

    rating: int
    comment: str | None
    at: datetime

    @classmethod
    def latest(cls, timeline: list[TimelineEntry]) -> SatisfactionOut | None:
        from chalicelib.domain.survey_events import CSAT_ANSWERED

        answered = [e for e in timeline if e.event == CSAT_ANSWERED and isinstance(e.data.get("rating"), int)]
        if not answered:
            return None
        last = max(answered, key=lambda e: (e.at, e.id))
        return cls(rating=last.data["rating"], comment=last.body_text, at=last.at)


class TicketDetailOut(Out):
    ticket: TicketOut
    timeline: list[EntryOut]
    satisfaction: SatisfactionOut | None = Field(None, description="The latest survey answer, if any.")

    @classmethod
    def versioned_resource(cls) -> bool:
        return True

    def etag(self) -> int | None:
        return self.ticket.version


class TicketPageOut(Out):
    items: list[TicketOut]
    next_cursor: str | None


class EscalateIn(In):
    reason: text(2000)  # type: ignore[valid-type]
    version: Version | None = None
