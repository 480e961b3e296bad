"""Metric facts: what became true at one timeline entry, derived from the ticket's timeline (decision 060).

``facts_at(ticket, timeline, entry_id, judge)`` replays the timeline up to the entry and returns the facts that
entry made true, each with the assignee, team, channel and priority the ticket had at that moment and, for
durations, whole calendar seconds and whole business seconds (truncated) on the calendar of the SLA policy in
force then (no policy calendar: business time is calendar time). The same timeline always gives the same
facts, so a redelivered or late event counts the same as a timely one.

Definitions (the brute-force calculator in ``tests/unit/reports`` is written from these):

* ``created``: the ticket's ``ticket.created`` entry.
* ``first_reply``: the first public message by an agent (a person: automatic mail is by the system) after
  the reply clock started. It starts at creation; on a ticket an agent created it starts at the customer's
  first own message after it (the creation message an agent submitted does not start it); after a reopen
  the next first reply counts from the reopen.
* ``reply``: every public message by an agent; with a duration (next-reply time) when it answers a
  customer's message: from the first customer message since the previous agent reply.
* ``solved``: a status change into ``solved``; its duration (resolution time) runs from creation.
  ``fcr`` (first-contact resolution): the ticket's first solve, with exactly one public agent reply before it
  and never reopened; a later reopen takes it back (``fcr_retracted``, dated and keyed like the solve).
* ``reopened``: a status change from ``solved`` to an unsolved status.
* ``csat``: a ``csat.answered`` entry (its rating, and the rating it replaces).
* ``chat_missed``: a ``chat.missed`` entry (a chat rang out at an agent): keyed by the agent who missed it
  (``data.agent_id``), not by the ticket's assignee; team, channel and priority are the ticket's.
* ``sla``: per policy and target, the change in the number of achieved and breached targets between the
  previous counted entry and this one (``judge`` computes them from the SLA engine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from chalicelib.calendars.calendar import BusinessCalendar, business_seconds_between
from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.tickets import Priority, Status, Ticket
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry

# The event types the reports queue receives (its SNS filter policy): facts arise only on these.
COUNTED = REPORT_EVENTS
TRACKED = ("assignee_id", "team_id", "priority", "vip", "status")
DONE = (Status.SOLVED, Status.CLOSED)


@dataclass(frozen=True)
class SlaView:
    """What the SLA engine says at an instant: the calendar in force, and per (policy id, target) the number
    of targets achieved and breached so far."""

    calendar: BusinessCalendar | None = None
    outcomes: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


# (the ticket as it was, its timeline up to an entry, the entry's instant) -> the SLA view then.
Judge = Callable[[Ticket, Sequence[TimelineEntry], datetime], SlaView]


@dataclass(frozen=True)
class Moment:
    assignee_id: str | None
    team_id: str | None
    channel: str
    priority: str


@dataclass(frozen=True)
class Fact:
    name: str
    at: datetime
    moment: Moment
    seconds: int | None = None
    business_seconds: int | None = None
    rating: int | None = None
    previous_rating: int | None = None
    policy_id: str | None = None
    metric: str | None = None
    achieved: int = 0
    breached: int = 0


def counted(entry: TimelineEntry) -> bool:
    return entry.event in COUNTED


def facts_at(ticket: Ticket, timeline: Sequence[TimelineEntry], entry_id: str, judge: Judge | None) -> list[Fact]:
    """The facts the entry ``entry_id`` made true (none when the timeline has no such entry)."""
    position = next((n for n, e in enumerate(timeline) if e.id == entry_id), None)
    if position is None:
        return []
    replay = Replay(ticket, timeline)
    previous: tuple[int, Ticket] | None = None  # the previous counted entry and the ticket after it
    for n, entry in enumerate(timeline[:position]):
        replay.step(entry)
        previous = (n, replay.ticket) if counted(entry) else previous
    entry = timeline[position]
    view = judge(replay.after(entry), timeline[: position + 1], entry.at) if judge else SlaView()
    found = replay.step(entry, view.calendar)
    if judge is not None:
        prior = SlaView()
        if previous is not None:
            n, then = previous
            prior = judge(then, timeline[: n + 1], timeline[n].at)
        found += sla_facts(entry.at, replay.moment(), prior, view)
    return found


def sla_facts(at: datetime, moment: Moment, prior: SlaView, now: SlaView) -> list[Fact]:
    found = []
    for policy_id, metric in sorted(set(prior.outcomes) | set(now.outcomes)):
        was = prior.outcomes.get((policy_id, metric), (0, 0))
        is_ = now.outcomes.get((policy_id, metric), (0, 0))
        if was != is_:
            achieved, breached = is_[0] - was[0], is_[1] - was[1]
            found.append(
                Fact("sla", at, moment, policy_id=policy_id, metric=metric, achieved=achieved, breached=breached)
            )
    return found


def _initial(ticket: Ticket, timeline: Sequence[TimelineEntry]) -> Ticket:
    """The ticket's tracked fields as created: today's values with every recorded change undone."""
    values = {name: getattr(ticket, name) for name in TRACKED}
    for entry in reversed(timeline):
        for change in reversed(entry.changes):
            if change.field in values:
                values[change.field] = change.old
    return tracked_with(ticket, values)


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def tracked_with(ticket: Ticket, values: Mapping[str, object]) -> Ticket:
    return replace(
        ticket,
        assignee_id=_optional(values["assignee_id"]),
        team_id=_optional(values["team_id"]),
        priority=Priority(str(values["priority"])),
        vip=bool(values["vip"]),
        status=Status(str(values["status"])),
    )


def _seconds(start: datetime, end: datetime, calendar: BusinessCalendar | None) -> tuple[int, int]:
    calendar_seconds = max(int((end - start).total_seconds()), 0)
    if calendar is None:
        return calendar_seconds, calendar_seconds
    return calendar_seconds, business_seconds_between(calendar, start, end)


class Replay:
    """The timeline walked forward: the ticket's tracked fields and the clocks the facts need."""

    def __init__(self, ticket: Ticket, timeline: Sequence[TimelineEntry]) -> None:
        self.ticket = _initial(ticket, timeline)
        self.created = ticket.created_at
        self.first_from: datetime | None = None
        self.first_done = False
        self.waiting_since: datetime | None = None
        self.agent_replies = 0
        self.solves = 0
        self.reopened = False
        self.fcr: Fact | None = None

    def moment(self) -> Moment:
        t = self.ticket
        return Moment(t.assignee_id, t.team_id, str(t.channel), str(t.priority))

    def after(self, entry: TimelineEntry) -> Ticket:
        values: dict[str, object] = {name: getattr(self.ticket, name) for name in TRACKED}
        values.update({c.field: c.new for c in entry.changes if c.field in values})
        return tracked_with(self.ticket, values)

    def step(self, entry: TimelineEntry, calendar: BusinessCalendar | None = None) -> list[Fact]:
        before = self.ticket.status
        self.ticket = self.after(entry)
        if entry.event == "ticket.created":
            return self._created(entry)
        if entry.kind is EntryKind.MESSAGE:
            return self._message(entry, calendar)
        if entry.event == "csat.answered":
            return self._csat(entry)
        if entry.event == "chat.missed":
            missed_by = entry.data.get("agent_id")
            return [Fact("chat_missed", entry.at, replace(self.moment(), assignee_id=_optional(missed_by)))]
        return self._status(entry, before, calendar)

    def _created(self, entry: TimelineEntry) -> list[Fact]:
        self.created = entry.at
        if entry.author.kind is not ActorKind.AGENT:
            self.first_from = entry.at
        return [Fact("created", entry.at, self.moment())]

    def _message(self, entry: TimelineEntry, calendar: BusinessCalendar | None) -> list[Fact]:
        if entry.author.is_customer:
            if "submitted_by" not in entry.data:  # the creation message an agent submitted is not the customer's
                self.first_from = self.first_from or (None if self.first_done else entry.at)
                self.waiting_since = self.waiting_since or entry.at
            return []
        if entry.author.kind is not ActorKind.AGENT:
            return []  # automatic mail
        found, moment = [], self.moment()
        self.agent_replies += 1
        if self.first_from is not None and not self.first_done:
            seconds, business = _seconds(self.first_from, entry.at, calendar)
            found.append(Fact("first_reply", entry.at, moment, seconds, business))
            self.first_done = True
        if self.waiting_since is not None:
            seconds, business = _seconds(self.waiting_since, entry.at, calendar)
            found.append(Fact("reply", entry.at, moment, seconds, business))
            self.waiting_since = None
        else:
            found.append(Fact("reply", entry.at, moment))
        return found

    def _csat(self, entry: TimelineEntry) -> list[Fact]:
        rating, previous = entry.data.get("rating"), entry.data.get("previous_rating")
        if not isinstance(rating, int):
            return []
        previous_rating = previous if isinstance(previous, int) else None
        return [Fact("csat", entry.at, self.moment(), rating=rating, previous_rating=previous_rating)]

    def _status(self, entry: TimelineEntry, before: Status, calendar: BusinessCalendar | None) -> list[Fact]:
        after = self.ticket.status
        if after is Status.SOLVED and before is not Status.SOLVED and before not in DONE:
            return self._solved(entry, calendar)
        if before is Status.SOLVED and after not in DONE:
            return self._reopened(entry)
        return []

    def _solved(self, entry: TimelineEntry, calendar: BusinessCalendar | None) -> list[Fact]:
        self.solves += 1
        seconds, business = _seconds(self.created, entry.at, calendar)
        found = [Fact("solved", entry.at, self.moment(), seconds, business)]
        if self.solves == 1 and self.agent_replies == 1 and not self.reopened:
            self.fcr = Fact("fcr", entry.at, self.moment())
            found.append(self.fcr)
        return found

    def _reopened(self, entry: TimelineEntry) -> list[Fact]:
        self.reopened = True
        self.first_from, self.first_done = entry.at, False
        found = [Fact("reopened", entry.at, self.moment())]
        if self.fcr is not None:
            found.append(replace(self.fcr, name="fcr_retracted"))
            self.fcr = None
        return found
