"""In-memory fake of ChatRepository (same rules as DynamoDB; tests/integration/test_chat_contract.py runs both).

Claims and lookups share the ticket fake's key space, as they share the table: a customer's message claims its
client id in the ticket write, and the chat reads it back here.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.core.errors import AlreadyExists, AtCapacity, Conflict, NotFound
from chalicelib.domain.chat import ChatEvent, Connection, Conversation, ConversationState, Grant, Presence, Side
from chalicelib.storage import keys
from tests.fakes.memory import InMemoryTicketRepository

EPOCH = datetime.fromtimestamp(0, UTC)


class InMemoryChatRepository:
    def __init__(self, tickets: InMemoryTicketRepository) -> None:
        self._lock = threading.Lock()
        self.tickets = tickets
        self._conversations: dict[str, Conversation] = {}
        self._counters: dict[str, int] = {}
        self._events: dict[str, dict[int, ChatEvent]] = {}
        self._queue: dict[tuple[datetime, str], str] = {}
        self._connections: dict[str, Connection] = {}
        self._grants: dict[str, Grant] = {}
        self._presence: dict[str, Presence] = {}
        self._rates: dict[tuple[str, int], int] = {}
        self._secrets: dict[str, tuple[dict[str, Any], datetime | None]] = {}

    # -- conversations and their log ----------------------------------------------------------------

    def create_conversation(self, conversation: Conversation) -> None:
        with self._lock:
            if conversation.id in self._conversations:
                raise AlreadyExists("conversation", "id", conversation.id)
            self._conversations[conversation.id] = conversation

    def get_conversation(self, conversation_id: str, consistent: bool = False) -> Conversation:
        try:
            return self._conversations[conversation_id]
        except KeyError:
            raise NotFound("conversation", conversation_id) from None

    def save_conversation(self, conversation: Conversation, expected_version: int, release: str | None = None) -> None:
        with self._lock:
            stored = self._conversations.get(conversation.id)
            if stored is None or stored.version != expected_version:
                raise Conflict(f"conversation {conversation.id} was changed by someone else")
            self._conversations[conversation.id] = conversation
            held = self._presence.get(release) if release is not None else None
            if release is not None and held is not None:
                self._presence[release] = replace(held, chats=held.chats - {conversation.id})

    def conversation_for_ticket(self, ticket_id: str) -> str | None:
        return self.tickets.keys.get(keys.chat_ticket(ticket_id))

    def next_seq(self, conversation_id: str) -> int:
        with self._lock:
            self._counters[conversation_id] = self._counters.get(conversation_id, 0) + 1
            return self._counters[conversation_id]

    def append(self, conversation_id: str, event: ChatEvent, claim: str | None = None) -> bool:
        with self._lock:
            if claim is not None:
                if claim in self.tickets.keys:
                    return False
                self.tickets.keys[claim] = str(event.seq)
            self._events.setdefault(conversation_id, {})[event.seq] = event
            return True

    def put_event(self, conversation_id: str, event: ChatEvent) -> None:
        with self._lock:
            self._events.setdefault(conversation_id, {})[event.seq] = event

    def claimed(self, key: str) -> int | None:
        found = self.tickets.keys.get(key)
        return int(found) if found is not None else None

    def events_since(self, conversation_id: str, since: int, limit: int) -> list[ChatEvent]:
        log = self._events.get(conversation_id, {})
        return [log[seq] for seq in sorted(log) if seq > since][:limit]

    def due_conversations(self, now: datetime, limit: int) -> list[str]:
        due = [(c.due_at, c.id) for c in self._conversations.values() if c.due_at is not None and c.due_at <= now]
        return [conversation_id for _, conversation_id in sorted(due)][:limit]

    # -- the waiting line ---------------------------------------------------------------------------

    def enqueue(self, conversation_id: str, at: datetime) -> None:
        with self._lock:
            self._queue[(at, conversation_id)] = conversation_id

    def dequeue(self, conversation_id: str, at: datetime) -> None:
        with self._lock:
            self._queue.pop((at, conversation_id), None)

    def queued(self, limit: int) -> list[str]:
        return [self._queue[key] for key in sorted(self._queue)][:limit]

    # -- sockets --------------------------------------------------------------------------------------

    def put_connection(self, connection: Connection) -> None:
        with self._lock:
            self._connections[connection.id] = connection

    def get_connection(self, connection_id: str, now: datetime) -> Connection | None:
        found = self._connections.get(connection_id)
        if found is None or found.expires_at <= now:
            return None
        return found

    def delete_connection(self, connection: Connection) -> None:
        with self._lock:
            self._connections.pop(connection.id, None)

    def conversation_connections(self, conversation_id: str, now: datetime) -> list[str]:
        return sorted(
            c.id
            for c in self._connections.values()
            if c.side is Side.CUSTOMER and c.conversation_id == conversation_id and c.expires_at > now
        )

    def agent_connections(self, agent_id: str, now: datetime) -> list[str]:
        return sorted(
            c.id
            for c in self._connections.values()
            if c.side is Side.AGENT and c.agent_id == agent_id and c.expires_at > now
        )

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        window = int(now.timestamp()) // window_seconds
        with self._lock:
            self._rates[(counter, window)] = self._rates.get((counter, window), 0) + 1
            return self._rates[(counter, window)]

    # -- connect tokens -------------------------------------------------------------------------------

    def put_grant(self, token_hash: str, grant: Grant) -> None:
        with self._lock:
            self._grants[token_hash] = grant

    def take_grant(self, token_hash: str, now: datetime) -> Grant | None:
        with self._lock:
            grant = self._grants.pop(token_hash, None)
        if grant is None or grant.expires_at <= now:
            return None
        return grant

    # -- agents' web sign-in ----------------------------------------------------------------------------

    def put_secret(self, key: str, value: dict[str, Any], expires_at: datetime | None) -> None:
        with self._lock:
            self._secrets[key] = (dict(value), expires_at)

    def get_secret(self, key: str, now: datetime) -> dict[str, Any] | None:
        value, expires_at = self._secrets.get(key, (None, None))
        if value is None or (expires_at is not None and expires_at <= now):
            return None
        return dict(value)

    def take_secret(self, key: str, now: datetime) -> dict[str, Any] | None:
        with self._lock:
            value, expires_at = self._secrets.pop(key, (None, None))
        if value is None or (expires_at is not None and expires_at <= now):
            return None
        return value

    def delete_secret(self, key: str) -> None:
        with self._lock:
            self._secrets.pop(key, None)

    # -- presence and capacity ----------------------------------------------------------------------------

    def _presence_of(self, agent_id: str) -> Presence:
        return self._presence.get(agent_id) or Presence(agent_id, "", EPOCH, 0)

    def heartbeat(self, agent_id: str, name: str, capacity: int, now: datetime) -> None:
        with self._lock:
            self._presence[agent_id] = replace(self._presence_of(agent_id), name=name, capacity=capacity, seen_at=now)

    def leave(self, agent_id: str) -> None:
        with self._lock:
            self._presence[agent_id] = replace(self._presence_of(agent_id), seen_at=EPOCH)

    def presences(self) -> list[Presence]:
        return sorted(self._presence.values(), key=lambda p: p.agent_id)

    def reserve(self, agent_id: str, conversation_id: str, fresh_since: datetime) -> None:
        with self._lock:
            found = self._presence.get(agent_id)
            if found is None or found.seen_at < fresh_since or len(found.chats) >= found.capacity:
                raise AtCapacity(agent_id)
            self._presence[agent_id] = replace(found, chats=found.chats | {conversation_id})

    def release(self, agent_id: str, conversation_id: str) -> bool:
        with self._lock:
            found = self._presence.get(agent_id)
            if found is None or conversation_id not in found.chats:
                return False
            c = self._conversations.get(conversation_id)
            if c is not None and (
                (c.state is ConversationState.RINGING and c.ring_agent_id == agent_id)
                or (c.state is ConversationState.ACTIVE and c.agent_id == agent_id)
            ):
                return False  # the conversation counts against this agent: another writer relies on the hold
            self._presence[agent_id] = replace(found, chats=found.chats - {conversation_id})
            return True

    def count_missed(self, agent_id: str) -> None:
        with self._lock:
            found = self._presence_of(agent_id)
            self._presence[agent_id] = replace(found, missed=found.missed + 1)
