"""In-memory fakes of ConfigRepository and WorkRepository (same rules as DynamoDB; same contract suite)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from chalicelib.core.errors import AlreadyExists, AtCapacity, Conflict, NotFound
from chalicelib.domain.people import Availability
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import Page
from chalicelib.storage.ports import AuditRecord, Document, DueItem, Key, StartKey
from tests.fakes.memory import InMemoryDirectoryRepository, InMemoryTicketRepository


class InMemoryConfigRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._docs: dict[tuple[str, str], Document] = {}
        self._audit: list[AuditRecord] = []

    def list_documents(self, kind: str) -> list[Document]:
        return [d for (k, _), d in sorted(self._docs.items()) if k == kind]

    def get_document(self, kind: str, doc_id: str) -> Document:
        try:
            return self._docs[(kind, doc_id)]
        except KeyError:
            raise NotFound(kind, doc_id) from None

    def write_document(
        self, doc: Document, expected_version: int | None, audit: AuditRecord, keep: Sequence[Document] = ()
    ) -> None:
        with self._lock:
            stored = self._docs.get((doc.kind, doc.id))
            if expected_version is None and stored is not None:
                raise AlreadyExists(doc.kind, "id", doc.id)
            if expected_version is not None and (stored is None or stored.version != expected_version):
                raise Conflict(f"{doc.kind} {doc.id} was changed by someone else")
            for copy in keep:
                if (copy.kind, copy.id) in self._docs:
                    raise AlreadyExists(copy.kind, "version", copy.version)
            self._docs[(doc.kind, doc.id)] = doc
            for copy in keep:
                self._docs[(copy.kind, copy.id)] = copy
            self._audit.append(audit)

    def delete_document(self, kind: str, doc_id: str, expected_version: int, audit: AuditRecord) -> None:
        with self._lock:
            stored = self._docs.get((kind, doc_id))
            if stored is None or stored.version != expected_version:
                raise Conflict(f"{kind} {doc_id} was changed or deleted by someone else")
            del self._docs[(kind, doc_id)]
            self._audit.append(audit)

    def list_audit(self, limit: int, start: StartKey = None) -> Page[AuditRecord]:
        newest = sorted(self._audit, key=lambda r: r.id, reverse=True)
        after = start["sk"] if start else None
        rest = [r for r in newest if after is None or r.id < after]
        chosen = rest[:limit]
        return Page(chosen, {"sk": chosen[-1].id} if len(rest) > limit else None)


class InMemoryWorkRepository:
    def __init__(self, tickets: InMemoryTicketRepository, directory: InMemoryDirectoryRepository) -> None:
        self._lock = threading.Lock()
        self.tickets = tickets
        self.directory = directory
        self._loads: dict[str, set[str]] = {}
        self._cursors: dict[str, str] = {}
        self._due: dict[tuple[str, str], DueItem] = {}

    def loads(self, agent_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        return {a: frozenset(self._loads.get(a, ())) for a in agent_ids}

    def assign(
        self,
        ticket: Ticket,
        expected_version: int,
        entries: Sequence[TimelineEntry],
        agent_id: str,
        capacity: int,
        claims: Sequence[Key] = (),
    ) -> None:
        with self._lock:
            if self.tickets.get(ticket.id).version != expected_version:
                raise Conflict(f"ticket {ticket.id} was changed by someone else")
            counted = self._loads.setdefault(agent_id, set())
            agent = self.directory.get_agent(agent_id)
            if capacity <= 0 or len(counted) >= capacity or not agent.active:
                raise AtCapacity(agent_id)
            if agent.availability is not Availability.ONLINE:
                raise AtCapacity(agent_id)
            self.tickets.save([(ticket, expected_version)], entries, claims)
            counted.add(ticket.id)

    def count(self, agent_id: str, ticket_id: str) -> None:
        with self._lock:
            self._loads.setdefault(agent_id, set()).add(ticket_id)

    def uncount(self, agent_id: str, ticket_id: str) -> bool:
        with self._lock:
            counted = self._loads.setdefault(agent_id, set())
            if ticket_id not in counted:
                return False
            counted.discard(ticket_id)
            return True

    def cursor(self, team_id: str) -> str | None:
        return self._cursors.get(team_id)

    def set_cursor(self, team_id: str, agent_id: str) -> None:
        self._cursors[team_id] = agent_id

    def put_due(self, item: DueItem, expected: int | None = None) -> bool:
        with self._lock:
            stored = self._due.get((item.kind, item.ticket_id))
            if expected is not None and (stored.basis_version if stored else 0) != expected:
                return False
            if expected is None and stored is not None and stored.basis_version > item.basis_version:
                return False
            self._due[(item.kind, item.ticket_id)] = replace(item, state=dict(item.state))
            return True

    def get_due(self, kind: str, ticket_id: str) -> DueItem | None:
        return self._due.get((kind, ticket_id))

    def ticket_state(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry], dict[str, DueItem]]:
        ticket, entries = self.tickets.get_with_timeline(ticket_id)
        return ticket, entries, {k: d for (k, t), d in self._due.items() if t == ticket_id}

    def ticket_head(self, ticket_id: str) -> tuple[Ticket, dict[str, DueItem]]:
        return self.tickets.get(ticket_id), {k: d for (k, t), d in self._due.items() if t == ticket_id}

    def due(self, kind: str, now: datetime, limit: int) -> list[DueItem]:
        waiting = [d for (k, _), d in self._due.items() if k == kind and d.due_at is not None and d.due_at <= now]
        return sorted(waiting, key=lambda d: (d.due_at, d.ticket_id))[:limit]
