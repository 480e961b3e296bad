"""ConfigRepository and WorkRepository on DynamoDB (items and access patterns: see models.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import size

from chalicelib.core.errors import AlreadyExists, AtCapacity, Conflict, DomainError, Duplicate, NotFound
from chalicelib.domain.report_chain import chained
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import Page
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.mapping import (
    TICKET_SK,
    entry_to_item,
    item_to_entry,
    item_to_ticket,
    ticket_pk,
    ticket_to_item,
)
from chalicelib.storage.dynamodb.models import AgentItem, DueStateItem, EntryItem, Item, TicketItem
from chalicelib.storage.dynamodb.slice_models import AuditItem, ConfigItem, LoadItem
from chalicelib.storage.ports import AuditRecord, Document, DueItem, Key, StartKey

LOAD_SK = "LOAD"
BATCH_GET_LIMIT = 100


def due_stamp(at: datetime) -> str:
    """Sortable fixed-width UTC text: the due index's sort key."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_stamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class DynamoConfigRepository:
    def list_documents(self, kind: str) -> list[Document]:
        return [_document(kind, item) for item in ConfigItem.query(keys.config(kind))]

    def get_document(self, kind: str, doc_id: str) -> Document:
        item = base.get_item(ConfigItem, keys.config(kind), doc_id, NotFound(kind, doc_id))
        assert item is not None
        return _document(kind, item)

    def write_document(
        self, doc: Document, expected_version: int | None, audit: AuditRecord, keep: Sequence[Document] = ()
    ) -> None:
        def error(position: int) -> DomainError:
            if position == 0 and expected_version is None:
                return AlreadyExists(doc.kind, "id", doc.id)
            if position == 0:
                return Conflict(f"{doc.kind} {doc.id} was changed by someone else")
            return AlreadyExists(doc.kind, "version", doc.version)

        condition = Item.pk.does_not_exist() if expected_version is None else ConfigItem.version == expected_version
        with base.transaction(error) as txn:
            txn.save(_config_item(doc), condition=condition)
            for copy in keep:
                txn.save(_config_item(copy), condition=Item.pk.does_not_exist())
            txn.save(_audit_item(audit))

    def delete_document(self, kind: str, doc_id: str, expected_version: int, audit: AuditRecord) -> None:
        def error(position: int) -> DomainError:
            return Conflict(f"{kind} {doc_id} was changed or deleted by someone else")

        with base.transaction(error) as txn:
            txn.delete(ConfigItem(keys.config(kind), doc_id), condition=ConfigItem.version == expected_version)
            txn.save(_audit_item(audit))

    def list_audit(self, limit: int, start: StartKey = None) -> Page[AuditRecord]:
        results = Item.idx_directory.query(  # type: ignore[attr-defined]
            "AUDIT", limit=limit, page_size=limit, last_evaluated_key=start, scan_index_forward=False
        )
        return base.page(results, _audit)


def _config_item(doc: Document) -> ConfigItem:
    return ConfigItem(
        keys.config(doc.kind),
        doc.id,
        doc_id=doc.id,
        body=doc.body,
        version=doc.version,
        updated_at=doc.updated_at,
        updated_by=doc.updated_by,
    )


def _document(kind: str, item: ConfigItem) -> Document:
    return Document(kind, item.doc_id, dict(item.body), int(item.version), item.updated_at, item.updated_by)


def _audit_item(record: AuditRecord) -> AuditItem:
    return AuditItem(
        keys.audit(record.id),
        "AUDIT",
        id=record.id,
        at=record.at,
        actor_id=record.actor_id,
        action=record.action,
        config_kind=record.kind,
        target_id=record.target_id,
        before=record.before,
        after=record.after,
        dir_pk="AUDIT",
        dir_sk=record.id,
    )


def _audit(item: AuditItem) -> AuditRecord:
    return AuditRecord(
        item.id, item.at, item.actor_id, item.action, item.config_kind, item.target_id, item.before, item.after
    )


class DynamoWorkRepository:
    def loads(self, agent_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        found: dict[str, frozenset[str]] = {agent_id: frozenset() for agent_id in agent_ids}
        unique = sorted(set(agent_ids))
        for start in range(0, len(unique), BATCH_GET_LIMIT):
            wanted = [(keys.load(a), LOAD_SK) for a in unique[start : start + BATCH_GET_LIMIT]]
            for item in LoadItem.batch_get(wanted):
                found[item.pk.removeprefix(keys.LOAD_PREFIX)] = frozenset(item.tickets or ())
        return found

    def assign(
        self,
        ticket: Ticket,
        expected_version: int,
        entries: Sequence[TimelineEntry],
        agent_id: str,
        capacity: int,
        claims: Sequence[Key] = (),
    ) -> None:
        if capacity <= 0:
            raise AtCapacity(agent_id)

        # pynamodb sends condition checks, deletes, puts, then updates: agent, ticket, claims, entries, load.
        def error(position: int) -> DomainError:
            if position == 1:
                return Conflict(f"ticket {ticket.id} was changed by someone else")
            if 2 <= position < 2 + len(claims):
                return Duplicate(claims[position - 2].key)
            return AtCapacity(agent_id)

        load = LoadItem(keys.load(agent_id), LOAD_SK)
        (written,), entries = chained([ticket], entries, [expected_version])
        with base.transaction(error) as txn:
            txn.save(ticket_to_item(written), condition=TicketItem.version == expected_version)
            for claim in claims:
                txn.save(base.lookup_item(claim.key, claim.target_id), condition=Item.pk.does_not_exist())
            txn.update(
                load,
                actions=[LoadItem.tickets.add({ticket.id})],
                condition=LoadItem.tickets.does_not_exist() | (size(LoadItem.tickets) < capacity),  # type: ignore[no-untyped-call]
            )
            txn.condition_check(
                AgentItem,
                keys.agent(agent_id),
                "AGENT",
                condition=(AgentItem.availability == "online") & (AgentItem.active == True),  # noqa: E712
            )
            for entry in entries:
                txn.save(entry_to_item(entry))

    def count(self, agent_id: str, ticket_id: str) -> None:
        LoadItem(keys.load(agent_id), LOAD_SK).update(actions=[LoadItem.tickets.add({ticket_id})])

    def uncount(self, agent_id: str, ticket_id: str) -> bool:
        try:
            LoadItem(keys.load(agent_id), LOAD_SK).update(
                actions=[LoadItem.tickets.delete({ticket_id})], condition=LoadItem.tickets.contains(ticket_id)
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def cursor(self, team_id: str) -> str | None:
        return base.lookup(keys.rr_cursor(team_id))

    def set_cursor(self, team_id: str, agent_id: str) -> None:
        base.lookup_item(keys.rr_cursor(team_id), agent_id).save()

    def put_due(self, item: DueItem, expected: int | None = None) -> bool:
        record = DueStateItem(
            ticket_pk(item.ticket_id),
            keys.due(item.kind),
            ticket_id=item.ticket_id,
            due_kind=item.kind,
            state=item.state,
            basis_version=item.basis_version,
            due_key=item.kind if item.due_at else None,
            due_at=due_stamp(item.due_at) if item.due_at else None,
        )
        try:
            if expected is None:
                condition = DueStateItem.pk.does_not_exist() | (DueStateItem.basis_version <= item.basis_version)
            elif expected == 0:
                condition = DueStateItem.pk.does_not_exist()
            else:
                condition = DueStateItem.basis_version == expected
            record.save(condition=condition)
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_due(self, kind: str, ticket_id: str) -> DueItem | None:
        item = base.get_item(DueStateItem, ticket_pk(ticket_id), keys.due(kind), None)
        return _due(item) if item else None

    def ticket_state(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry], dict[str, DueItem]]:
        ticket: Ticket | None = None
        entries: list[TimelineEntry] = []
        dues: dict[str, DueItem] = {}
        for item in Item.query(ticket_pk(ticket_id)):
            if isinstance(item, TicketItem):
                ticket = item_to_ticket(item)
            elif isinstance(item, EntryItem):
                entries.append(item_to_entry(item))
            elif isinstance(item, DueStateItem):
                dues[item.due_kind] = _due(item)
        if ticket is None:
            raise NotFound("ticket", ticket_id)
        return ticket, entries, dues

    def ticket_head(self, ticket_id: str) -> tuple[Ticket, dict[str, DueItem]]:
        # Sort keys in a ticket's partition: "DUE#<kind>" < "TICKET" < "TL#<entry id>": the range stops
        # before the first timeline entry.
        ticket: Ticket | None = None
        dues: dict[str, DueItem] = {}
        for item in Item.query(ticket_pk(ticket_id), Item.sk.between(keys.due(""), TICKET_SK)):
            if isinstance(item, TicketItem):
                ticket = item_to_ticket(item)
            elif isinstance(item, DueStateItem):
                dues[item.due_kind] = _due(item)
        if ticket is None:
            raise NotFound("ticket", ticket_id)
        return ticket, dues

    def due(self, kind: str, now: datetime, limit: int) -> list[DueItem]:
        results = Item.idx_due.query(  # type: ignore[attr-defined]
            kind, Item.due_at <= due_stamp(now), limit=limit, page_size=limit
        )
        return [_due(item) for item in results if isinstance(item, DueStateItem)]


def _due(item: DueStateItem) -> DueItem:
    due_at = _parse_stamp(item.due_at) if item.due_at else None
    return DueItem(item.due_kind, item.ticket_id, due_at, dict(item.state or {}), int(item.basis_version))
