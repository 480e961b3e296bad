"""The reports consumer: each counted ticket event -> its facts -> additions to daily items, exactly once.

The facts come from the replay kept after the ticket's previous counted entry and the event's envelope
(``reports.kept``: one BatchGetItem of the kept item and that previous entry; none for a ticket's creation);
when that cannot give them (an event out of order, a redelivery, a ticket written before the chain, a merge),
from one Query of the ticket's partition, the whole timeline replayed as before. Then one TransactWriteItems:
the event's marker (``REPORTED#<event id>``, absent) with one ``ADD`` per daily item and the replay kept after
this entry (put only when it moves forward). A redelivered event finds its marker and adds nothing; an event
that makes nothing true writes nothing (its successor reads it beside the kept item). With a lake, the facts
then go there as rows (``reports.lake``) on every delivery, the redelivered ones too: a delivery that counted
but failed to ship is shipped by the next, and the lake's queries keep one row per stable id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.core.errors import NotFound
from chalicelib.domain.reports import KeptReplay
from chalicelib.reports.facts import facts_at
from chalicelib.reports.kept import built, doc_of, entry_of, first, kept_of, past_quiet, resume, siblings
from chalicelib.reports.lake import rows_of
from chalicelib.reports.rollup import tallies

if TYPE_CHECKING:
    from chalicelib.core.clock import Clock
    from chalicelib.reports.facts import Fact, Judge
    from chalicelib.reports.kept import Readings
    from chalicelib.reports.lake import LakeSink
    from chalicelib.storage.ports import WorkRepository
    from chalicelib.storage.slice_ports import ReportRepository

# Markers outlive every redelivery: SQS keeps a message at most 14 days.
MARKER_DAYS = 15


class NotVisibleYet(LookupError):
    """The ticket's partition, read eventually consistently, does not show the event's entry yet (tickets and
    entries are never deleted): the message fails and SQS delivers it again, so no fact is lost; after
    ``MAX_RECEIVE_COUNT`` receives it waits in the dead-letter queue."""

    def __init__(self, ticket_id: str, entry_id: str) -> None:
        super().__init__(f"entry {entry_id} of ticket {ticket_id} is not visible yet")
        self.ticket_id = ticket_id
        self.entry_id = entry_id


@dataclass(frozen=True)
class Counted:
    """What the consumer did with one event."""

    facts: int
    items: int
    duplicate: bool = False


class ReportAggregator:
    def __init__(
        self,
        work: WorkRepository,
        reports: ReportRepository,
        judge: Judge | None,
        zone: ZoneInfo,
        clock: Clock,
        lake: LakeSink | None = None,
        readings: Readings | None = None,
    ) -> None:
        self.work = work
        self.reports = reports
        self.judge = judge
        self.zone = zone
        self.clock = clock
        self.lake = lake
        self.readings = readings
        self._kept_after: str | None = None  # the kept item's entry, when this event read it

    def on_event(self, event: dict[str, Any]) -> Counted:
        """Count the event's facts once; ``NotVisibleYet`` (SQS retries) while the read misses its entry."""
        ticket_id, entry_id = str(event["ticket"]["id"]), str(event["id"])
        if makes_nothing_true(event):
            return Counted(0, 0)
        self._kept_after = None
        kept = self._from_chain(ticket_id, event)
        facts, keep, always = kept if kept is not None else self._from_timeline(ticket_id, entry_id)
        if keep is not None and self._kept_after is not None and self._kept_after >= keep.after:
            keep = None  # the kept replay is past this entry already (a late or redelivered event)
        additions = tallies(facts, self.zone)
        added = self.reports.add(entry_id, additions, self.clock() + timedelta(days=MARKER_DAYS), keep)
        if not additions and always and keep is not None:
            self.reports.keep(keep)
        if self.lake is not None and facts:
            self.lake.put(rows_of(ticket_id, entry_id, facts, self.zone))
        return Counted(len(facts), len(additions), duplicate=not added)

    @property
    def keeps(self) -> bool:
        """Whether the replay can be kept: SLA facts need the engine's reading too."""
        return self.judge is None or self.readings is not None

    def _from_chain(self, ticket_id: str, event: dict[str, Any]) -> tuple[list[Fact], KeptReplay | None, bool] | None:
        """The facts from the kept replay and the envelope (``reports.kept``): no timeline read; None when
        they cannot be had so."""
        entry = entry_of(event) if self.keeps else None
        if entry is None:
            return None
        previous = (entry.report or {}).get("p")
        if previous is None:
            kept = first(entry, self.readings)
            chain = [entry]
        else:
            found, earlier = self.reports.kept(ticket_id, str(previous))
            self._kept_after = found.after if found else None
            kept = kept_of(found.doc if found else None, self.readings)
            if kept is None:
                return None
            if entry.id in kept.quiet:  # counted with an earlier entry of its write: it makes nothing
                return [], None, False
            if kept.after == previous:
                chain = [entry]
            elif earlier is not None and (earlier.report or {}).get("p") == kept.after:
                chain = [earlier, entry]
            else:
                return None
        judged = self.judge is not None
        done = resume(kept, chain, judged) if kept is not None else None
        if done is None:
            return None
        facts, after = done
        after = past_quiet(after, siblings(entry), judged)
        # Kept on every write; and by an event that makes nothing when it read an entry not kept before it
        # (else the next event would find neither kept and replay the timeline).
        return facts, KeptReplay(ticket_id, after.after, doc_of(after)), len(chain) > 1

    def _from_timeline(self, ticket_id: str, entry_id: str) -> tuple[list[Fact], KeptReplay | None, bool]:
        """The facts from the whole timeline (``facts_at``), and the replay to keep after the entry."""
        try:
            ticket, timeline, _ = self.work.ticket_state(ticket_id)
        except NotFound:
            raise NotVisibleYet(ticket_id, entry_id) from None
        if not any(e.id == entry_id for e in timeline):
            raise NotVisibleYet(ticket_id, entry_id)
        facts = facts_at(ticket, timeline, entry_id, self.judge)
        kept = built(ticket, timeline, entry_id, self.readings) if self.keeps else None
        return facts, KeptReplay(ticket_id, entry_id, doc_of(kept)) if kept is not None else None, True


def makes_nothing_true(event: dict[str, Any]) -> bool:
    """Whether the envelope alone shows the entry makes no fact true, so the timeline need not be read: the
    customer's message of a ticket's first write (version 1). It follows ``ticket.created`` at the same instant
    with no change: a customer's message starts no fact (``facts``), and at the same instant with the same
    fields the SLA engine's counts cannot differ from those at ``ticket.created`` (a next-response cycle that
    starts then has run no time)."""
    return (
        event.get("type") == "message.added"
        and int((event.get("ticket") or {}).get("version") or 0) == 1
        and (event.get("actor") or {}).get("kind") == "customer"
        and not event.get("changes")
        and not event.get("truncated")
    )


def report(event: dict[str, Any], outcome: object) -> None:
    """Log what the consumer did (one metric per event counted)."""
    from chalicelib.core import observability

    if isinstance(outcome, Counted) and outcome.items:
        observability.count("ReportEventsDuplicate" if outcome.duplicate else "ReportEventsCounted")
