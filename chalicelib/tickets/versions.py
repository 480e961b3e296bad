"""Optimistic locking of ticket writes: who may write on which version, and what a refusal says.

Every agent's write names the version it was based on. When another person has written since (a message, a
note, a change) or a message went to the customer, the write is refused with Conflict, and the conflict carries
the changes made since, so the agent sees what they would have overwritten. The desk's own bookkeeping since
(routing, assignment, SLA actions, timers) is not a collision: the write applies to the latest version
(``Versions.as_agent``). Writers that cannot know versions (a customer's mail, the system) use ``on_latest``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.core.errors import Conflict, ConflictDetails
from chalicelib.domain.mailthread import CustomerMark, after_write
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry

if TYPE_CHECKING:
    from chalicelib.storage.ports import Key, TicketRepository

T = TypeVar("T")

# Retries of a customer's message when an agent's write lands at the same moment.
CUSTOMER_WRITE_ATTEMPTS = 5
# Retries of an agent's write while only the desk's bookkeeping lands between its read and its write.
AGENT_REBASE_ATTEMPTS = 3


class Versions:
    def __init__(self, tickets: TicketRepository) -> None:
        self.tickets = tickets

    def as_agent(self, ticket_id: str, based_on: int, write: Callable[[Ticket], T]) -> T:
        """Run an agent's ``write`` on the latest version unless someone else's work landed since ``based_on``.

        Only the desk's own bookkeeping may have happened in between (see the module doc); when more of it
        lands between this read and the write, the write is retried on the new version.
        """
        for _ in range(AGENT_REBASE_ATTEMPTS):
            ticket = self.tickets.get(ticket_id, consistent=True)
            self.check_based_on(ticket, based_on)
            try:
                return write(ticket)
            except Conflict:
                continue
        raise self.conflict(self.tickets.get(ticket_id, consistent=True), based_on)

    def check_based_on(self, current: Ticket, based_on: int) -> None:
        if current.version == based_on:
            return
        since = self.tickets.entries_since(current.id, based_on, consistent=True) if current.version > based_on else []
        if current.version < based_on or not all(bookkeeping(e) for e in since):
            raise self.conflict(current, based_on, since)

    def save(
        self,
        tickets: Sequence[tuple[Ticket, int]],
        entries: Sequence[TimelineEntry],
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
    ) -> None:
        try:
            self.tickets.save(tickets, entries, claims, lookups)
        except Conflict:
            # Someone else wrote between our read and our write: report what they changed.
            first, based_on = tickets[0]
            raise self.conflict(self.tickets.get(first.id), based_on) from None

    def conflict(self, current: Ticket, based_on: int, since: list[TimelineEntry] | None = None) -> Conflict:
        if since is None:
            since = self.tickets.entries_since(current.id, based_on)
        return Conflict(
            f"ticket {current.number} is at version {current.version}; your change was based on version {based_on}",
            ConflictDetails(current.version, [summarise(e) for e in since]),
        )


def bookkeeping(entry: TimelineEntry) -> bool:
    """A change the desk made by itself that nobody has to read before writing: not a message, not a note."""
    return entry.author.kind is ActorKind.SYSTEM and entry.kind is EntryKind.EVENT


def on_latest(
    tickets: TicketRepository, ticket_id: str, write: Callable[[Ticket], T], known: Ticket | None = None
) -> T:
    """Apply ``write`` to the ticket as it is now; re-read and retry when another write got in first.

    For writers that cannot know versions (a customer's mail, the system): agents' writes name theirs.
    ``known`` is a copy the caller just read: the first attempt uses it instead of reading again (if it is
    stale, the write's version condition fails and the retry reads the ticket).
    """
    for attempt in range(CUSTOMER_WRITE_ATTEMPTS):
        try:
            current = known if attempt == 0 and known is not None else tickets.get(ticket_id)
            return write(current)
        except Conflict:
            continue
    raise Conflict(f"ticket {ticket_id} is changing too fast; try again")


def one_version(before: Ticket, after: Ticket, entries: list[TimelineEntry]) -> tuple[Ticket, list[TimelineEntry]]:
    """One write is one version: a reply that also changes the status bumps the version once. The ticket's mail
    thread and newest customer message take the write's entries (domain/mailthread.py)."""
    version = before.version + 1
    written = [replace(e, ticket_version=version) for e in entries]
    known_as_of, state = after_write(before.mail_thread_version, before.mail_thread, written, version)
    mark = CustomerMark.after(before.customer_mark, written)
    return replace(
        after, version=version, mail_thread_version=known_as_of, mail_thread=state, customer_mark=mark
    ), written


def summarise(entry: TimelineEntry) -> dict[str, Any]:
    """What an entry changed, for a conflict response (no bodies of notes or messages)."""
    summary: dict[str, Any] = {
        "event": entry.event,
        "at": entry.at.isoformat(),
        "by": {"kind": str(entry.author.kind), "id": entry.author.id},
        "version": entry.ticket_version,
    }
    if entry.changes:
        summary["changes"] = [c.as_dict() for c in entry.changes]
    return summary
