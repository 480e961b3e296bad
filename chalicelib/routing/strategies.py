"""What each assignment strategy means, in one table: adding a strategy is a value of ``Strategy`` (the
team's setting, in ``chalicelib.domain.people``) and one entry here.

``order`` receives the eligible candidates sorted by agent id and rotated to start after the team's cursor
(its last assignee), and returns them best first; ties keep their place, so equally good agents take turns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from chalicelib.domain.people import Strategy
from chalicelib.routing.candidates import Candidate


def _in_turn(eligible: list[Candidate]) -> list[Candidate]:
    return eligible


def _least_loaded(eligible: list[Candidate]) -> list[Candidate]:
    return sorted(eligible, key=lambda c: (Fraction(c.load, c.agent.capacity), c.load))


def _nobody(eligible: list[Candidate]) -> list[Candidate]:
    return []


@dataclass(frozen=True)
class StrategySpec:
    order: Callable[[list[Candidate]], list[Candidate]]
    # False: tickets wait in the team queue until an agent takes one (queue drains skip the team).
    automatic: bool = True
    # The team's cursor (last assignee) is read before ranking and moved after each assignment.
    uses_cursor: bool = False
    # Only agents with every skill the ticket needs are eligible.
    needs_skills: bool = False
    # Any eligible agent would do: when one ticket stays queued, nobody in the team has room, so a drain
    # stops trying the team's later tickets. With skills, a later ticket may need skills someone has.
    interchangeable: bool = True


STRATEGIES: dict[Strategy, StrategySpec] = {
    Strategy.MANUAL: StrategySpec(_nobody, automatic=False),
    Strategy.ROUND_ROBIN: StrategySpec(_in_turn, uses_cursor=True),
    Strategy.LEAST_LOADED: StrategySpec(_least_loaded),
    Strategy.SKILLS: StrategySpec(_least_loaded, needs_skills=True, interchangeable=False),
}
