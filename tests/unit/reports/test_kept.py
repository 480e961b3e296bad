"""The replay kept between events (``reports.kept``) gives exactly the facts of the whole-timeline replay
(``facts_at``) on every counted entry of the golden fixture: events in order, through the envelope, the kept
item stored as JSON between them, an event that makes nothing writing nothing (its successor reads it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import pytest

from chalicelib.bootstrap.reports import SlaReadings, sla_judge
from chalicelib.domain.report_chain import chained
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.events.envelope import envelope
from chalicelib.reports.aggregator import makes_nothing_true
from chalicelib.reports.facts import counted, facts_at
from chalicelib.reports.kept import built, doc_of, entry_of, first, kept_of, past_quiet, resume, siblings
from tests.unit.reports.golden import POLICIES, fixture

READINGS = SlaReadings(lambda: POLICIES)
JUDGE = sla_judge(lambda: POLICIES)


@dataclass
class Tally:
    events: int = 0
    kept: int = 0  # counted from the kept replay and the envelope alone
    deferred: int = 0  # with the previous entry read beside the kept item
    quiet: int = 0  # kept past already, with an earlier entry of its write: reads nothing more
    lone_puts: int = 0  # events that made nothing but wrote the kept item (they read an entry not kept)
    replayed: int = 0  # from the whole timeline
    largest_doc: int = 0


def stamped(ticket: Any, timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """The fixture's timeline with the stamps its writes would have got (a write: the entries of one version):
    chained as one write, the same chain; ``n`` then cut to the entries of the entry's own write."""
    version = {e.id: e.ticket_version for e in timeline}
    found = []
    for entry in chained([ticket], timeline)[1]:
        if entry.report and "n" in entry.report:
            same = [b for b in entry.report["n"] if version[b["id"]] == entry.ticket_version]
            entry = replace(entry, report={**entry.report, "n": same})
        found.append(entry)
    return found


def count_in_order(ticket: Any, timeline: list[TimelineEntry], tally: Tally) -> None:
    """What the consumer does, event by event: the kept item (as JSON) is what the previous write left."""
    stored: str | None = None  # the kept item
    for entry in (e for e in timeline if counted(e)):
        if makes_nothing_true(envelope(entry)):
            continue
        tally.events += 1
        expected = facts_at(ticket, timeline, entry.id, JUDGE)
        event = entry_of(envelope(entry))
        assert event is not None
        previous = (event.report or {}).get("p")
        kept = kept_of(json.loads(stored), READINGS) if stored else None
        chain: list[TimelineEntry] | None = None
        if kept is not None and event.id in kept.quiet:
            assert expected == [], f"{entry.event} {entry.id}"
            tally.quiet += 1
            continue
        if previous is None:
            kept, chain = first(event, READINGS), [event]
        elif kept is not None and kept.after == previous:
            chain = [event]
        elif kept is not None and (earlier := before(timeline, previous)).report.get("p") == kept.after:
            chain = [earlier, event]
        done = resume(kept, chain, True) if kept is not None and chain is not None else None
        if done is None:
            tally.replayed += 1
            got, after, always = expected, built(ticket, timeline, entry.id, READINGS), True
        else:
            tally.kept += len(chain or ()) == 1
            tally.deferred += len(chain or ()) == 2
            got, always = done[0], len(chain or ()) > 1
            after = past_quiet(done[1], siblings(event), True)
        assert got == expected, f"{entry.event} {entry.id}"
        if got or always:  # a write: the kept replay moves on (the aggregator's rule)
            assert after is not None
            tally.lone_puts += not got
            stored = json.dumps(doc_of(after), separators=(",", ":"))  # as the repository writes it
            tally.largest_doc = max(tally.largest_doc, len(stored))


def before(timeline: list[TimelineEntry], entry_id: str) -> Any:
    return next(e for e in timeline if e.id == entry_id)


@pytest.fixture(scope="module")
def tally() -> Tally:
    tally = Tally()
    for script in fixture():
        count_in_order(script.ticket, stamped(script.ticket, script.timeline), tally)
    return tally


def test_every_counted_entry_of_the_golden_fixture_gets_the_facts_of_the_whole_timeline(tally: Tally) -> None:
    assert tally.events > 3500  # the creation's own messages (counted with the creation) aside
    assert tally.kept + tally.deferred + tally.quiet + tally.replayed == tally.events


def test_almost_every_event_in_order_is_counted_without_the_timeline(tally: Tally) -> None:
    # Replayed: an entry the kept replay cannot account for (a status changed by an entry the reports do not
    # count, a reply cycle folded under a policy the ticket no longer matches).
    assert tally.replayed <= 10, tally
    assert tally.kept > tally.events // 2, tally


def test_the_kept_item_stays_small(tally: Tally) -> None:
    # Under 1 KB with its keys: 2 write units in the counting transaction (reply cycles folded, instants short).
    assert tally.largest_doc < 900, tally
