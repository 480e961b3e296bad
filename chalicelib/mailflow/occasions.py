"""What a draft reads of its ticket: bounded, whatever the length of the thread (docs/decisions/011-cost-end-to-end.md).

Each kind of mail reads what it needs in one or two requests:

- a reply, a canned reply, a reminder: the ticket, its mail thread and the event's entry (one ``BatchGetItem``);
  the threading headers come from the thread (``Ticket.mail_thread``), the sent mail's ids from its copies;
- an acknowledgement: the ticket and its first entries (one ``Query`` with a limit): the first write's entries
  are the conversation so far;
- a survey: the ticket (``GetItem``);
- a notification, an SLA alert, a trigger notice: the ticket with its thread, then the newest customer message
  they name (``Ticket.customer_mark``, else the thread's newest inbound mail).

A ticket written before it kept its thread, or a mail whose event is older than what the ticket now says (an
inbound mail or a customer message landed after the event), reads the whole timeline as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.domain.mailthread import newest_customer_message

if TYPE_CHECKING:
    from chalicelib.domain.mailthread import MailThread
    from chalicelib.domain.tickets import Ticket
    from chalicelib.domain.timeline import TimelineEntry
    from chalicelib.storage.ports import TicketRepository

# An acknowledgement reads this many first entries: the first write has 2 or 3 (created, message, assigned).
FIRST_ENTRIES = 6
BY_THREAD = frozenset({"reply", "canned_reply", "reminder"})
NOTICES = frozenset({"notification", "sla_alert", "trigger_notice"})


@dataclass(frozen=True)
class Occasion:
    """An event with the ticket as it is now, the conversation up to the event and the event's own entry.

    ``earlier``: every entry up to the event, oldest first, when the timeline was walked; else only what the
    draft needs: nothing with ``thread`` (the ticket's mail thread, valid at the event's version: replies and
    reminders) or for a survey, the newest customer message for a notice, the first entries for an
    acknowledgement."""

    event: dict[str, Any]
    ticket: Ticket
    earlier: list[TimelineEntry]
    entry: TimelineEntry | None
    thread: MailThread | None = None

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.event.get("data") or {})

    @property
    def version(self) -> int:
        return int(self.event["ticket"]["version"])

    def answers_automatic_mail(self) -> bool:
        """The newest customer message is automatic or bulk mail (as the inbound side marked it)."""
        newest = newest_customer_message(self.thread, self.ticket.customer_mark, self.version) if self.thread else None
        if newest is not None:
            return newest[1]
        from chalicelib.domain.mailthread import automatic_mail
        from chalicelib.domain.timeline import ActorKind, EntryKind

        for entry in reversed(self.earlier):
            if entry.kind is EntryKind.MESSAGE and entry.author.kind is ActorKind.CUSTOMER:
                return automatic_mail(entry.data)
        return False


def occasion(tickets: TicketRepository, kind: str, event: dict[str, Any]) -> Occasion:
    """The occasion of an event for a mail of ``kind`` (``drafts.Kind``), read as the module doc says."""
    ticket_id, event_id, version = event["ticket"]["id"], str(event["id"]), int(event["ticket"]["version"])
    found: Occasion | None = None
    if kind in BY_THREAD:
        ticket, entries = tickets.get_with_entries(ticket_id, [event_id])
        own = next((e for e in entries if e.id == event_id), None)
        state = ticket.mail_thread
        usable = state is not None and own is not None and ticket.version >= version and state.threads_at(version)
        knows = kind != "canned_reply" or newest_customer_message(state, ticket.customer_mark, version) is not None
        if usable and knows:
            found = Occasion(event, ticket, [], own, state)
    elif kind == "acknowledgement":
        ticket, first = tickets.get_with_first_entries(ticket_id, FIRST_ENTRIES)
        own = next((e for e in first if e.id == event_id), None)
        # Every entry up to the event is in the page: it was not full, or it went on past the event's version.
        whole = len(first) < FIRST_ENTRIES or first[-1].ticket_version > version
        if own is not None and whole:
            found = Occasion(event, ticket, _up_to(first, event_id, version), own)
    elif kind == "survey":
        found = Occasion(event, tickets.get(ticket_id), [], None)
    elif kind in NOTICES:
        found = _notice(tickets, event, ticket_id, version)
    if found is not None:
        return found
    ticket, timeline = tickets.get_with_timeline(ticket_id)
    own = next((e for e in timeline if e.id == event_id), None)
    return Occasion(event, ticket, _up_to(timeline, event_id, version), own)


def _notice(tickets: TicketRepository, event: dict[str, Any], ticket_id: str, version: int) -> Occasion | None:
    """A notice to agents quotes the newest customer message: the one the ticket names, read by its id."""
    ticket = tickets.get(ticket_id, thread=True)
    newest = newest_customer_message(ticket.mail_thread, ticket.customer_mark, version)
    if newest is None:
        return None
    message = tickets.entry(ticket_id, newest[0])
    if message is None or not message.body_text:
        return None  # an empty message: the walk quotes an older one
    return Occasion(event, ticket, [message], None)


def _up_to(timeline: list[TimelineEntry], event_id: str, version: int) -> list[TimelineEntry]:
    return [e for e in timeline if e.ticket_version <= version and e.id != event_id]
