"""The golden fixture: about 500 scripted tickets with known timestamps, generated from a fixed seed.

November 2026 in a Berlin desk: tickets created at any hour (weekends and the 11 November holiday of the
office calendar included), by customers and by agents, with automatic replies, reassignments between agents
and teams, priority changes that move a ticket to another SLA policy (and so to another business calendar
mid-ticket), pending spells, solves, reopens by the customer and by agents, closes, SLA breach alerts,
survey answers that change, and chats that rang out at one or two agents before anyone took them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.domain.tickets import Channel, Priority, Status
from chalicelib.sla.policies import Conditions, Policy, Target
from tests.unit.reports.script import Script, agent

SEED = 2026
TICKETS = 500
DESK_ZONE = "Europe/Berlin"
START = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 1 November, midnight in Berlin
HOLIDAY = date(2026, 11, 11)
AGENTS = ("A1", "A2", "A3", "A4", "A5", "A6")
TEAMS = ("T1", "T2", "T3")
CHANNELS = tuple(Channel)
PRIORITIES = tuple(Priority)

OFFICE = BusinessCalendar(
    "Europe/Berlin",
    {d: (Interval(time(9), time(12)), Interval(time(13), time(17))) for d in range(5)},
    frozenset({HOLIDAY}),
)
POLICIES = (
    Policy(
        "P-FAST", "Urgent and high", 1,
        Conditions(priorities=frozenset({Priority.URGENT, Priority.HIGH})),
        (Target("first_response", 60, True), Target("next_response", 120, True), Target("resolution", 960, True)),
        OFFICE,
    ),
    Policy(
        "P-STD", "Everything else", 1, Conditions(),
        (Target("first_response", 480, False), Target("next_response", 720, False), Target("resolution", 4320, False)),
    ),
)  # fmt: skip


@dataclass
class Writer:
    """Writes one ticket's story with random gaps; keeps the instants increasing."""

    rng: random.Random
    script: Script
    now: datetime

    def later(self, low_minutes: float, high_minutes: float) -> datetime:
        self.now += timedelta(seconds=round(self.rng.uniform(low_minutes, high_minutes) * 60, 3))
        return self.now

    @property
    def status(self) -> Status:
        return self.script.ticket.status

    def step(self) -> bool:
        """One thing happens; False once the ticket is closed."""
        if self.status is Status.CLOSED:
            return False
        roll, rng, s = self.rng.random(), self.rng, self.script
        who = s.ticket.assignee_id or rng.choice(AGENTS)
        if self.status is Status.SOLVED:
            return self._after_solve(roll)
        moves: list[tuple[float, Callable[[], object]]] = [
            (0.30, lambda: s.customer(self.later(5, 600))),
            (0.55, lambda: s.reply(self.later(1, 2000), who, rng.choice([None, None, Status.PENDING, Status.SOLVED]))),
            (0.62, lambda: s.change(self.later(1, 120), agent(who), assignee_id=rng.choice(AGENTS))),
            (0.67, lambda: s.change(self.later(1, 120), agent(who), team_id=rng.choice(TEAMS), assignee_id=None)),
            (0.72, lambda: s.change(self.later(1, 300), agent(who), priority=rng.choice(PRIORITIES))),
            (0.77, lambda: s.event(self.later(1, 200), "sla.breached", {"metric": "first_response"})),
            (0.80, lambda: s.automatic(self.later(0, 5))),
            (0.83, lambda: s.post(self.later(1, 60), agent(who), kind=_note())),
            (1.01, lambda: s.change(self.later(10, 3000), agent(who), status=Status.SOLVED)),
        ]
        next(move for bound, move in moves if roll < bound)()
        return True

    def _after_solve(self, roll: float) -> bool:
        s, rng = self.script, self.rng
        if roll < 0.30:
            s.csat(self.later(60, 2000), rng.randint(1, 5), previous=_rating(s))
        elif roll < 0.50:
            s.customer(self.later(30, 5000))  # reopens
        elif roll < 0.58:
            s.change(self.later(30, 3000), agent(rng.choice(AGENTS)), status=Status.OPEN)
        elif roll < 0.75:
            s.change(self.later(1440, 5760), status=Status.CLOSED)
        else:
            return False
        return True


def _note() -> object:
    from chalicelib.domain.timeline import EntryKind

    return EntryKind.NOTE


def _rating(s: Script) -> int | None:
    answers = [e for e in s.timeline if e.event == "csat.answered"]
    return int(answers[-1].data["rating"]) if answers else None


def _rings(s: Script, rng: random.Random) -> None:
    """A chat rings out at 0-2 agents (30 s each, so some cross midnight) before its story goes on. Its own
    generator: the rest of the fixture is drawn as before."""
    at = s.timeline[-1].at
    for agent_id in rng.sample(AGENTS, rng.choice((0, 1, 1, 2))):
        at += timedelta(seconds=30)
        s.event(at, "chat.missed", {"conversation_id": f"conv-{s.ticket.number}", "agent_id": agent_id})


def _created_at(rng: random.Random, n: int) -> datetime:
    if n % 25 == 0:  # some on the office's holiday
        return datetime.combine(HOLIDAY, time(rng.randint(0, 23), rng.randint(0, 59)), UTC)
    return START + timedelta(seconds=rng.randint(0, 27 * 86400))


def ticket(rng: random.Random, n: int) -> Script:
    created = _created_at(rng, n)
    by = agent(rng.choice(AGENTS)) if rng.random() < 0.15 else None
    s = Script.open(
        created, n + 1, rng.choice(CHANNELS), rng.choice(PRIORITIES), rng.choice((*TEAMS, None)), by,
        customer=f"C{n % 170}",
    )  # fmt: skip
    if by is not None:
        s.reply(created + timedelta(seconds=rng.randint(0, 300)), str(by.id))
    elif s.ticket.channel is Channel.CHAT:
        _rings(s, random.Random(SEED * 1000 + n))
    writer = Writer(rng, s, s.timeline[-1].at)
    if rng.random() < 0.7:
        s.change(writer.later(0, 30), agent("router"), assignee_id=rng.choice(AGENTS), status=Status.OPEN)
    for _ in range(rng.randint(1, 14)):
        if not writer.step():
            break
    return s


def fixture() -> list[Script]:
    rng = random.Random(SEED)
    return [ticket(rng, n) for n in range(TICKETS)]
