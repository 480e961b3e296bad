"""The chain of a ticket's counted entries: what lets the reports consumer count an event from its envelope.

Every entry of a type the reports count (``REPORT_EVENTS``) is written with a ``report`` stamp:

* ``p``: the id of the ticket's previous counted entry (``None``: the first, or unknown — a ticket written
  before stamps, or one a merge has just changed: its timeline gained entries under older ids);
* ``a``: the fields the facts and the SLA policy choice read (``AFTER``), as they are after this entry;
* ``c`` (on ``ticket.created``): the ticket's creation instant;
* ``n``: the later counted entries of the same write, briefly (``_brief``): the consumer keeps its replay past
  those that make nothing when it counts this one, so their own events then read nothing more.

The ticket item keeps the id of its latest counted entry (``Ticket.chain`` as read). The stamps are made where a
write's entries are saved (``chained``, called by the ticket repositories), from the tickets it writes: so a
writer needs nothing new, and entries with no report type (notes, assignments, reminders) change nothing but the
``a`` of the counted entries after them. The reports consumer keeps its replay after the last counted entry it
saw; an event whose ``p`` is that entry is counted from the replay and the envelope alone (decision 011).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry

# The fields the reports read of a ticket at an entry (the facts' moment, the SLA policy's conditions).
AFTER = ("assignee_id", "team_id", "priority", "vip", "status", "organization_id")
MERGED = "ticket.merged"
# The data the replay reads: a message an agent submitted for a customer, a survey answer, a missed chat.
BRIEF_BYTES = 4096  # beyond (huge changes), no ``n``: the consumer reads those entries as before
BRIEF_DATA = ("submitted_by", "rating", "previous_rating", "agent_id")
CREATED = "ticket.created"


def counted(entry: TimelineEntry) -> bool:
    return entry.event in REPORT_EVENTS and entry.merged_from is None


def chained(
    tickets: Sequence[Ticket], entries: Sequence[TimelineEntry], based_on: Sequence[int | None] | None = None
) -> tuple[list[Ticket], list[TimelineEntry]]:
    """The tickets with their new ``chain`` and the entries with their stamps (same order). ``based_on``: the
    version each write expects (None: a new ticket). The previous counted entry is known only when the ticket
    was read at that version: a ticket made from an earlier write's result, without reading it again, does
    not know what that write counted, and its first counted entry says ``p: None`` (the consumer then reads
    the timeline)."""
    out = list(entries)
    written = []
    for n_ticket, ticket in enumerate(tickets):
        mine = [n for n, e in enumerate(entries) if e.ticket_id == ticket.id and e.merged_from is None]
        after = _after_each(ticket, [entries[n] for n in mine])
        expected = based_on[n_ticket] if based_on is not None else None
        last = ticket.chain[0] if ticket.chain is not None and ticket.chain[1] == expected else None
        for at, (n, values) in enumerate(zip(mine, after, strict=True)):
            entry = entries[n]
            if entry.event == MERGED:
                last = None  # the timeline gains (or loses) entries under older ids: the next one starts over
            elif counted(entry):
                later = [_brief(entries[k], v) for k, v in zip(mine[at + 1 :], after[at + 1 :], strict=True)]
                out[n] = replace(entry, report=_stamp(ticket, entry, last, values, later))
                last = entry.id
        written.append(replace(ticket, chain=(last, ticket.version)))
    return written, out


def _stamp(
    ticket: Ticket, entry: TimelineEntry, last: str | None, values: dict[str, Any], later: list[dict[str, Any] | None]
) -> dict[str, Any]:
    stamp: dict[str, Any] = {"p": last, "a": values}
    if entry.event == CREATED:
        stamp["c"] = ticket.created_at.isoformat()
    briefs = [b for b in later if b is not None]
    if briefs and len(json.dumps(briefs, default=str)) <= BRIEF_BYTES:
        stamp["n"] = briefs
    return stamp


def _after_each(ticket: Ticket, entries: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    """The ``AFTER`` fields after each entry: the written ticket's, with the later entries' changes undone."""
    values: dict[str, Any] = {name: _plain(getattr(ticket, name)) for name in AFTER}
    found: list[dict[str, Any]] = []
    for entry in reversed(entries):
        found.append(dict(values))
        for change in reversed(entry.changes):
            if change.field in values:
                values[change.field] = change.old
    return found[::-1]


def _plain(value: object) -> Any:
    return value if value is None or isinstance(value, bool) else str(value)


def _brief(entry: TimelineEntry, after: dict[str, Any]) -> dict[str, Any] | None:
    """What the reports replay reads of a later counted entry of the same write (``n``), so the consumer can
    keep its replay past those that make nothing (a reply's status change, the creation's message)."""
    if not counted(entry) or entry.event == MERGED:
        return None
    return {
        "id": entry.id,
        "t": entry.event,
        "k": str(entry.kind),
        "by": [str(entry.author.kind), entry.author.id],
        "at": entry.at.isoformat(),
        "ch": [c.as_dict() for c in entry.changes],
        "d": {k: entry.data[k] for k in BRIEF_DATA if k in entry.data},
        "a": after,
    }
