"""How far the SLA consumer has read a ticket's timeline, kept in its ``DUE#SLA`` item between events.

The clocks need only what ``clocks.Reader`` keeps of a timeline (the status and its running periods, the
first agent reply, the open and the latest closed next-response cycle, when it was solved). The consumer keeps
that reader in the SLA item (``reader``) with the last entry it read, and on each event adds the event's own
entry from the envelope (its kind, author kind, status changes and instant): the ticket's head is read, never
its timeline, so the read does not grow with the thread.

Entries must be read in timeline order (entry ids sort like the timeline). An event after the last entry read
is added; one of the last ``RECENT`` entries read is a redelivery and adds nothing; any other (an older entry
arriving late, a cut envelope, an entry dated after ``now``, a reader kept under another policy) makes the
consumer read the whole timeline once more (``Progress.read``), as it did on every event before. Closed
next-response cycles older than the latest are folded into a count of missed ones under the pinned policy,
so the item grows with the ticket's pauses (status changes), not with its messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry
from chalicelib.sla.clocks import History, Reader, missed_cycles
from chalicelib.sla.policies import Policy

RECENT = 4  # redeliveries recognised without a read: the latest entries read
SUFFIX = 8  # characters of an id kept for them: its random part, unique among a ticket's latest entries


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class Progress:
    """A resumable reader, the last entry it read (None: read the timeline again) and the latest ones' ids
    (their last ``SUFFIX`` characters)."""

    reader: Reader
    last: str | None
    recent: tuple[str, ...]
    folded_for: tuple[str, int] | None = None  # the policy the folded cycles were judged under

    @classmethod
    def read(cls, created: datetime, timeline: Sequence[TimelineEntry], now: datetime) -> Progress:
        """The whole timeline read up to ``now`` (an entry dated later leaves it to be read again next time)."""
        from chalicelib.sla.clocks import _utc

        reader = Reader(History(created), created)
        later = False
        for entry in timeline:
            at = max(_utc(entry.at, "timeline entry at"), created)
            if at <= now:
                reader.add(entry, at)
            else:
                later = True
        ids = tuple(e.id[-SUFFIX:] for e in timeline[-RECENT:])
        return cls(reader, None if later or not timeline else timeline[-1].id, ids)

    def add(self, event: dict[str, Any], created: datetime, now: datetime) -> bool | None:
        """Add the event's entry: True when added, False when read before, None when the timeline must be read."""
        entry_id = str(event["id"])
        if entry_id[-SUFFIX:] in self.recent:
            return False
        if self.last is None or entry_id <= self.last or event.get("truncated"):
            return None
        at = max(datetime.fromisoformat(str(event["occurred_at"])), created)
        if at > now:
            return None
        statuses = [
            c.get("new") for c in event.get("changes") or () if isinstance(c, dict) and c.get("field") == "status"
        ]
        try:
            kind, author = EntryKind(str(event.get("kind"))), ActorKind(str((event.get("actor") or {}).get("kind")))
        except ValueError:
            return None
        self.reader.add_parts(kind, author, statuses, at)
        self.last, self.recent = entry_id, (*self.recent, entry_id[-SUFFIX:])[-RECENT:]
        return True

    def usable_for(self, policy: Policy) -> bool:
        """Whether the folded cycles were judged under this policy (or nothing was folded)."""
        return self.folded_for is None or self.folded_for == (policy.id, policy.version)

    def fold(self, policy: Policy, now: datetime) -> None:
        """Fold every closed next-response cycle but the latest into the count of missed ones (judged on the
        running periods up to ``now``: a closed cycle ended before it)."""
        history = self.reader.history
        older = history.reply_cycles[:-1]
        if not older:
            return
        missed = missed_cycles(policy, self.reader.finish(now), older)
        self.reader.history = replace(
            history, reply_cycles=history.reply_cycles[-1:], missed_before=history.missed_before + missed
        )
        self.folded_for = (policy.id, policy.version)

    def doc(self) -> dict[str, Any]:
        """Compact (it is written with every event that moves a clock): short keys, no empty values, and the
        recent entries by the last characters of their ids (their random part)."""
        r, h = self.reader, self.reader.history
        doc: dict[str, Any] = {
            "l": self.last,
            "r": [i[-SUFFIX:] for i in self.recent],
            "ff": list(self.folded_for) if self.folded_for else None,
            "st": str(r.status),
            "rs": _iso(r.run_start),
            "oc": _iso(r.open_cycle),
            "w": [[_iso(lo), _iso(hi)] for lo, hi in h.running],
            "fa": _iso(h.first_agent_reply),
            "c": [[_iso(lo), _iso(hi)] for lo, hi in h.reply_cycles],
            "sa": _iso(h.solved_at),
            "mb": h.missed_before,
        }
        return {k: v for k, v in doc.items() if v not in (None, [], 0)}

    @classmethod
    def of(cls, doc: dict[str, Any] | None, created: datetime) -> Progress | None:
        """The progress kept in an SLA item; None when there is none (or it cannot be read)."""
        if not doc or not doc.get("l"):
            return None
        try:
            history = History(
                created,
                running=[_window(w) for w in doc.get("w") or ()],
                first_agent_reply=_at(doc.get("fa")),
                reply_cycles=[(_need(lo), _at(hi)) for lo, hi in doc.get("c") or ()],
                solved_at=_at(doc.get("sa")),
                missed_before=int(doc.get("mb") or 0),
            )
            reader = Reader(history, created)
            reader.status = Status(doc["st"])
            reader.run_start = _need(doc["rs"])
            reader.open_cycle = _at(doc.get("oc"))
            folded = doc.get("ff")
            folded_for = (str(folded[0]), int(folded[1])) if folded else None
            return cls(reader, str(doc["l"]), _ids(doc.get("r") or ()), folded_for)
        except (KeyError, TypeError, ValueError, IndexError):
            return None


def _need(value: str | None) -> datetime:
    if not value:
        raise ValueError("missing instant")
    return datetime.fromisoformat(value)


def _window(pair: list[str]) -> tuple[datetime, datetime]:
    return _need(pair[0]), _need(pair[1])


def _ids(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v)[-SUFFIX:] for v in values)[-RECENT:]
