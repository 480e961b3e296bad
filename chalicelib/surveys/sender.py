"""Sends the surveys that fell due: the per-minute sweep hands it each ticket the due index names.

For each, the ticket is read as it is now (with its timeline and due items: one Query) and checked again
(``rules.check``); a survey is then written in one transaction with the ``survey.requested`` entry, the claim
of this solve (at most one survey per solve, whatever retries or concurrent sweeps do) and the customer's
throttle (no survey within ``throttle_days``, held at commit time). The entry is what the outbound mail
consumer turns into the survey mail. Work per due ticket: a Query, a GetItem (the customer), a transaction
and a PutItem (the due item leaves the index).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.core.clock import Clock
from chalicelib.core.errors import Conflict, Duplicate
from chalicelib.core.ids import new_id
from chalicelib.core.resources import DUE_SURVEY
from chalicelib.domain.surveys import SURVEY_REQUESTED, Survey, Throttled
from chalicelib.domain.timeline import Actor, ActorKind, TimelineEntry
from chalicelib.storage import keys
from chalicelib.storage.ports import DueItem, Key
from chalicelib.surveys import links
from chalicelib.surveys.rules import ANSWER_DAYS, Skip, SurveySettings, at_solve, check, delivery, due_at, solve_key

if TYPE_CHECKING:
    from chalicelib.domain.tickets import Ticket
    from chalicelib.storage.ports import CustomerRepository, WorkRepository
    from chalicelib.storage.slice_ports import SurveyRepository
    from chalicelib.surveys.config import SurveyConfig

SURVEYS = Actor(ActorKind.SYSTEM, "surveys")
ATTEMPTS = 3


class NotDue(StrEnum):
    NOT_DUE = "not due"


@dataclass(frozen=True)
class Sent:
    survey: Survey
    token: str  # the link's secret (only the mail and the demo data see it)


Result = Sent | Skip | NotDue


class SurveySender:
    def __init__(
        self,
        work: WorkRepository,
        surveys: SurveyRepository,
        customers: CustomerRepository,
        config: SurveyConfig,
        clock: Clock,
        signing_key: bytes,
        links_ready: bool,
    ) -> None:
        self.work = work
        self.surveys = surveys
        self.customers = customers
        self.config = config
        self.clock = clock
        self.signing_key = signing_key
        # Survey mail links to the pages' public address (``portal_url``): without one nothing is sent.
        self.links_ready = links_ready

    def run_due(self, ticket_id: str) -> str:
        """The sweep's handler: send the ticket's survey if it is due and still deserved."""
        result = self.attempt(ticket_id, on_time=True)
        return "sent" if isinstance(result, Sent) else str(result)

    def offer(self, ticket_id: str) -> Result:
        """Send the ticket's survey now, whatever the delay (demo data); every other check holds."""
        return self.attempt(ticket_id, on_time=False)

    def attempt(self, ticket_id: str, on_time: bool) -> Result:
        for _ in range(ATTEMPTS):
            ticket, timeline, _ = self.work.ticket_state(ticket_id)
            settings = self.config.for_team(ticket.team_id)
            due = due_at(ticket, settings)
            now = self.clock()
            if on_time and due is not None and now < due:
                # Solved again since, or the delay changed: the item moves to the right time.
                self.work.put_due(DueItem(DUE_SURVEY, ticket.id, due, _state(ticket), ticket.version))
                return NotDue.NOT_DUE
            try:
                result = self._decide(ticket, timeline, settings, now)
            except Conflict:
                continue  # the ticket changed between the read and the write: look again
            version = ticket.version + 1 if isinstance(result, Sent) else ticket.version
            self.work.put_due(DueItem(DUE_SURVEY, ticket.id, None, {"outcome": _name(result)}, version))
            _count(result)
            return result
        raise Conflict(f"ticket {ticket_id} kept changing while its survey was being sent")

    def _decide(self, ticket: Ticket, timeline: list[TimelineEntry], settings: SurveySettings, now: datetime) -> Result:
        skip = check(ticket, timeline, settings)
        if skip is not None:
            return skip
        customer = self.customers.get_customer(ticket.requester_id)
        if not self.links_ready:
            return Skip.NO_LINKS
        if not customer.email:
            return Skip.NO_ADDRESS
        assert ticket.solved_at is not None  # check() saw it solved
        who = at_solve(ticket, timeline)
        survey = Survey(
            id=new_id(),
            ticket_id=ticket.id,
            ticket_number=ticket.number,
            customer_id=customer.id,
            solved_at=ticket.solved_at,
            sent_at=now,
            answerable_until=now + timedelta(days=ANSWER_DAYS),
            channel=str(ticket.channel),
            assignee_id=who.assignee_id,
            team_id=who.team_id,
            locale=customer.locale,
        )
        nonce = links.new_nonce()
        secret = links.token(self.signing_key, survey.id, nonce)
        after = replace(ticket, version=ticket.version + 1)
        data = {
            "survey_id": survey.id,
            "nonce": nonce,
            "delivery": str(delivery(ticket)),
            "solved_at": survey.solved_at.isoformat(),
            "answerable_until": survey.answerable_until.isoformat(),
            "assignee_id": survey.assignee_id,
            "team_id": survey.team_id,
        }
        entry = TimelineEntry.system(after, SURVEY_REQUESTED, SURVEYS, now, data=data)
        claim = Key(keys.surveyed(ticket.id, solve_key(ticket.solved_at)), survey.id)
        try:
            self.surveys.request(
                survey, links.token_hash(secret), after, ticket.version, [entry], claim, settings.throttle_since(now)
            )
        except Duplicate:
            return Skip.SURVEYED
        except Throttled:
            return Skip.THROTTLED
        return Sent(survey, secret)


def _state(ticket: Ticket) -> dict[str, str]:
    return {"solved_at": solve_key(ticket.solved_at)} if ticket.solved_at else {}


def _name(result: Result) -> str:
    return "sent" if isinstance(result, Sent) else str(result)


def _count(result: Result) -> None:
    from chalicelib.core import observability

    if isinstance(result, Sent):
        observability.count("SurveySent", channel=result.survey.channel)
    else:
        observability.count("SurveySkipped", reason=_name(result))
