"""Facts -> additions to daily items: one per dimension (all, agent, team, channel, priority) and local day.

Counter names (attributes of a daily item, all numbers added with ``ADD``):

    created, solved, reopened, replies, fcr       counts (``fcr`` may go down: a reopen takes a FCR back)
    chat_missed                                   chats that rang out (on the agent who missed them)
    <m>_n, <m>_s, <m>_bs                          durations counted, their sum in calendar / business seconds
    <m>_h:<bucket>, <m>_bh:<bucket>               calendar / business histograms (``reports.histogram``)
    sla_a, sla_b                                  SLA targets achieved / breached (every policy and target)
    sla:<policy id>:<target>:a|b                  the same per policy and target
    csat_n, csat:<rating>                         surveys answered, answers per rating (a change moves one)

with ``<m>`` one of ``fr`` (first reply), ``nr`` (next reply), ``rs`` (resolution). The knowledge base's
counters (``chalicelib.reports.kb_counts``) are on items of their own dimension, ``kb``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.reports import ALL, NONE, Tally
from chalicelib.reports.facts import Fact, Moment
from chalicelib.reports.histogram import bucket

DURATIONS = {"first_reply": "fr", "reply": "nr", "solved": "rs"}
COUNTS = {
    "created": "created",
    "solved": "solved",
    "reopened": "reopened",
    "reply": "replies",
    "fcr": "fcr",
    "chat_missed": "chat_missed",
}


def counts_of(fact: Fact) -> Counter[str]:
    """What one fact adds to each of its daily items."""
    counts: Counter[str] = Counter()
    if fact.name in COUNTS:
        counts[COUNTS[fact.name]] += 1
    if fact.name == "fcr_retracted":
        counts["fcr"] -= 1
    metric = DURATIONS.get(fact.name)
    if metric is not None and fact.seconds is not None:
        business = fact.seconds if fact.business_seconds is None else fact.business_seconds
        counts.update({f"{metric}_n": 1, f"{metric}_s": fact.seconds, f"{metric}_bs": business})
        counts.update({f"{metric}_h:{bucket(fact.seconds)}": 1, f"{metric}_bh:{bucket(business)}": 1})
    if fact.name == "csat" and fact.rating is not None:
        counts[f"csat:{fact.rating}"] += 1
        if fact.previous_rating is None:
            counts["csat_n"] += 1
        else:
            counts[f"csat:{fact.previous_rating}"] -= 1
    if fact.name == "sla":
        prefix = f"sla:{fact.policy_id}:{fact.metric}"
        counts.update({"sla_a": fact.achieved, "sla_b": fact.breached, f"{prefix}:a": fact.achieved})
        counts[f"{prefix}:b"] += fact.breached
    return counts


def keys_of(moment: Moment) -> list[tuple[str, str]]:
    return [
        ("all", ALL),
        ("agent", moment.assignee_id or NONE),
        ("team", moment.team_id or NONE),
        ("channel", moment.channel),
        ("priority", moment.priority),
    ]


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def tallies(facts: Iterable[Fact], zone: ZoneInfo) -> list[Tally]:
    """The facts' additions, merged per daily item; zero additions left out."""
    merged: defaultdict[tuple[str, str, date], Counter[str]] = defaultdict(Counter)
    for fact in facts:
        counts, day = counts_of(fact), local_day(fact.at, zone)
        for dimension, key in keys_of(fact.moment):
            merged[(dimension, key, day)].update(counts)
    found = []
    for (dimension, key, day), counts in sorted(merged.items()):
        kept = {name: n for name, n in sorted(counts.items()) if n != 0}
        if kept:
            found.append(Tally(dimension, key, day, kept))
    return found
