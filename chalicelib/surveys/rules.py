"""What decides a survey, without I/O: the settings, when one falls due, whether a ticket gets one, and the
facts it records about the solve.

A ticket solved at T falls due at T + ``delay_hours``. When due it gets a survey only if it is still solved
(the same solve), has a channel a survey can go through, passes the settings' rules, and an agent answered it
publicly; the customer's throttle (no survey in the last ``throttle_days``) is checked where the survey is
written, so two sweeps at once cannot both pass it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import ActorKind, EntryKind, TimelineEntry

DEFAULT_DELAY_HOURS = 24
MAX_DELAY_HOURS = 72
DEFAULT_THROTTLE_DAYS = 7
MAX_THROTTLE_DAYS = 365
# How long a survey link takes answers (and changes of them), unless the ticket closes first.
ANSWER_DAYS = 14


class Delivery(StrEnum):
    """How a survey reaches the customer: through the channel the ticket came in by."""

    MAIL = "mail"
    # CHAT = "chat": the chat issue adds it, an inline card at the end of the conversation. It goes in
    # ``DELIVERIES`` as ``Channel.CHAT: Delivery.CHAT``, and the chat's consumer of ``survey.requested``
    # shows the card when ``data.delivery`` is "chat" (mail ignores every delivery but "mail").


DELIVERIES: dict[Channel, Delivery] = {Channel.EMAIL: Delivery.MAIL, Channel.PORTAL: Delivery.MAIL}


class Skip(StrEnum):
    """Why a due ticket gets no survey."""

    NOT_SOLVED = "not solved"
    MERGED = "merged"
    DISABLED = "disabled"
    CHANNEL = "channel not surveyed"
    RULES = "excluded by the rules"
    NO_AGENT_REPLY = "no public agent reply"
    NO_ADDRESS = "no address to send to"
    NO_LINKS = "no public address for survey links"  # LAMBDESK_PORTAL_URL is not set
    THROTTLED = "customer surveyed recently"
    SURVEYED = "surveyed for this solve already"


@dataclass(frozen=True)
class Criteria:
    """Tags, teams, organizations, channels. ``admits``: every dimension given holds (include rules);
    ``catches``: any dimension given holds (exclude rules)."""

    tags: frozenset[str] = frozenset()
    team_ids: frozenset[str] = frozenset()
    organization_ids: frozenset[str] = frozenset()
    channels: frozenset[Channel] = frozenset()

    def _tests(self, ticket: Ticket) -> list[bool]:
        given = []
        if self.tags:
            given.append(not self.tags.isdisjoint(ticket.tags))
        if self.team_ids:
            given.append(ticket.team_id in self.team_ids)
        if self.organization_ids:
            given.append(ticket.organization_id in self.organization_ids)
        if self.channels:
            given.append(ticket.channel in self.channels)
        return given

    def admits(self, ticket: Ticket) -> bool:
        return all(self._tests(ticket))

    def catches(self, ticket: Ticket) -> bool:
        return any(self._tests(ticket))


@dataclass(frozen=True)
class SurveySettings:
    enabled: bool = True
    delay_hours: int = DEFAULT_DELAY_HOURS
    throttle_days: int = DEFAULT_THROTTLE_DAYS
    include: Criteria = field(default_factory=Criteria)
    exclude: Criteria = field(default_factory=Criteria)

    @property
    def delay(self) -> timedelta:
        return timedelta(hours=self.delay_hours)

    def throttle_since(self, now: datetime) -> datetime | None:
        """The customer may not have been surveyed after this instant (None: no throttle)."""
        return now - timedelta(days=self.throttle_days) if self.throttle_days else None

    def admits(self, ticket: Ticket) -> bool:
        return self.include.admits(ticket) and not self.exclude.catches(ticket)


def delivery(ticket: Ticket) -> Delivery | None:
    return DELIVERIES.get(ticket.channel)


def due_at(ticket: Ticket, settings: SurveySettings) -> datetime | None:
    """When a solved ticket's survey falls due; None when it is not waiting for one."""
    if ticket.status is not Status.SOLVED or ticket.solved_at is None or ticket.merged_into_id:
        return None
    if not settings.enabled or delivery(ticket) is None:
        return None
    return ticket.solved_at + settings.delay


def check(ticket: Ticket, timeline: Sequence[TimelineEntry], settings: SurveySettings) -> Skip | None:
    """Why the ticket, due now, gets no survey; None when it gets one (the throttle aside)."""
    if ticket.merged_into_id:
        return Skip.MERGED
    if ticket.status is not Status.SOLVED or ticket.solved_at is None:
        return Skip.NOT_SOLVED
    if not settings.enabled:
        return Skip.DISABLED
    if delivery(ticket) is None:
        return Skip.CHANNEL
    if not settings.admits(ticket):
        return Skip.RULES
    if not any(e.kind is EntryKind.MESSAGE and e.author.kind is ActorKind.AGENT for e in timeline):
        return Skip.NO_AGENT_REPLY
    return None


@dataclass(frozen=True)
class AtSolve:
    """Who had the ticket when it was solved (reports credit them, whatever changes later)."""

    assignee_id: str | None
    team_id: str | None


def at_solve(ticket: Ticket, timeline: Iterable[TimelineEntry]) -> AtSolve:
    """The assignee and team when the ticket was last solved: the ticket now, with every change made after
    that solve undone (the first later change of a field says what it was)."""
    ordered = sorted(timeline, key=lambda e: (e.ticket_version, e.at, e.id))
    solved_in = max(
        (e.ticket_version for e in ordered if any(c.field == "status" and c.new == Status.SOLVED for c in e.changes)),
        default=None,
    )
    values: dict[str, str | None] = {"assignee_id": ticket.assignee_id, "team_id": ticket.team_id}
    if solved_in is not None:
        undone: set[str] = set()
        for entry in ordered:
            if entry.ticket_version <= solved_in:
                continue
            for change in entry.changes:
                if change.field in values and change.field not in undone:
                    values[change.field] = change.old
                    undone.add(change.field)
    return AtSolve(values["assignee_id"], values["team_id"])


def solve_key(solved_at: datetime) -> str:
    """A solve's name in claims and in the due item's state (the instant, exact to the microsecond)."""
    return solved_at.isoformat()
