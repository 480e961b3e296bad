"""The replay kept between events: facts counted from the envelope, without reading the timeline (decision 011).

``facts_at`` replays a ticket's whole timeline up to an entry. The consumer keeps that replay instead, as it is
after the last counted entry it saw (``Kept``: the tracked fields, the clocks of ``facts.Replay`` and the SLA
engine's reading), in one item of its own. Every counted entry carries a stamp (``domain.report_chain``): the
previous counted entry and the fields after it. So an event whose previous counted entry is the kept one is
counted from the kept replay and its own envelope; one whose previous entry is an event not kept yet (a
counted entry that made nothing, which writes nothing) is counted with that entry read beside the kept item.
Anything else gives ``None`` and the consumer replays the whole timeline as before.

The same facts: between two counted entries only the tracked fields can change (assignments, routing and the
like are not counted), and the stamp carries them as they are after the entry; the clocks and the SLA reading
move only on counted entries (messages, the creation, status changes). A status changed by any other entry
(a merge closes its source without a recorded change) differs from the kept one: ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.report_chain import AFTER
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, Change, EntryKind, TimelineEntry
from chalicelib.reports.facts import Fact, Moment, Replay, SlaView, sla_facts, tracked_with

STATE_VERSION = 1


class Reading(Protocol):
    """The SLA engine's reading of a timeline, kept between events (built at the root: ``bootstrap.reports``)."""

    def add(self, entry: TimelineEntry) -> bool:
        """Read the next entry; False when it cannot be read in order (an entry dated before the last)."""

    def mark(self, at: datetime) -> object:
        """What the reading says at ``at`` (after the entries read so far), for ``view``."""

    def view(self, ticket: Ticket, at: datetime, mark: object) -> SlaView | None:
        """The SLA view of the ticket as it was; None when the reading cannot tell (it was folded under
        another policy)."""

    def doc(self, ticket: Ticket, at: datetime) -> dict[str, Any]:
        """The reading to keep (made small first: closed reply cycles folded under the ticket's policy)."""


class Readings(Protocol):
    def start(self, created: datetime) -> Reading: ...

    def load(self, doc: Mapping[str, Any], created: datetime) -> Reading | None: ...


@dataclass
class Kept:
    after: str  # the last counted entry read
    at: datetime  # its instant
    replay: Replay  # the clocks, and the ticket as it was after that entry
    reading: Reading
    quiet: tuple[str, ...] = ()  # entries of the last write kept past because they make nothing
    readings: Readings | None = None


def resume(kept: Kept, chain: Sequence[TimelineEntry], judged: bool) -> tuple[list[Fact], Kept] | None:
    """The facts of the last entry of ``chain`` (the counted entries after ``kept.after``, oldest first) and the
    replay kept after it; None when the kept replay cannot give them exactly. ``judged``: with SLA facts."""
    replay, reading = kept.replay, kept.reading
    previous = (replay.ticket, reading.mark(kept.at), kept.at) if kept.after else None
    *before, entry = chain
    for earlier in before:
        if not _bring(replay, earlier) or not reading.add(earlier):
            return None
        replay.step(earlier)
        previous = (replay.ticket, reading.mark(earlier.at), earlier.at)
    if not _bring(replay, entry) or not reading.add(entry):
        return None
    view = reading.view(replay.after(entry), entry.at, reading.mark(entry.at)) if judged else SlaView()
    if view is None:
        return None
    found = replay.step(entry, view.calendar)
    if judged:
        prior: SlaView | None = SlaView()
        if previous is not None:
            was, mark, at = previous
            prior = reading.view(was, at, mark)
        if prior is None:
            return None
        found += sla_facts(entry.at, replay.moment(), prior, view)
    return found, Kept(entry.id, entry.at, replay, reading, readings=kept.readings)


def past_quiet(kept: Kept, later: Sequence[TimelineEntry], judged: bool) -> Kept:
    """The replay kept past the later entries of the same write that make nothing (their events then find
    themselves in ``quiet`` and read nothing more); it stops at the first that makes a fact."""
    quiet: list[str] = []
    for entry in later:
        trial = kept_of(doc_of(kept), kept.readings)  # a copy: resume moves the one it is given
        done = resume(trial, [entry], judged) if trial is not None else None
        if done is None or done[0]:
            break
        kept, quiet = done[1], [*quiet, entry.id]
    kept.quiet = tuple(quiet)
    return kept


def siblings(entry: TimelineEntry) -> list[TimelineEntry]:
    """The later counted entries of the entry's write, from its stamp (``n``), as the replay reads them."""
    found: list[TimelineEntry] = []
    previous = entry.id
    for brief in (entry.report or {}).get("n") or ():
        try:
            kind, author = brief["by"]
            found.append(
                replace(
                    entry,
                    id=str(brief["id"]),
                    at=datetime.fromisoformat(str(brief["at"])),
                    kind=EntryKind(str(brief["k"])),
                    event=str(brief["t"]),
                    author=Actor(ActorKind(str(kind)), author),
                    changes=tuple(Change(str(c["field"]), c.get("old"), c.get("new")) for c in brief["ch"]),
                    data=dict(brief.get("d") or {}),
                    report={"p": previous, "a": brief["a"]},
                )
            )
        except (KeyError, TypeError, ValueError):
            break
        previous = found[-1].id
    return found


def _bring(replay: Replay, entry: TimelineEntry) -> bool:
    """Set the replay's ticket to the fields before ``entry`` (its stamp's, its own changes undone), unless
    they show a status change the kept replay did not see."""
    stamp = entry.report or {}
    after = stamp.get("a")
    if not isinstance(after, dict) or any(name not in after for name in AFTER):
        return False
    values = dict(after)
    for change in reversed(entry.changes):
        if change.field in values:
            values[change.field] = change.old
    if str(values["status"]) != str(replay.ticket.status):
        return False
    ticket = replace(replay.ticket, organization_id=_optional(values["organization_id"]))
    try:
        replay.ticket = tracked_with(ticket, values)
    except ValueError:  # a value no ticket has: the timeline decides
        return False
    return True


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


# -- the envelope as an entry --------------------------------------------------------------------------


def entry_of(event: Mapping[str, Any]) -> TimelineEntry | None:
    """The counted entry an event announces, as the replay reads it; None when the envelope is cut or odd."""
    if event.get("truncated") or not isinstance(event.get("report"), dict):
        return None
    try:
        ticket = event["ticket"]
        actor = event.get("actor") or {}
        return TimelineEntry(
            ticket_id=str(ticket["id"]),
            id=str(event["id"]),
            at=datetime.fromisoformat(str(event["occurred_at"])),
            kind=EntryKind(str(event["kind"])),
            event=str(event["type"]),
            author=Actor(ActorKind(str(actor.get("kind"))), actor.get("id")),
            ticket_number=int(ticket.get("number") or 0),
            ticket_version=int(ticket.get("version") or 0),
            channel=event.get("channel"),
            changes=tuple(Change(str(c["field"]), c.get("old"), c.get("new")) for c in event.get("changes") or ()),
            data=dict(event.get("data") or {}),
            ticket_channel=ticket.get("channel"),
            report=dict(event["report"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def first(entry: TimelineEntry, readings: Readings | None) -> Kept | None:
    """The replay before a ticket's first counted entry (its creation), from the entry's stamp alone."""
    stamp = entry.report or {}
    after, created = stamp.get("a"), stamp.get("c")
    if entry.event != "ticket.created" or not isinstance(after, dict) or not created or not entry.ticket_channel:
        return None
    at = datetime.fromisoformat(str(created))
    ticket = Ticket(
        id=entry.ticket_id,
        number=entry.ticket_number,
        subject="",
        requester_id="",
        channel=Channel(entry.ticket_channel),
        created_at=at,
        updated_at=at,
        organization_id=_optional(after.get("organization_id")),
    )
    try:
        ticket = tracked_with(ticket, after)
    except (KeyError, ValueError):
        return None
    reading = readings.start(at) if readings is not None else _NoSla()
    return Kept("", at, Replay(ticket, []), reading, readings=readings)


# -- kept as an item ------------------------------------------------------------------------------------


def doc_of(kept: Kept) -> dict[str, Any]:
    """The kept item's document: short keys, UTC instants ending in ``Z`` (it is written with every count; a
    transaction writes 2 units per KB, and a ticket's stays under 1 KB unless it paused very often)."""
    doc = _compact(_doc(kept))
    assert isinstance(doc, dict)
    return doc


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v not in (None, [], False)}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if isinstance(value, str) and value.endswith("+00:00") and value[4:5] == "-" and value[10:11] == "T":
        return value[:-6] + "Z"
    return value


def _doc(kept: Kept) -> dict[str, Any]:
    r, t = kept.replay, kept.replay.ticket
    return {
        "v": STATE_VERSION,
        "after": kept.after,
        "at": kept.at.isoformat(),
        "t": {
            "id": t.id,
            "ch": str(t.channel),
            "c": t.created_at.isoformat(),
            "o": t.organization_id,
            "a": t.assignee_id,
            "tm": t.team_id,
            "p": str(t.priority),
            "vip": t.vip,
            "st": str(t.status),
        },
        "r": {
            "c": r.created.isoformat(),
            "ff": _iso(r.first_from),
            "fd": r.first_done,
            "ws": _iso(r.waiting_since),
            "ar": r.agent_replies,
            "s": r.solves,
            "ro": r.reopened,
            "fcr": _fact_doc(r.fcr),
        },
        "sla": kept.reading.doc(t, kept.at),
        "q": list(kept.quiet),
    }


def kept_of(doc: Mapping[str, Any] | None, readings: Readings | None) -> Kept | None:
    """The replay kept in the item; None when there is none or it cannot be read."""
    if not doc or doc.get("v") != STATE_VERSION:
        return None
    try:
        t, r = doc["t"], doc["r"]
        created = datetime.fromisoformat(t["c"])
        ticket = Ticket(
            id=str(t["id"]),
            number=0,
            subject="",
            requester_id="",
            channel=Channel(t["ch"]),
            created_at=created,
            updated_at=created,
            organization_id=t.get("o"),
            assignee_id=t.get("a"),
            team_id=t.get("tm"),
            priority=Priority(t["p"]),
            vip=bool(t.get("vip")),
            status=Status(t["st"]),
        )
        replay = Replay(ticket, [])
        replay.created = datetime.fromisoformat(r["c"])
        replay.first_from, replay.first_done = _at(r.get("ff")), bool(r.get("fd"))
        replay.waiting_since = _at(r.get("ws"))
        replay.agent_replies, replay.solves = int(r.get("ar") or 0), int(r.get("s") or 0)
        replay.reopened = bool(r.get("ro"))
        replay.fcr = _fact_of(r.get("fcr"))
        reading: Reading | None = _NoSla()
        if readings is not None:
            reading = readings.load(doc.get("sla") or {}, created)
        if reading is None:
            return None
        after, at, quiet = str(doc["after"]), datetime.fromisoformat(doc["at"]), tuple(doc.get("q") or ())
        return Kept(after, at, replay, reading, quiet, readings)
    except (KeyError, TypeError, ValueError):
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _at(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _fact_doc(fact: Fact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    m = fact.moment
    return {"at": fact.at.isoformat(), "m": [m.assignee_id, m.team_id, m.channel, m.priority]}


def _fact_of(doc: Any) -> Fact | None:
    if not doc:
        return None
    assignee, team, channel, priority = doc["m"]
    return Fact("fcr", datetime.fromisoformat(doc["at"]), Moment(assignee, team, channel, priority))


class _NoSla:
    """No SLA engine (a consumer built without a judge): every view is empty."""

    def add(self, entry: TimelineEntry) -> bool:
        return True

    def mark(self, at: datetime) -> object:
        return at

    def view(self, ticket: Ticket, at: datetime, mark: object) -> SlaView | None:
        return SlaView()

    def doc(self, ticket: Ticket, at: datetime) -> dict[str, Any]:
        return {}


def built(ticket: Ticket, timeline: Sequence[TimelineEntry], entry_id: str, readings: Readings | None) -> Kept | None:
    """The replay after ``entry_id`` from the whole timeline (as ``facts_at`` replays it), to keep."""
    position = next((n for n, e in enumerate(timeline) if e.id == entry_id), None)
    if position is None:
        return None
    replay = Replay(ticket, timeline)
    reading = readings.start(ticket.created_at) if readings is not None else _NoSla()
    for entry in timeline[: position + 1]:
        if not reading.add(entry):
            return None
        replay.step(entry)
    entry = timeline[position]
    return Kept(entry.id, entry.at, replay, reading, readings=readings)
