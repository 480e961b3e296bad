"""An agent as a candidate for a team's ticket: the agent and the tickets counted against them now."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.people import Agent


@dataclass(frozen=True)
class Candidate:
    agent: Agent
    load: int  # tickets counted against the agent: assigned to them and new or open
