"""Satisfaction surveys: what was asked of whom about which solve, and what the customer answered.

A survey belongs to one solve of one ticket (``solved_at``) and to its requester. It keeps the assignee, team
and channel the ticket had when it was solved, so reports credit the people who solved it, whatever happens to
the ticket later. Its answer (a rating of 1 to 5, a comment, reasons when the rating is low) can be changed
until ``answerable_until`` or until the ticket closes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from chalicelib.core.errors import DomainError

# Timeline entries (domain events) of the survey's life, defined in ``survey_events``.
from chalicelib.domain.survey_events import CSAT_ANSWERED as CSAT_ANSWERED
from chalicelib.domain.survey_events import CSAT_NEGATIVE as CSAT_NEGATIVE
from chalicelib.domain.survey_events import SURVEY_REQUESTED as SURVEY_REQUESTED

RATINGS = (1, 2, 3, 4, 5)
NEGATIVE_AT_MOST = 2
MAX_COMMENT_CHARS = 2000


class Reason(StrEnum):
    """Why a customer was not satisfied (asked when the rating is low)."""

    SLOW = "slow"
    NOT_SOLVED = "not_solved"
    UNFRIENDLY = "unfriendly"
    UNCLEAR = "unclear"
    OTHER = "other"


def is_negative(rating: int | None) -> bool:
    return rating is not None and rating <= NEGATIVE_AT_MOST


@dataclass(frozen=True)
class Survey:
    id: str
    ticket_id: str
    ticket_number: int
    customer_id: str
    solved_at: datetime
    sent_at: datetime
    answerable_until: datetime
    channel: str
    assignee_id: str | None = None
    team_id: str | None = None
    locale: str | None = None  # the customer's language when it was sent (the page prefers it)
    rating: int | None = None
    comment: str | None = None
    reasons: tuple[str, ...] = ()
    answered_at: datetime | None = None
    version: int = 1

    @property
    def answered(self) -> bool:
        return self.rating is not None

    def answer(self, rating: int, comment: str | None, reasons: tuple[str, ...], at: datetime) -> Survey:
        """The survey with this answer; reasons are kept only for a negative rating."""
        kept = tuple(sorted(set(reasons))) if is_negative(rating) else ()
        return replace(
            self, rating=rating, comment=comment or None, reasons=kept, answered_at=at, version=self.version + 1
        )

    def same_answer(self, rating: int, comment: str | None, reasons: tuple[str, ...]) -> bool:
        """A repeated post of what is stored already (a double click, a reload): nothing to record."""
        kept = tuple(sorted(set(reasons))) if is_negative(rating) else ()
        return (self.rating, self.comment, self.reasons) == (rating, comment or None, kept)


class Throttled(DomainError):
    """The customer was asked for a survey too recently (the throttle holds at commit time)."""

    code = "throttled"

    def __init__(self, customer_id: str) -> None:
        super().__init__(f"customer {customer_id} was surveyed recently")
        self.customer_id = customer_id
