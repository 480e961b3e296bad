"""TicketRepository on DynamoDB."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import Conflict, DomainError, Duplicate, NotFound
from chalicelib.domain.mailthread import MailThread, settle
from chalicelib.domain.people import Customer
from chalicelib.domain.report_chain import chained
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import ACTIVE_PREFIX, VIEW_INDEX, Page, View
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.mapping import (
    ENTRY_PREFIX,
    THREAD_SK,
    TICKET_SK,
    entry_to_item,
    item_to_entry,
    item_to_ticket,
    ticket_pk,
    ticket_to_item,
)
from chalicelib.storage.dynamodb.models import CounterItem, EntryItem, Item, ThreadItem, TicketItem
from chalicelib.storage.dynamodb.people import customer_error, save_customer

if TYPE_CHECKING:
    from chalicelib.storage.ports import Key

NUMBER_COUNTER = keys.counter("ticket_number")


class DynamoTicketRepository:
    def allocate_number(self) -> int:
        counter = CounterItem(NUMBER_COUNTER, "COUNTER")
        counter.update(actions=[CounterItem.value.add(1)])
        return int(counter.value)

    def create(
        self,
        ticket: Ticket,
        entries: Sequence[TimelineEntry],
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
        requester: Customer | None = None,
    ) -> None:
        written = 2 + len(claims) + len(lookups) + len(entries)

        def error(position: int) -> DomainError:
            if 2 <= position < 2 + len(claims):
                return Duplicate(claims[position - 2].key)
            if requester is not None and position >= written:
                return customer_error(requester, position - written)
            return Conflict(f"ticket {ticket.id} or number {ticket.number} already exists")

        (ticket,), entries = chained([ticket], entries)
        with base.transaction(error) as txn:
            txn.save(ticket_to_item(ticket), condition=Item.pk.does_not_exist())
            txn.save(base.lookup_item(keys.ticket_number(ticket.number), ticket.id), condition=Item.pk.does_not_exist())
            _keys(txn, claims, lookups)
            for entry in entries:
                txn.save(entry_to_item(entry))
            if requester is not None:
                save_customer(txn, requester)
            if ticket.mail_thread is not None and ticket.mail_thread.inbound:
                txn.save(_thread_item(ticket.id, ticket.mail_thread))

    def get(self, ticket_id: str, consistent: bool = False, thread: bool = False) -> Ticket:
        if thread:
            keys = [(ticket_pk(ticket_id), TICKET_SK), (ticket_pk(ticket_id), THREAD_SK)]
            return _ticket_and_entries(Item.batch_get(keys, consistent_read=consistent), ticket_id)[0]
        item = base.get_item(TicketItem, ticket_pk(ticket_id), TICKET_SK, NotFound("ticket", ticket_id), consistent)
        assert item is not None
        return item_to_ticket(item)

    def id_for_number(self, number: int) -> str:
        ticket_id = base.lookup(keys.ticket_number(number))
        if ticket_id is None:
            raise NotFound("ticket number", number)
        return ticket_id

    def get_with_timeline(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry]]:
        return _ticket_and_entries(Item.query(ticket_pk(ticket_id)), ticket_id)

    def get_with_entries(self, ticket_id: str, entry_ids: Sequence[str]) -> tuple[Ticket, list[TimelineEntry]]:
        pk = ticket_pk(ticket_id)
        wanted = [(pk, TICKET_SK), (pk, THREAD_SK), *((pk, f"{ENTRY_PREFIX}{e}") for e in entry_ids)]
        ticket, entries = _ticket_and_entries(Item.batch_get(dict.fromkeys(wanted)), ticket_id)
        return ticket, sorted(entries, key=lambda e: e.id)

    def entry(self, ticket_id: str, entry_id: str) -> TimelineEntry | None:
        item = base.get_item(EntryItem, ticket_pk(ticket_id), f"{ENTRY_PREFIX}{entry_id}", None)
        return item_to_entry(item) if item is not None else None

    def get_with_first_entries(self, ticket_id: str, limit: int) -> tuple[Ticket, list[TimelineEntry]]:
        # "TICKET" sorts right before "TL#<entry id>": one page of the partition from the head on.
        found = Item.query(ticket_pk(ticket_id), Item.sk >= TICKET_SK, limit=limit + 1, page_size=limit + 1)
        return _ticket_and_entries(found, ticket_id)

    def entries_since(self, ticket_id: str, version: int, consistent: bool = False) -> list[TimelineEntry]:
        results = EntryItem.query(
            ticket_pk(ticket_id),
            EntryItem.sk.startswith(ENTRY_PREFIX),
            filter_condition=EntryItem.ticket_version > version,
            consistent_read=consistent,
        )
        return [item_to_entry(item) for item in results if item.merged_from is None]

    def save(
        self,
        tickets: Sequence[tuple[Ticket, int]],
        entries: Sequence[TimelineEntry],
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
    ) -> None:
        def error(position: int) -> DomainError:
            if len(tickets) <= position < len(tickets) + len(claims):
                return Duplicate(claims[position - len(tickets)].key)
            ticket = tickets[position][0] if position < len(tickets) else None
            return Conflict(f"ticket {ticket.id if ticket else ''} was changed by someone else")

        written, entries = chained([t for t, _ in tickets], entries, [e for _, e in tickets])
        threads = []
        with base.transaction(error) as txn:
            for (ticket, expected), chained_ticket in zip(tickets, written, strict=True):
                mine = [e for e in entries if e.ticket_id == ticket.id]
                known_as_of, state = settle(
                    ticket.mail_thread_version, ticket.mail_thread, mine, ticket.version, partial(_stored, ticket.id)
                )
                head = replace(chained_ticket, mail_thread_version=known_as_of)
                txn.save(ticket_to_item(head), condition=TicketItem.version == expected)
                threads += [_thread_item(ticket.id, state)] if state is not None else []
            _keys(txn, claims, lookups)
            for entry in entries:
                txn.save(entry_to_item(entry))
            for item in threads:  # after everything the error positions count
                txn.save(item)

    def copy_entries(self, ticket_id: str, entries: Sequence[TimelineEntry]) -> None:
        with EntryItem.batch_write() as batch:
            for entry in entries:
                batch.save(entry_to_item(entry, ticket_id))

    def list_view(self, view: View, limit: int, start: dict[str, str] | None = None) -> Page[Ticket]:
        index_name, _ = VIEW_INDEX[view.kind]
        index = getattr(Item, f"idx_{index_name}")
        condition = Item.view_sk.startswith(ACTIVE_PREFIX) if view.active_only else None
        results = index.query(view.value, condition, limit=limit, page_size=limit, last_evaluated_key=start)
        return base.page(results, item_to_ticket)


def _ticket_and_entries(items: Iterable[Item], ticket_id: str) -> tuple[Ticket, list[TimelineEntry]]:
    """The ticket (with its mail thread when that was read and goes with it) and the entries among ``items``."""
    ticket: Ticket | None = None
    thread: MailThread | None = None
    entries: list[TimelineEntry] = []
    for item in items:
        if isinstance(item, TicketItem):
            ticket = item_to_ticket(item)
        elif isinstance(item, EntryItem):
            entries.append(item_to_entry(item))
        elif isinstance(item, ThreadItem):
            thread = MailThread.from_data(item.state)
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    if ticket.mail_thread_version == 0:
        thread = MailThread()  # known to be empty (not stored)
    if thread is not None and thread.stamp == ticket.mail_thread_version:
        ticket = replace(ticket, mail_thread=thread)
    return ticket, entries


def _thread_item(ticket_id: str, state: MailThread) -> ThreadItem:
    return ThreadItem(ticket_pk(ticket_id), THREAD_SK, state=state.as_data())


def _stored(ticket_id: str) -> MailThread | None:
    """A ticket's mail thread as stored (consistent: the write about to be made goes over this one)."""
    item = base.get_item(ThreadItem, ticket_pk(ticket_id), THREAD_SK, None, consistent=True)
    return MailThread.from_data(item.state) if item is not None else None


def _keys(txn: Any, claims: Sequence[Key], lookups: Sequence[Key]) -> None:
    for claim in claims:
        txn.save(base.lookup_item(claim.key, claim.target_id), condition=Item.pk.does_not_exist())
    for lookup in lookups:
        txn.save(base.lookup_item(lookup.key, lookup.target_id))
