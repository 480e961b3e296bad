"""The survey page's service: open a survey by its link's token, record an answer or a change of it.

Opening records nothing (mail scanners open every link). An answer is one transaction: the survey (its
version), its listing copies, and the ticket's new version with ``csat.answered`` (every answer and change)
and ``csat.negative`` (when the rating becomes 2 or lower), which triggers and webhooks act on. The same answer
posted twice records nothing the second time. Answers stop ``ANSWER_DAYS`` after sending or when the ticket
closes, whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock
from chalicelib.core.errors import Conflict, DomainError, NotFound
from chalicelib.domain.surveys import CSAT_ANSWERED, CSAT_NEGATIVE, Survey, is_negative
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, TimelineEntry
from chalicelib.surveys import links

if TYPE_CHECKING:
    from chalicelib.storage.ports import TicketRepository
    from chalicelib.storage.slice_ports import SurveyRepository

ATTEMPTS = 3


class Closed(StrEnum):
    EXPIRED = "expired"
    TICKET_CLOSED = "ticket closed"


class SurveyClosed(DomainError):
    """The survey takes no more answers (HTTP 410 on the page)."""

    code = "survey_closed"

    def __init__(self, survey: Survey, why: Closed) -> None:
        super().__init__(f"survey {survey.id} takes no answers: {why}")
        self.survey = survey
        self.why = why


@dataclass(frozen=True)
class Opened:
    survey: Survey
    closed: Closed | None  # None: it takes answers


class SurveyAnswers:
    def __init__(self, surveys: SurveyRepository, tickets: TicketRepository, clock: Clock) -> None:
        self.surveys = surveys
        self.tickets = tickets
        self.clock = clock

    def open(self, token: str) -> Opened:
        """The survey of a link (NotFound for a malformed, unknown or foreign token); records nothing."""
        survey = self._survey(token)
        return Opened(survey, self._closed(survey, self.tickets.get(survey.ticket_id)))

    def answer(self, token: str, rating: int, comment: str | None, reasons: tuple[str, ...]) -> Survey:
        """Record an answer (or a change of it); ``SurveyClosed`` when it no longer takes answers."""
        for _ in range(ATTEMPTS):
            survey = self._survey(token)
            ticket = self.tickets.get(survey.ticket_id, consistent=True)
            closed = self._closed(survey, ticket)
            if closed is not None:
                raise SurveyClosed(survey, closed)
            if survey.same_answer(rating, comment, reasons):
                return survey
            now = self.clock()
            answered = survey.answer(rating, comment, reasons, now)
            after = replace(ticket, version=ticket.version + 1)
            entries = _entries(survey, answered, after, now)
            try:
                self.surveys.answer(answered, survey.version, after, ticket.version, entries)
            except Conflict:
                continue  # the survey or the ticket changed since it was read: read them again
            _count(survey, answered)
            return answered
        raise Conflict("the survey kept changing; try again")

    def _survey(self, token: str) -> Survey:
        found = self.surveys.by_token(links.token_hash(token)) if links.well_formed(token) else None
        if found is None:
            raise NotFound("survey", "link")
        return found

    def _closed(self, survey: Survey, ticket: Ticket) -> Closed | None:
        if self.clock() >= survey.answerable_until:
            return Closed.EXPIRED
        if ticket.status is Status.CLOSED:
            return Closed.TICKET_CLOSED
        return None


def _entries(before: Survey, after: Survey, ticket: Ticket, now: datetime) -> list[TimelineEntry]:
    """``csat.answered``, and ``csat.negative`` when the rating became negative; the comment is their body."""
    customer = Actor(ActorKind.CUSTOMER, before.customer_id)
    data: dict[str, Any] = {
        "survey_id": after.id,
        "rating": after.rating,
        "reasons": list(after.reasons),
        "previous_rating": before.rating,
        "solved_at": after.solved_at.isoformat(),
        "assignee_id": after.assignee_id,
        "team_id": after.team_id,
        "channel": after.channel,
    }
    kinds = [CSAT_ANSWERED]
    if is_negative(after.rating) and not is_negative(before.rating):
        kinds.append(CSAT_NEGATIVE)
    return [
        replace(TimelineEntry.system(ticket, kind, customer, now, data=data), body_text=after.comment) for kind in kinds
    ]


def _count(before: Survey, after: Survey) -> None:
    from chalicelib.core import observability

    observability.count("SurveyAnswered", changed="true" if before.answered else "false")
