"""AccessRepository on DynamoDB: portal sessions, sign-in attempts, ticket links, rate counters."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.core.errors import DomainError
from chalicelib.domain.access import Session, SignInAttempt, TicketLink
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.models import CounterItem, Item
from chalicelib.storage.dynamodb.slice_models import SessionItem, SignInItem, TicketLinkItem

SESSION_SK = "SESSION"
SIGN_IN_SK = "SIGNIN"
LINK_SK = "LINK"
COUNTER_SK = "COUNTER"
CONDITION_FAILED = "ConditionalCheckFailedException"


class _Taken(DomainError):
    """The sign-in attempt exists already (a redelivered message)."""


def _live(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at > now


def _session(item: SessionItem) -> Session:
    return Session(
        item.pk.removeprefix("SESSION#"),
        item.customer_id,
        item.created_at,
        item.seen_at,
        item.expires_at,
        item.ends_at,
        int(item.epoch),
    )


def _attempt(item: SignInItem) -> SignInAttempt:
    return SignInAttempt(
        item.pk.removeprefix("SIGNIN#"),
        item.email,
        item.link_hash,
        item.code_mac,
        item.created_at,
        item.expires_at,
        int(item.failures or 0),
        item.used_at,
    )


def _counter(key: str) -> int:
    item = base.get_item(CounterItem, key, COUNTER_SK, None, consistent=True)
    return int(item.value) if item else 0


def _advance(key: str) -> int:
    item = CounterItem(key, COUNTER_SK)
    item.update(actions=[CounterItem.value.add(1)])
    return int(item.value)


class DynamoAccessRepository:
    # -- sessions --------------------------------------------------------------------------------

    def put_session(self, session: Session) -> None:
        SessionItem(
            keys.session(session.id_hash),
            SESSION_SK,
            customer_id=session.customer_id,
            created_at=session.created_at,
            seen_at=session.seen_at,
            ends_at=session.ends_at,
            epoch=session.epoch,
            expires_at=session.expires_at,
        ).save()

    def get_session(self, id_hash: str, now: datetime) -> Session | None:
        item = base.get_item(SessionItem, keys.session(id_hash), SESSION_SK, None)
        return _session(item) if item and _live(item.expires_at, now) else None

    def renew_session(self, id_hash: str, seen_at: datetime, expires_at: datetime) -> None:
        item = SessionItem(keys.session(id_hash), SESSION_SK)
        try:
            item.update(
                actions=[SessionItem.seen_at.set(seen_at), SessionItem.expires_at.set(expires_at)],
                condition=Item.pk.exists(),
            )
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise

    def delete_session(self, id_hash: str) -> None:
        SessionItem(keys.session(id_hash), SESSION_SK).delete()

    def session_epoch(self, customer_id: str) -> int:
        return _counter(keys.session_epoch(customer_id))

    def advance_session_epoch(self, customer_id: str) -> int:
        return _advance(keys.session_epoch(customer_id))

    # -- sign-in attempts -----------------------------------------------------------------------

    def put_sign_in(self, attempt: SignInAttempt) -> bool:
        item = SignInItem(
            keys.sign_in(attempt.id_hash),
            SIGN_IN_SK,
            email=attempt.email,
            link_hash=attempt.link_hash,
            code_mac=attempt.code_mac,
            created_at=attempt.created_at,
            failures=attempt.failures,
            expires_at=attempt.expires_at,
        )
        link = base.lookup_item(keys.sign_in_link(attempt.link_hash), attempt.id_hash)
        link.expires_at = attempt.expires_at
        try:
            with base.transaction(lambda position: _Taken(attempt.id_hash)) as txn:
                txn.save(item, condition=Item.pk.does_not_exist())
                txn.save(link, condition=Item.pk.does_not_exist())
        except _Taken:
            return False
        return True

    def get_sign_in(self, id_hash: str, now: datetime) -> SignInAttempt | None:
        item = base.get_item(SignInItem, keys.sign_in(id_hash), SIGN_IN_SK, None, consistent=True)
        return _attempt(item) if item and _live(item.expires_at, now) else None

    def sign_in_by_link(self, link_hash: str, now: datetime) -> SignInAttempt | None:
        id_hash = base.lookup(keys.sign_in_link(link_hash))
        return self.get_sign_in(id_hash, now) if id_hash else None

    def use_sign_in(self, id_hash: str, now: datetime, max_failures: int) -> bool:
        item = SignInItem(keys.sign_in(id_hash), SIGN_IN_SK)
        condition = Item.pk.exists() & SignInItem.used_at.does_not_exist() & (SignInItem.failures < max_failures)
        try:
            item.update(actions=[SignInItem.used_at.set(now)], condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == CONDITION_FAILED:
                return False
            raise
        return True

    def fail_sign_in(self, id_hash: str) -> int:
        item = SignInItem(keys.sign_in(id_hash), SIGN_IN_SK)
        try:
            item.update(actions=[SignInItem.failures.add(1)], condition=Item.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code == CONDITION_FAILED:
                return 0
            raise
        return int(item.failures)

    # -- ticket links ---------------------------------------------------------------------------

    def link_generation(self, ticket_id: str) -> int:
        return _counter(keys.link_generation(ticket_id))

    def advance_link_generation(self, ticket_id: str) -> int:
        return _advance(keys.link_generation(ticket_id))

    def put_ticket_link(self, link: TicketLink) -> None:
        TicketLinkItem(
            keys.ticket_link(link.token_hash),
            LINK_SK,
            ticket_id=link.ticket_id,
            customer_id=link.customer_id,
            generation=link.generation,
            expires_at=link.expires_at,
        ).save()

    def get_ticket_link(self, token_hash: str, now: datetime) -> TicketLink | None:
        item = base.get_item(TicketLinkItem, keys.ticket_link(token_hash), LINK_SK, None)
        if item is None or not _live(item.expires_at, now):
            return None
        return TicketLink(token_hash, item.ticket_id, item.customer_id, int(item.generation), item.expires_at)

    # -- counters and claims --------------------------------------------------------------------

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        window = int(now.timestamp()) // window_seconds
        item = CounterItem(keys.rate(counter, window), COUNTER_SK)
        expires = datetime.fromtimestamp((window + 2) * window_seconds, now.tzinfo)
        item.update(actions=[CounterItem.value.add(1), CounterItem.expires_at.set(expires)])
        return int(item.value)

    def posted(self, submission_id: str) -> str | None:
        return base.lookup(keys.portal_post(submission_id))
