"""SLA policies: which tickets a policy covers, its targets, and how a ticket stays pinned to one version.

A ticket is assigned the first matching policy and keeps its :class:`PolicyRef` (id and version). Editing a
policy makes a new version with :meth:`Policy.revise`; clocks are always computed from the pinned version, so
an edit never rewrites a running clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from chalicelib.calendars.calendar import BusinessCalendar
from chalicelib.core.errors import FieldError
from chalicelib.domain.tickets import Channel, Priority, Ticket

Metric = Literal["first_response", "next_response", "resolution"]
METRICS: tuple[Metric, ...] = get_args(Metric)
# What a breach does besides the alert: raise the priority one step, move the ticket to the team's next
# tier, add the team lead to the breach mail.
BreachAction = Literal["raise_priority", "escalate", "notify_lead"]
BREACH_ACTIONS: tuple[BreachAction, ...] = get_args(BreachAction)


@dataclass(frozen=True)
class Target:
    metric: Metric
    minutes: int
    business: bool

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; expected one of {', '.join(METRICS)}")
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int) or self.minutes <= 0:
            raise ValueError(f"{self.metric}: minutes must be a positive whole number, got {self.minutes!r}")

    @property
    def seconds(self) -> int:
        return self.minutes * 60


@dataclass(frozen=True)
class Conditions:
    """Which tickets a policy covers; ``None`` means any value."""

    priorities: frozenset[Priority] | None = None
    channels: frozenset[Channel] | None = None
    team_ids: frozenset[str] | None = None
    organization_ids: frozenset[str] | None = None
    vip: bool | None = None

    def matches(self, ticket: Ticket, vip: bool) -> bool:
        return (
            _allows(self.priorities, ticket.priority)
            and _allows(self.channels, ticket.channel)
            and _allows(self.team_ids, ticket.team_id)
            and _allows(self.organization_ids, ticket.organization_id)
            and (self.vip is None or self.vip is vip)
        )


def _allows(allowed: frozenset[Any] | None, value: object) -> bool:
    return allowed is None or value in allowed


@dataclass(frozen=True)
class PolicyRef:
    """What a ticket stores: the policy and the version it was assigned."""

    id: str
    version: int


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    version: int
    conditions: Conditions = field(default_factory=Conditions)
    targets: tuple[Target, ...] = ()
    calendar: BusinessCalendar | None = None
    # Order among policies (first match wins), the calendar's document id, and what a breach does.
    position: int = 0
    calendar_id: str | None = None
    breach_actions: tuple[BreachAction, ...] = ()

    @property
    def ref(self) -> PolicyRef:
        return PolicyRef(self.id, self.version)

    def target(self, metric: Metric) -> Target | None:
        return next((t for t in self.targets if t.metric == metric), None)

    def validate(self) -> None:
        """Raise FieldError (at ``targets``, ``calendar_id``, ``breach_actions`` ...) when it cannot be used."""
        label = f"policy {self.id!r} v{self.version}"
        if not self.id.strip():
            raise FieldError("id", "policy id must not be empty")
        if self.version < 1:
            raise FieldError("version", f"{label}: version must be >= 1")
        if not self.targets:
            raise FieldError("targets", f"{label}: needs at least one target")
        seen: set[str] = set()
        for n, target in enumerate(self.targets):
            if target.metric in seen:
                raise FieldError(f"targets[{n}].metric", f"{label}: more than one target for {target.metric}")
            seen.add(target.metric)
        business = [t.metric for t in self.targets if t.business]
        if business and self.calendar is None:
            raise FieldError("calendar_id", f"{label}: business-hours targets ({', '.join(business)}) need a calendar")
        if self.calendar is not None:
            try:
                self.calendar.validate()
            except FieldError as exc:
                raise FieldError("calendar_id", f"the calendar cannot be used: {exc}") from None
        unknown = [a for a in self.breach_actions if a not in BREACH_ACTIONS]
        if unknown:
            raise FieldError(
                "breach_actions", f"{label}: unknown breach action {unknown[0]!r}; expected {', '.join(BREACH_ACTIONS)}"
            )

    def revise(self, **changes: Any) -> Policy:
        """The next version of this policy; the current version stays as it is for tickets pinned to it."""
        if {"id", "version"} & set(changes):
            raise ValueError("a revision keeps the policy id and gets the next version number")
        revised = replace(self, version=self.version + 1, **changes)
        revised.validate()
        return revised


def select_policy(policies: Sequence[Policy], ticket: Ticket, vip: bool) -> Policy | None:
    """The first policy, in the given order, whose conditions match the ticket."""
    return next((p for p in policies if p.conditions.matches(ticket, vip)), None)


def pinned(policies: Iterable[Policy], ref: PolicyRef) -> Policy:
    """The exact version a ticket was assigned, from the stored versions of its policy."""
    for policy in policies:
        if policy.ref == ref:
            return policy
    raise LookupError(f"no version {ref.version} of policy {ref.id!r}")
