"""Pydantic models of the chat routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import EmailStr, Field, StringConstraints

from chalicelib.chat.protocol import MAX_BODY_CHARS
from chalicelib.http.schemas import EntityId, In, Out, Query

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{8,64}$")]
ChatText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_BODY_CHARS)]


class StartChatIn(In):
    name: Name = ""
    email: EmailStr | None = None
    message: ChatText = ""


class StartedOut(Out):
    offline: bool = Field(description="Nobody can chat now: show the message form (its answer comes by email).")
    conversation_id: EntityId | None = None
    ticket_id: EntityId | None = None
    state: str | None = None
    connect_token: str | None = Field(None, description="Single use, about 60 s: the ws_url carries it.")
    ws_url: str | None = None
    resume_token: str | None = Field(
        None, description="The conversation's key: new connect tokens, polling and sending without a socket."
    )


class AvailabilityOut(Out):
    status: Literal["online", "busy", "offline"]


class ConnectOut(Out):
    connect_token: str
    ws_url: str


class ChatMessageIn(In):
    client_id: ClientId
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY_CHARS)]


class AckOut(Out):
    client_id: str
    seq: int


class EventsQuery(Query):
    since: int = Field(0, ge=0)


class ChatEventOut(Out):
    seq: int
    type: str
    at: datetime
    author: str
    body: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class EventsOut(Out):
    conversation_id: str
    state: str
    events: list[ChatEventOut]


class ConversationOut(Out):
    conversation_id: str
    ticket_id: str
    state: str


class TranscriptOut(Out):
    sent_to: str


class QueueItemOut(Out):
    conversation_id: str
    ticket_id: str
    state: str
    waiting_since: datetime
    offered_to_me: bool


class QueueOut(Out):
    conversations: list[QueueItemOut]
