"""What the router did with an event: typed results instead of strings read back with ``startswith``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assigned:
    agent_id: str


@dataclass(frozen=True)
class Waiting:
    """Not assigned: ``queued`` (nobody eligible has room), ``not assignable``, ``no team``, ``inactive``,
    ``conflict`` (the ticket kept changing)."""

    reason: str


@dataclass(frozen=True)
class Drained:
    """Waiting tickets assigned from team queues."""

    assigned: int


@dataclass(frozen=True)
class Synced:
    """Agents' loads brought up to date; nothing to assign."""


Outcome = Assigned | Waiting | Drained | Synced
