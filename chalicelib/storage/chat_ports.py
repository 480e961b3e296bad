"""The chat's repository interface (a port beside ``ports.py``, which it would push past 400 lines).

``chalicelib.storage.dynamodb.chat`` implements it on the table, ``tests/fakes/memory_chat.py`` in memory; the
contract suite ``tests/integration/test_chat_contract.py`` runs against both. The items and the requests that
serve each method are listed in ``chalicelib/storage/dynamodb/models.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.chat import ChatEvent, Connection, Conversation, Grant, Presence


class ChatRepository(Protocol):
    # -- conversations and their numbered log ------------------------------------------------------

    def create_conversation(self, conversation: Conversation) -> None: ...

    def get_conversation(self, conversation_id: str, consistent: bool = False) -> Conversation:
        """Raises NotFound."""

    def save_conversation(self, conversation: Conversation, expected_version: int, release: str | None = None) -> None:
        """Replace it if the stored version is ``expected_version`` (else Conflict); ringing ones are due. With
        ``release``, that agent stops counting it in the same write (a chat back in line is never both
        waiting and still held by the agent who missed it)."""

    def conversation_for_ticket(self, ticket_id: str) -> str | None:
        """The conversation a chat ticket belongs to (the lookup written with the ticket)."""

    def next_seq(self, conversation_id: str) -> int:
        """The next number of the conversation's log: an atomic counter (a failed write leaves a gap)."""

    def append(self, conversation_id: str, event: ChatEvent, claim: str | None = None) -> bool:
        """Store a log entry; with ``claim`` (a key that must be new, pointing to the seq) in one transaction.
        False when the claim is taken (the entry was logged before, under the seq the claim names)."""

    def put_event(self, conversation_id: str, event: ChatEvent) -> None:
        """Store (again) a log entry whose seq a claim already holds: idempotent."""

    def claimed(self, key: str) -> int | None:
        """The seq a claim points to, if it is taken."""

    def events_since(self, conversation_id: str, since: int, limit: int) -> list[ChatEvent]:
        """Log entries with seq > ``since``, in order (one Query)."""

    def due_conversations(self, now: datetime, limit: int) -> list[str]:
        """Live conversations whose next deadline (ring, inactivity) is at or before ``now`` (sparse due index)."""

    # -- the waiting line ----------------------------------------------------------------------------

    def enqueue(self, conversation_id: str, at: datetime) -> None: ...

    def dequeue(self, conversation_id: str, at: datetime) -> None: ...

    def queued(self, limit: int) -> list[str]:
        """Waiting conversations, oldest first (one Query)."""

    # -- sockets --------------------------------------------------------------------------------------

    def put_connection(self, connection: Connection) -> None:
        """The socket's item and its membership item (conversation or agent), together."""

    def get_connection(self, connection_id: str, now: datetime) -> Connection | None:
        """None when unknown or expired (TTL deletion is lazy)."""

    def delete_connection(self, connection: Connection) -> None:
        """Both items; idempotent."""

    def conversation_connections(self, conversation_id: str, now: datetime) -> list[str]:
        """Connection ids of a conversation's customer sockets (one Query; expired ones left out)."""

    def agent_connections(self, agent_id: str, now: datetime) -> list[str]:
        """Connection ids of an agent's sockets (one Query; expired ones left out)."""

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        """Count one frame in the current fixed window of ``counter``; the window's count."""

    # -- connect tokens -----------------------------------------------------------------------------

    def put_grant(self, token_hash: str, grant: Grant) -> None: ...

    def take_grant(self, token_hash: str, now: datetime) -> Grant | None:
        """The grant, deleted in the same request (single use); None when unknown, used or expired."""

    # -- agents' web sign-in: one-time links, second-factor steps, sessions, TOTP secrets (keys.py) ------

    def put_secret(self, key: str, value: dict[str, Any], expires_at: datetime | None) -> None: ...

    def get_secret(self, key: str, now: datetime) -> dict[str, Any] | None:
        """None when unknown or expired."""

    def take_secret(self, key: str, now: datetime) -> dict[str, Any] | None:
        """Read and delete in one request (single use); None when unknown, used or expired."""

    def delete_secret(self, key: str) -> None: ...

    # -- agents' presence and chat capacity ------------------------------------------------------------

    def heartbeat(self, agent_id: str, name: str, capacity: int, now: datetime) -> None: ...

    def leave(self, agent_id: str) -> None:
        """The agent is no longer available for chats (their open chats stay counted until they end)."""

    def presences(self) -> list[Presence]:
        """Every agent's presence item (one Query of one partition: a desk has tens of chat agents)."""

    def reserve(self, agent_id: str, conversation_id: str, fresh_since: datetime) -> None:
        """Count the chat against the agent, only while their count is below their capacity and their heartbeat
        is not older than ``fresh_since`` (a condition at write time). Raises AtCapacity."""

    def release(self, agent_id: str, conversation_id: str) -> bool:
        """Stop counting it (idempotent); True when it was counted. Not while the conversation counts against
        that agent (ringing for them, or active with them): a writer that lost a race for a chat must not drop
        the hold the winner shares with it (reservations of one chat for one agent are one set member)."""

    def count_missed(self, agent_id: str) -> None: ...
