"""Repository interfaces of the desk's configuration and of routing and timed work.

* ``ConfigRepository``: admin-managed documents (routing rules, SLA policies and their versions,
  calendars, triggers, macros) and the audit trail of every change to them.
* ``WorkRepository``: agents' loads (the tickets counted against their capacity), the capped assignment
  transaction, round-robin cursors, and the items of the sparse ``due`` index that the sweeps read.

Implemented on DynamoDB (``dynamodb/desk.py``) and in memory (``memory_desk.py``); the contract suite
(tests/integration/test_desk_contract.py) runs against both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import Page
from chalicelib.storage.ports import Key, StartKey


@dataclass(frozen=True)
class Document:
    """One admin-managed configuration document; ``body`` is its JSON form."""

    kind: str
    id: str
    body: dict[str, Any]
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class AuditRecord:
    id: str
    at: datetime
    actor_id: str
    action: str  # create | update | delete
    kind: str
    target_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass(frozen=True)
class DueItem:
    """A ticket's item in the sparse ``due`` index: SLA state or an automation timer.

    ``basis_version`` is the ticket version the state was computed from: a write based on an older version
    than the stored one is skipped, so a slow worker cannot put back stale state."""

    kind: str
    ticket_id: str
    due_at: datetime | None
    state: dict[str, Any] = field(default_factory=dict)
    basis_version: int = 0


class ConfigRepository(Protocol):
    def list_documents(self, kind: str) -> list[Document]:
        """Every document of a kind (one Query; a desk has tens, not thousands)."""

    def get_document(self, kind: str, doc_id: str) -> Document:
        """Raises NotFound."""

    def write_document(
        self, doc: Document, expected_version: int | None, audit: AuditRecord, keep: Sequence[Document] = ()
    ) -> None:
        """Create (``expected_version`` None: AlreadyExists if taken) or replace (Conflict unless the stored
        version is ``expected_version``) with its audit record and ``keep`` (immutable copies, e.g. policy
        versions), in one transaction."""

    def delete_document(self, kind: str, doc_id: str, expected_version: int, audit: AuditRecord) -> None: ...

    def list_audit(self, limit: int, start: StartKey = None) -> Page[AuditRecord]:
        """Newest first."""


class WorkRepository(Protocol):
    def loads(self, agent_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        """The ticket ids counted against each agent (BatchGetItem; missing agents count nothing)."""

    def assign(
        self,
        ticket: Ticket,
        expected_version: int,
        entries: Sequence[TimelineEntry],
        agent_id: str,
        capacity: int,
        claims: Sequence[Key] = (),
    ) -> None:
        """Write an automatic assignment and count the ticket against the agent, atomically.

        Refused with ``AtCapacity`` when the agent's count has reached ``capacity`` or the agent is no longer
        online and active at commit time; ``Conflict`` when the ticket changed; ``Duplicate`` for a claim."""

    def count(self, agent_id: str, ticket_id: str) -> None:
        """Count a ticket against an agent (idempotent: a set add)."""

    def uncount(self, agent_id: str, ticket_id: str) -> bool:
        """Stop counting it (idempotent); True when it was counted, i.e. the agent has room now."""

    def cursor(self, team_id: str) -> str | None:
        """The agent a team's round-robin assigned last."""

    def set_cursor(self, team_id: str, agent_id: str) -> None: ...

    def put_due(self, item: DueItem) -> bool:
        """Store a ticket's due item (absent from the index when ``due_at`` is None); False when a newer one
        (higher ``basis_version``) is stored already."""

    def get_due(self, kind: str, ticket_id: str) -> DueItem | None: ...

    def ticket_state(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry], dict[str, DueItem]]:
        """The ticket, its timeline and its due items, by kind: one Query of the ticket's partition."""

    def due(self, kind: str, now: datetime, limit: int) -> list[DueItem]:
        """Items of ``kind`` due at or before ``now``, earliest first: one Query on the sparse index."""
