"""A brute-force calculator of the report figures, written from the definitions in decision 060 (and
``chalicelib/reports/facts.py``'s docstring), not from the code that derives facts: it looks at whole
timelines by position (which message answers which, which solve was the first, was the ticket ever reopened)
instead of replaying a state machine, and reads the ticket's fields forward from the ticket as created.

SLA outcomes come from the SLA engine itself (``sla.clocks.compute`` through the composition root's judge),
evaluated at the range's boundaries only: the desk's totals must equal what the engine says at the end of the
range minus what it said at its start.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.calendars.calendar import business_seconds_between
from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.tickets import Priority, Status, Ticket
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry
from chalicelib.sla.policies import select_policy
from tests.unit.reports.golden import POLICIES
from tests.unit.reports.script import Script

FIELDS = ("assignee_id", "team_id", "priority", "vip", "status")


@dataclass
class Truth:
    created: int = 0
    solved: int = 0
    reopened: int = 0
    replies: int = 0
    fcr: int = 0
    durations: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    ratings: Counter[int] = field(default_factory=Counter)
    responses: int = 0
    chats_missed: int = 0


def states(script: Script) -> list[dict[str, Any]]:
    """The tracked fields after each entry, read forward from the ticket as created."""
    assert script.initial is not None
    current = {name: getattr(script.initial, name) for name in FIELDS}
    found = []
    for entry in script.timeline:
        for change in entry.changes:
            if change.field in current:
                current[change.field] = change.new
        found.append(dict(current))
    return found


def as_ticket(script: Script, values: dict[str, Any]) -> Ticket:
    assert script.initial is not None
    return replace(
        script.initial, assignee_id=values["assignee_id"], team_id=values["team_id"],
        priority=Priority(values["priority"]), vip=values["vip"], status=Status(values["status"]),
    )  # fmt: skip


def status_changes(timeline: list[TimelineEntry]) -> list[tuple[int, str, str]]:
    return [(i, str(c.old), str(c.new)) for i, e in enumerate(timeline) for c in e.changes if c.field == "status"]


class TicketTruth:
    """Every observation of one ticket: (name, entry position, seconds, business seconds, extra)."""

    def __init__(self, script: Script) -> None:
        self.s, self.tl, self.states = script, script.timeline, states(script)
        tl = self.tl
        self.agent_msgs = [
            i for i, e in enumerate(tl) if e.kind is EntryKind.MESSAGE and e.author.kind is ActorKind.AGENT
        ]
        self.own_customer = [
            i for i, e in enumerate(tl)
            if e.kind is EntryKind.MESSAGE and e.author.is_customer and "submitted_by" not in e.data
        ]  # fmt: skip
        changes = status_changes(tl)
        done = ("solved", "closed")
        self.solves = [i for i, old, new in changes if new == "solved" and old not in done]
        self.reopens = [i for i, old, new in changes if old == "solved" and new not in done]

    def calendar_seconds(self, start: int, end: int) -> tuple[int, int]:
        a, b = self.tl[start].at, self.tl[end].at
        seconds = max(int((b - a).total_seconds()), 0)
        policy = select_policy(POLICIES, as_ticket(self.s, self.states[end]), self.states[end]["vip"])
        calendar = policy.calendar if policy else None
        return seconds, (business_seconds_between(calendar, a, b) if calendar else seconds)

    def first_replies(self) -> list[tuple[int, int, int]]:
        by_agent = self.tl[0].author.kind is ActorKind.AGENT
        first = (
            0 if not by_agent else next((i for i in self.own_customer if not self.reopens or i < self.reopens[0]), None)
        )
        starts = ([first] if first is not None else []) + self.reopens
        found = []
        for k, start in enumerate(starts):
            stop = starts[k + 1] if k + 1 < len(starts) else len(self.tl)
            reply = next((i for i in self.agent_msgs if start < i < stop), None)
            if reply is not None:
                found.append((reply, *self.calendar_seconds(start, reply)))
        return found

    def next_replies(self) -> list[tuple[int, int, int]]:
        found, previous = [], -1
        for reply in self.agent_msgs:
            waiting = [i for i in self.own_customer if previous < i < reply]
            if waiting:
                found.append((reply, *self.calendar_seconds(waiting[0], reply)))
            previous = reply
        return found

    def resolutions(self) -> list[tuple[int, int, int]]:
        return [(i, *self.calendar_seconds(0, i)) for i in self.solves]

    def fcr(self) -> int | None:
        """The position of the first solve when it is a first-contact resolution (never reopened)."""
        if not self.solves or self.reopens:
            return None
        first = self.solves[0]
        return first if sum(1 for i in self.agent_msgs if i < first) == 1 else None


def keys(values: dict[str, Any], channel: str, dimension: str) -> str:
    if dimension == "all":
        return "all"
    if dimension == "channel":
        return channel
    value = values["assignee_id" if dimension == "agent" else "team_id" if dimension == "team" else "priority"]
    return str(value) if value is not None else "none"


def truth(scripts: list[Script], dimension: str, first: date, last: date, zone: ZoneInfo) -> dict[str, Truth]:
    found: defaultdict[str, Truth] = defaultdict(Truth)

    def at(t: TicketTruth, i: int) -> Truth | None:
        if not first <= t.tl[i].at.astimezone(zone).date() <= last:
            return None
        return found[keys(t.states[i], str(t.s.ticket.channel), dimension)]

    for script in scripts:
        t = TicketTruth(script)
        _count(t, at)
        _durations(t, at)
        _ratings(t, at)
        for i, e in enumerate(t.tl):  # a missed chat is the agent's who missed it, not the assignee's
            if e.event == "chat.missed" and first <= e.at.astimezone(zone).date() <= last:
                values = {**t.states[i], "assignee_id": e.data["agent_id"]}
                found[keys(values, str(script.ticket.channel), dimension)].chats_missed += 1
    return dict(found)


Where = Callable[[TicketTruth, int], Truth | None]


def _count(t: TicketTruth, at: Where) -> None:
    """Created, replies, reopens, solves and first-contact resolutions, each on the day it happened."""
    for indexes, counter in (
        ([0], "created"),
        (t.agent_msgs, "replies"),
        (t.reopens, "reopened"),
        (t.solves, "solved"),
    ):
        for i in indexes:
            if (g := at(t, i)) is not None:
                setattr(g, counter, getattr(g, counter) + 1)
    if (i := t.fcr()) is not None and (g := at(t, i)) is not None:
        g.fcr += 1


def _durations(t: TicketTruth, at: Where) -> None:
    for metric, observed in (("fr", t.first_replies()), ("nr", t.next_replies()), ("rs", t.resolutions())):
        for i, seconds, business in observed:
            if (g := at(t, i)) is not None:
                g.durations[metric].append((seconds, business))


def _ratings(t: TicketTruth, at: Where) -> None:
    """An answer counts once; a changed answer moves its count from the old rating to the new one."""
    for i, e in enumerate(t.tl):
        if e.event == "csat.answered" and (g := at(t, i)) is not None:
            g.ratings[int(e.data["rating"])] += 1
            previous = e.data.get("previous_rating")
            if previous is None:
                g.responses += 1
            else:
                g.ratings[int(previous)] -= 1


def sla_truth(scripts: list[Script], start: datetime, end: datetime) -> Counter[tuple[str, str, str]]:
    """(policy, target, 'a'|'b') -> outcomes the SLA engine gives at ``end`` minus those at ``start``, read at
    the last counted entry before each instant."""
    from chalicelib.bootstrap.reports import sla_judge

    judge, total = sla_judge(lambda: POLICIES), Counter[tuple[str, str, str]]()
    for script in scripts:
        t = TicketTruth(script)
        for sign, instant in ((1, end), (-1, start)):
            counted = [i for i, e in enumerate(t.tl) if e.event in REPORT_EVENTS and e.at < instant]
            if not counted:
                continue
            i = counted[-1]
            view = judge(as_ticket(script, t.states[i]), t.tl[: i + 1], t.tl[i].at)
            for (policy, target), (achieved, breached) in view.outcomes.items():
                total[(policy, target, "a")] += sign * achieved
                total[(policy, target, "b")] += sign * breached
    return total
