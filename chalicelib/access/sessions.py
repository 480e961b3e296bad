"""Portal sessions: an opaque cookie value, a table item keyed by its hash, a sliding expiry.

A session lasts ``IDLE`` after its last use and never longer than ``MAX_AGE``; its expiry is renewed at most
once per ``RENEW_AFTER`` (a write on every page view would cost more than it protects). "Sign out everywhere"
moves the customer's session epoch on: every session started in an earlier epoch stops working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.access.tokens import digest, new_token, well_formed
from chalicelib.core.clock import Clock, utcnow
from chalicelib.domain.access import Session
from chalicelib.storage.slice_ports import AccessRepository

IDLE = timedelta(days=7)
MAX_AGE = timedelta(days=30)
RENEW_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Started:
    """A new session and the cookie value that proves it (shown once, never stored)."""

    token: str
    session: Session


class Sessions:
    def __init__(self, repo: AccessRepository, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.clock = clock

    def start(self, customer_id: str) -> Started:
        now, token = self.clock(), new_token()
        session = Session(
            id_hash=digest(token),
            customer_id=customer_id,
            created_at=now,
            seen_at=now,
            expires_at=now + IDLE,
            ends_at=now + MAX_AGE,
            epoch=self.repo.session_epoch(customer_id),
        )
        self.repo.put_session(session)
        return Started(token, session)

    def resume(self, token: str | None) -> Session | None:
        """The session a cookie value proves, renewing its expiry when due; None when it proves none."""
        if token is None or not well_formed(token):
            return None
        now = self.clock()
        session = self.repo.get_session(digest(token), now)
        if session is None or session.ends_at <= now:
            return None
        if session.epoch < self.repo.session_epoch(session.customer_id):
            self.repo.delete_session(session.id_hash)
            return None
        if now - session.seen_at >= RENEW_AFTER:
            expires_at = min(now + IDLE, session.ends_at)
            self.repo.renew_session(session.id_hash, now, expires_at)
            return Session(
                session.id_hash,
                session.customer_id,
                session.created_at,
                now,
                expires_at,
                session.ends_at,
                session.epoch,
            )
        return session

    def end(self, session: Session) -> None:
        self.repo.delete_session(session.id_hash)

    def end_everywhere(self, session: Session) -> None:
        """Sign out every browser of the session's customer (this one included)."""
        self.repo.advance_session_epoch(session.customer_id)
        self.repo.delete_session(session.id_hash)
