"""Time-based automations on tickets: keeping each ticket's timer in the due index, and running due timers.

``on_event`` (the ``automations`` queue, on every ticket event that can move a timer: ``moves_timer``) stores
the ticket's next timer (``timers.next_timer`` with its team's settings) as its ``DUE#TIMER`` item, or takes
it out of the index. ``run_due`` (the per-minute sweep) reads only due timers, recomputes each from the ticket
as it is now (a reply since then cancels it), and acts once: the action is written with the claim
``timers.timer_claim_key`` in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.automations.timers import Timer, TimerAction, TimerSettings, is_due, next_timer, timer_claim_key
from chalicelib.core.clock import Clock
from chalicelib.core.errors import Duplicate, NotFound
from chalicelib.core.resources import DUE_TIMER
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, TimelineEntry
from chalicelib.storage.ports import DueItem, Key

if TYPE_CHECKING:
    from chalicelib.domain.people import Team
    from chalicelib.storage.ports import DirectoryRepository, TicketRepository, WorkRepository
    from chalicelib.tickets.service import TicketService

AUTOMATION = Actor(ActorKind.SYSTEM, "automation")
# What a timer follows (``timers.next_timer``): the status and when it was set, a reminder, a merge, and the
# team whose settings count. A new ticket is new or open, so it has no timer; messages and notes change none
# of these (a customer's reply that reopens a pending ticket writes its own status change).
TIMER_FIELDS = frozenset({"status", "team_id", "merged_into_id"})
TIMER_EVENTS = frozenset({"ticket.reminded", "ticket.merged"})
# Teams are configuration: read once a while per container, like the documents (``DocumentStore``).
TEAM_CACHE_SECONDS = 30.0


def moves_timer(event: dict[str, Any]) -> bool:
    """Whether the event can change the ticket's timer, from the envelope alone (a cut one is read to be sure)."""
    if event.get("type") in TIMER_EVENTS or event.get("truncated"):
        return True
    return any(isinstance(c, dict) and c.get("field") in TIMER_FIELDS for c in event.get("changes") or ())


class SeenTickets:
    """The tickets one batch read (a ticket repository's ``get`` that remembers): the survey keeper reads a
    solved ticket strongly consistently, and the timer keeper that follows it in the batch need not read it again."""

    def __init__(self, tickets: TicketRepository) -> None:
        self.tickets = tickets
        self._seen: dict[str, Ticket] = {}

    def get(self, ticket_id: str, consistent: bool = False) -> Ticket:
        ticket = self.tickets.get(ticket_id, consistent)
        self._seen[ticket_id] = ticket
        return ticket

    def at_least(self, ticket_id: str, version: int) -> Ticket | None:
        """The ticket as read in this batch, when that read saw version ``version`` or a later one."""
        ticket = self._seen.get(ticket_id)
        return ticket if ticket is not None and version and ticket.version >= version else None


class TeamCache:
    """Teams by id (None: no such team), each kept ``seconds`` after it was read: shared by a container's
    keepers, so a batch or a sweep reads a team at most once a while, not once per invocation."""

    def __init__(self, directory: DirectoryRepository, seconds: float = TEAM_CACHE_SECONDS) -> None:
        self.directory = directory
        self.seconds = seconds
        self._teams: dict[str, tuple[float, Team | None]] = {}

    def get(self, team_id: str | None) -> Team | None:
        from time import monotonic

        from chalicelib.people.directory import team_or_none

        if not team_id:
            return None
        now, kept = monotonic(), self._teams.get(team_id)
        if kept is None or now - kept[0] >= self.seconds:
            kept = (now, team_or_none(self.directory, team_id))
            self._teams[team_id] = kept
        return kept[1]


class TimerKeeper:
    def __init__(
        self,
        work: WorkRepository,
        writer: TicketService,
        directory: DirectoryRepository,
        clock: Clock,
        teams: TeamCache | None = None,
        seen: SeenTickets | None = None,
    ) -> None:
        self.work = work
        self.writer = writer
        self.directory = directory
        self.clock = clock
        self.teams = teams or TeamCache(directory)
        self.seen = seen
        self._refreshed: dict[str, int] = {}  # ticket id -> the version this keeper stored its timer at

    def state(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry], dict[str, DueItem]]:
        """The ticket, the entries its timer depends on, and its due items.

        Only a pending ticket's timer needs its timeline (when it went pending, whether it was reminded since);
        any other ticket's timer follows from the ticket item (a solved ticket's ``solved_at`` is the instant of
        its last change to solved), so its read does not grow with the thread."""
        ticket, dues = self.work.ticket_head(ticket_id)
        if ticket.status is not Status.PENDING or ticket.merged_into_id:
            return ticket, [], dues
        return self.work.ticket_state(ticket_id)

    def on_event(self, event: dict[str, Any]) -> Timer | None:
        """Any ticket event: store the ticket's next timer, or take it out of the due index (unless this keeper
        read the ticket at the event's version or later already: a batch's events of one write count once)."""
        ticket_id, version = str(event["ticket"]["id"]), int(event["ticket"].get("version") or 0)
        if not moves_timer(event) or (version and self._refreshed.get(ticket_id, 0) >= version):
            return None  # nothing a timer follows changed: the stored timer stands
        known = self.seen.at_least(ticket_id, version) if self.seen else None
        if known is not None and known.status is Status.SOLVED and not known.merged_into_id:
            # Read in this batch (strongly consistent): a solved ticket's timer follows from the ticket item,
            # and a move to solved sets a new one, so it is written without reading the stored one.
            timer = self.timer(known, [])
            self.work.put_due(
                DueItem(DUE_TIMER, ticket_id, timer.due_at if timer else None, _doc(timer), known.version)
            )
            self._refreshed[ticket_id] = known.version
            return timer
        try:
            ticket, timeline, dues = self.state(ticket_id)
        except NotFound:
            return None
        timer = self.refresh(ticket, timeline, dues.get(DUE_TIMER))
        self._refreshed[ticket_id] = ticket.version
        return timer

    def timer(self, ticket: Ticket, timeline: list[TimelineEntry]) -> Timer | None:
        if ticket.merged_into_id or ticket.status not in (Status.SOLVED, Status.PENDING):
            return None  # no timer whatever the team's settings: the team is not read
        return next_timer(ticket, timeline, TimerSettings.of(self._team(ticket.team_id)))

    def refresh(self, ticket: Ticket, timeline: list[TimelineEntry], stored: DueItem | None) -> Timer | None:
        timer = self.timer(ticket, timeline)
        state = _doc(timer)
        due_at = timer.due_at if timer else None
        if stored is None and timer is None:
            return None
        if stored is None or (stored.state, stored.due_at) != (state, due_at):
            self.work.put_due(DueItem(DUE_TIMER, ticket.id, due_at, state, ticket.version))
        return timer

    def run_due(self, ticket_id: str) -> str:
        ticket, timeline, dues = self.state(ticket_id)
        timer = self.timer(ticket, timeline)
        outcome = "not due"
        if timer is not None and is_due(timer, self.clock()):
            outcome = self._act(ticket, timer)
            ticket, timeline, dues = self.state(ticket_id)
        self.refresh(ticket, timeline, dues.get(DUE_TIMER))
        return outcome

    def _act(self, ticket: Ticket, timer: Timer) -> str:
        team = self._team(ticket.team_id)
        settings = TimerSettings.of(team)

        def build(current: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            data: dict[str, str | None] = {"timer": str(timer.action), "basis": timer.basis}
            if timer.action is TimerAction.CLOSE:
                after, entries = current.change(AUTOMATION, now, status=Status.CLOSED)
            elif timer.action is TimerAction.SOLVE:
                after, entries = current.change(AUTOMATION, now, status=Status.SOLVED)
            else:
                solve_at = now + timedelta(days=settings.solve_after_reminder_days)
                data["solve_at"] = solve_at.isoformat() if settings.solve_after_reminder_days else None
                return current, [TimelineEntry.system(current, "ticket.reminded", AUTOMATION, now, data=data)]
            return after, [_with(e, data) for e in entries]

        try:
            claim = Key(timer_claim_key(ticket.id, timer), ticket.id)
            self.writer.automatic(ticket.id, build, claims=[claim], known=ticket)
        except Duplicate:
            return "done before"
        from chalicelib.core import observability

        observability.count("AutomationsRun", action=str(timer.action))
        return str(timer.action)

    def _team(self, team_id: str | None) -> Team | None:
        return self.teams.get(team_id)


def _doc(timer: Timer | None) -> dict[str, str]:
    return {"action": str(timer.action), "basis": timer.basis} if timer else {}


def _with(entry: TimelineEntry, data: dict[str, str | None]) -> TimelineEntry:
    from dataclasses import replace

    return replace(entry, data={**entry.data, **data})
