"""SurveyRepository on DynamoDB (items and access patterns: see models.py).

A survey is one item (``SURVEY#<id>`` / ``SURVEY``) listed by date in the sparse ``directory`` index under
``SURVEYS``; a copy of it under the team's and the agent's listing makes "a team's (an agent's) surveys in a
date range" one Query, with no Scan and no GSI of its own. Every write keeps the copies equal to the survey.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.core.errors import Conflict, DomainError, Duplicate, NotFound
from chalicelib.domain.report_chain import chained
from chalicelib.domain.surveys import Survey, Throttled
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import Page
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.mapping import entry_to_item, ticket_to_item
from chalicelib.storage.dynamodb.models import Item, LookupItem, TicketItem
from chalicelib.storage.dynamodb.slice_models import SurveyItem, SurveyThrottleItem
from chalicelib.storage.dynamodb.work import due_stamp
from chalicelib.storage.ports import Key, StartKey
from chalicelib.storage.slice_ports import SurveyQuery

MAIN, TEAM, AGENT = "SURVEY", "TEAM", "AGENT"
THROTTLE_SK = "THROTTLE"


class DynamoSurveyRepository:
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
        items = _items(survey)
        throttle_at = 3 + len(items)  # ticket, claim, token, the survey's items, then the throttle

        def error(position: int) -> DomainError:
            if position == 0:
                return Conflict(f"ticket {ticket.id} was changed by someone else")
            if position == 1:
                return Duplicate(claim.key)
            if position == throttle_at:
                return Throttled(survey.customer_id)
            return Conflict(f"survey {survey.id} or its token exists already")

        throttle = SurveyThrottleItem(
            keys.survey_throttle(survey.customer_id),
            THROTTLE_SK,
            customer_id=survey.customer_id,
            last_sent_at=survey.sent_at,
            survey_id=survey.id,
        )
        recent = None
        if throttle_since is not None:
            recent = Item.pk.does_not_exist() | (SurveyThrottleItem.last_sent_at <= throttle_since)
        (written,), entries = chained([ticket], entries, [expected_version])
        with base.transaction(error) as txn:
            txn.save(ticket_to_item(written), condition=TicketItem.version == expected_version)
            txn.save(base.lookup_item(claim.key, claim.target_id), condition=Item.pk.does_not_exist())
            txn.save(base.lookup_item(keys.survey_token(token_hash), survey.id), condition=Item.pk.does_not_exist())
            for item in items:
                txn.save(item, condition=Item.pk.does_not_exist())
            txn.save(throttle, condition=recent)
            for entry in entries:
                txn.save(entry_to_item(entry))

    def by_token(self, token_hash: str) -> Survey | None:
        found = base.get_item(LookupItem, keys.survey_token(token_hash), base.LOOKUP_SK, None, consistent=True)
        if found is None:
            return None
        return self.get(found.target_id)

    def get(self, survey_id: str) -> Survey:
        item = base.get_item(SurveyItem, keys.survey(survey_id), MAIN, NotFound("survey", survey_id), True)
        assert item is not None
        return _survey(item)

    def answer(
        self,
        survey: Survey,
        expected_version: int,
        ticket: Ticket,
        ticket_version: int,
        entries: Sequence[TimelineEntry],
    ) -> None:
        def error(position: int) -> DomainError:
            what = f"ticket {ticket.id}" if position == 0 else f"survey {survey.id}"
            return Conflict(f"{what} was changed by someone else")

        main, *copies = _items(survey)
        (written,), entries = chained([ticket], entries, [ticket_version])
        with base.transaction(error) as txn:
            txn.save(ticket_to_item(written), condition=TicketItem.version == ticket_version)
            txn.save(main, condition=SurveyItem.version == expected_version)
            for copy in copies:
                txn.save(copy)
            for entry in entries:
                txn.save(entry_to_item(entry))

    def listing(self, query: SurveyQuery, limit: int, start: StartKey = None) -> Page[Survey]:
        results = Item.idx_directory.query(  # type: ignore[attr-defined]
            keys.surveys_listed(query.team_id, query.agent_id),
            _dates(query),
            filter_condition=_filters(query),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
        )
        items = [_survey(item) for item in results if isinstance(item, SurveyItem)]
        return Page(items, results.last_evaluated_key)


def _dates(query: SurveyQuery) -> Any:
    """The sort key range of ``[since, until)``: keys are ``<sent stamp>#<id>``, so a bare stamp sorts before
    every survey sent at that instant."""
    since = due_stamp(query.since) if query.since else None
    until = due_stamp(query.until) if query.until else None
    if since and until:
        return Item.dir_sk.between(since, until)
    if since:
        return Item.dir_sk >= since
    if until:
        return Item.dir_sk < until
    return None


def _filters(query: SurveyQuery) -> Any:
    conditions: list[Any] = []
    if query.rating is not None:
        conditions.append(SurveyItem.rating == query.rating)
    if query.answered is not None:
        conditions.append(SurveyItem.rating.exists() if query.answered else SurveyItem.rating.does_not_exist())
    if query.agent_id and query.team_id:  # the agent's listing, narrowed to the team
        conditions.append(SurveyItem.team_id == query.team_id)
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def _items(survey: Survey) -> list[SurveyItem]:
    """The survey and its copies in its team's and its agent's listings (all with the same attributes)."""
    listed = [(MAIN, keys.surveys_listed())]
    if survey.team_id:
        listed.append((TEAM, keys.surveys_listed(team_id=survey.team_id)))
    if survey.assignee_id:
        listed.append((AGENT, keys.surveys_listed(agent_id=survey.assignee_id)))
    return [_item(survey, sk, dir_pk) for sk, dir_pk in listed]


def _item(survey: Survey, sk: str, dir_pk: str) -> SurveyItem:
    return SurveyItem(
        keys.survey(survey.id),
        sk,
        dir_pk=dir_pk,
        dir_sk=f"{due_stamp(survey.sent_at)}#{survey.id}",
        id=survey.id,
        ticket_id=survey.ticket_id,
        ticket_number=survey.ticket_number,
        customer_id=survey.customer_id,
        solved_at=survey.solved_at,
        sent_at=survey.sent_at,
        answerable_until=survey.answerable_until,
        channel=survey.channel,
        assignee_id=survey.assignee_id,
        team_id=survey.team_id,
        locale=survey.locale,
        rating=survey.rating,
        comment=survey.comment,
        reasons=list(survey.reasons) or None,
        answered_at=survey.answered_at,
        version=survey.version,
    )


def _survey(item: SurveyItem) -> Survey:
    return Survey(
        id=item.id,
        ticket_id=item.ticket_id,
        ticket_number=int(item.ticket_number),
        customer_id=item.customer_id,
        solved_at=item.solved_at,
        sent_at=item.sent_at,
        answerable_until=item.answerable_until,
        channel=item.channel,
        assignee_id=item.assignee_id,
        team_id=item.team_id,
        locale=item.locale,
        rating=int(item.rating) if item.rating is not None else None,
        comment=item.comment,
        reasons=tuple(str(r) for r in item.reasons or ()),
        answered_at=item.answered_at,
        version=int(item.version),
    )
