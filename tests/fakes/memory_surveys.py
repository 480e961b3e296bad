"""In-memory fake of SurveyRepository (same rules as DynamoDB; same contract suite)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from chalicelib.core.errors import Conflict, Duplicate, NotFound
from chalicelib.domain.surveys import Survey, Throttled
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import Page
from chalicelib.storage.ports import Key, StartKey
from chalicelib.storage.slice_ports import SurveyQuery
from tests.fakes.memory import InMemoryTicketRepository


class InMemorySurveyRepository:
    def __init__(self, tickets: InMemoryTicketRepository) -> None:
        self._lock = threading.Lock()
        self.tickets = tickets
        self._surveys: dict[str, Survey] = {}
        self._tokens: dict[str, str] = {}
        self._last_sent: dict[str, datetime] = {}

    def request(
        self,
        survey: Survey,
        token_hash: str,
        ticket: Ticket,
        expected_version: int,
        entries: Sequence[TimelineEntry],
        claim: Key,
        throttle_since: datetime | None,
    ) -> None:
        with self._lock:
            if self.tickets.get(ticket.id).version != expected_version:
                raise Conflict(f"ticket {ticket.id} was changed by someone else")
            if claim.key in self.tickets.keys:
                raise Duplicate(claim.key)
            if survey.id in self._surveys or token_hash in self._tokens:
                raise Conflict(f"survey {survey.id} or its token exists already")
            last = self._last_sent.get(survey.customer_id)
            if throttle_since is not None and last is not None and last > throttle_since:
                raise Throttled(survey.customer_id)
            self.tickets.save([(ticket, expected_version)], entries, [claim])
            self._surveys[survey.id] = survey
            self._tokens[token_hash] = survey.id
            self._last_sent[survey.customer_id] = survey.sent_at

    def by_token(self, token_hash: str) -> Survey | None:
        survey_id = self._tokens.get(token_hash)
        return self._surveys[survey_id] if survey_id else None

    def get(self, survey_id: str) -> Survey:
        try:
            return self._surveys[survey_id]
        except KeyError:
            raise NotFound("survey", survey_id) from None

    def answer(
        self,
        survey: Survey,
        expected_version: int,
        ticket: Ticket,
        ticket_version: int,
        entries: Sequence[TimelineEntry],
    ) -> None:
        with self._lock:
            if self.get(survey.id).version != expected_version:
                raise Conflict(f"survey {survey.id} was changed by someone else")
            self.tickets.save([(ticket, ticket_version)], entries)
            self._surveys[survey.id] = replace(survey)

    def listing(self, query: SurveyQuery, limit: int, start: StartKey = None) -> Page[Survey]:
        chosen = sorted(
            ((f"{s.sent_at.isoformat()}#{s.id}", s) for s in self._surveys.values() if _matches(query, s)),
            key=lambda pair: pair[0],
            reverse=True,
        )
        after = start["sk"] if start else None
        rest = [(k, s) for k, s in chosen if after is None or k < after]
        page = rest[:limit]
        return Page([s for _, s in page], {"sk": page[-1][0]} if len(rest) > limit else None)


def _matches(query: SurveyQuery, survey: Survey) -> bool:
    return (
        (query.agent_id is None or survey.assignee_id == query.agent_id)
        and (query.team_id is None or survey.team_id == query.team_id)
        and (query.since is None or survey.sent_at >= query.since)
        and (query.until is None or survey.sent_at < query.until)
        and (query.rating is None or survey.rating == query.rating)
        and (query.answered is None or survey.answered is query.answered)
    )
