"""Live chat: conversations (each one a ticket on channel ``chat``), their numbered event log, the sockets
connected to them, and agents' chat presence. The rules live in ``chalicelib/chat``; these are the values the
repositories store (docs/decisions/043-chat.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ConversationState(StrEnum):
    QUEUED = "queued"  # waiting for an agent with room
    RINGING = "ringing"  # offered to one agent until ``ring_until``
    ACTIVE = "active"  # an agent accepted
    OFFLINE = "offline"  # nobody was available: the ticket is answered by email
    ENDED = "ended"

    @property
    def live(self) -> bool:
        return self in (ConversationState.QUEUED, ConversationState.RINGING, ConversationState.ACTIVE)


class Side(StrEnum):
    """Who holds a socket (or wrote an event): the customer of a conversation, or an agent."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True)
class Conversation:
    id: str
    ticket_id: str
    customer_id: str
    created_at: datetime
    state: ConversationState
    last_activity_at: datetime
    # sha256 of the conversation's secret (the customer's key to reconnect, poll and send without a socket)
    secret_hash: str
    agent_id: str | None = None
    ring_agent_id: str | None = None
    ring_until: datetime | None = None
    # agents who let it ring out (never offered again)
    missed_by: tuple[str, ...] = ()
    queued_at: datetime | None = None
    ended_at: datetime | None = None
    # the next deadline while live (the ring running out, else inactivity): the sweep reads it from the due index
    due_at: datetime | None = None
    version: int = 1


@dataclass(frozen=True)
class ChatEvent:
    """One numbered entry of a conversation's log: what a client replays with ``resume``."""

    seq: int
    type: str  # message | status
    at: datetime
    author: Side
    body: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def frame(self, conversation_id: str) -> dict[str, Any]:
        """The server frame that carries it."""
        if self.type == "message":
            frame: dict[str, Any] = {"type": "message", "author": str(self.author), "body": self.body}
        else:
            frame = {"type": self.type, **self.data}
        return {**frame, "conversation": conversation_id, "seq": self.seq, "at": self.at.isoformat()}


@dataclass(frozen=True)
class Connection:
    id: str
    side: Side
    connected_at: datetime
    expires_at: datetime
    conversation_id: str | None = None  # customer sockets
    agent_id: str | None = None  # agent sockets


@dataclass(frozen=True)
class Grant:
    """What a single-use connect token lets its holder open: one conversation's socket, or an agent's."""

    side: Side
    expires_at: datetime
    conversation_id: str | None = None
    agent_id: str | None = None


@dataclass(frozen=True)
class Presence:
    """An agent's chat presence: fresh while the heartbeat is; ``chats`` count against ``capacity``."""

    agent_id: str
    name: str
    seen_at: datetime
    capacity: int
    chats: frozenset[str] = frozenset()
    missed: int = 0
