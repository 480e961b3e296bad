"""In-memory AccessRepository (sessions, sign-in attempts, ticket links, counters); the contract suite in
tests/integration/test_access_contract.py runs it against the DynamoDB implementation."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.access import Session, SignInAttempt, TicketLink


class InMemoryAccessRepository:
    def __init__(self, claims: dict[str, str] | None = None) -> None:
        # Claims written with ticket changes (``keys.portal_post``) live in the tickets fake's key store.
        self._claims = claims if claims is not None else {}
        self._sessions: dict[str, Session] = {}
        self._attempts: dict[str, SignInAttempt] = {}
        self._attempt_links: dict[str, str] = {}
        self._links: dict[str, TicketLink] = {}
        self._epochs: dict[str, int] = {}
        self._generations: dict[str, int] = {}
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()

    def put_session(self, session: Session) -> None:
        self._sessions[session.id_hash] = session

    def get_session(self, id_hash: str, now: datetime) -> Session | None:
        found = self._sessions.get(id_hash)
        return found if found and found.expires_at > now else None

    def renew_session(self, id_hash: str, seen_at: datetime, expires_at: datetime) -> None:
        with self._lock:
            found = self._sessions.get(id_hash)
            if found:
                self._sessions[id_hash] = replace(found, seen_at=seen_at, expires_at=expires_at)

    def delete_session(self, id_hash: str) -> None:
        self._sessions.pop(id_hash, None)

    def session_epoch(self, customer_id: str) -> int:
        return self._epochs.get(customer_id, 0)

    def advance_session_epoch(self, customer_id: str) -> int:
        with self._lock:
            self._epochs[customer_id] = self._epochs.get(customer_id, 0) + 1
            return self._epochs[customer_id]

    def put_sign_in(self, attempt: SignInAttempt) -> bool:
        with self._lock:
            if attempt.id_hash in self._attempts or attempt.link_hash in self._attempt_links:
                return False
            self._attempts[attempt.id_hash] = attempt
            self._attempt_links[attempt.link_hash] = attempt.id_hash
            return True

    def get_sign_in(self, id_hash: str, now: datetime) -> SignInAttempt | None:
        found = self._attempts.get(id_hash)
        return found if found and found.expires_at > now else None

    def sign_in_by_link(self, link_hash: str, now: datetime) -> SignInAttempt | None:
        id_hash = self._attempt_links.get(link_hash)
        return self.get_sign_in(id_hash, now) if id_hash else None

    def use_sign_in(self, id_hash: str, now: datetime, max_failures: int) -> bool:
        with self._lock:
            found = self._attempts.get(id_hash)
            if found is None or found.used_at is not None or found.failures >= max_failures:
                return False
            self._attempts[id_hash] = replace(found, used_at=now)
            return True

    def fail_sign_in(self, id_hash: str) -> int:
        with self._lock:
            found = self._attempts.get(id_hash)
            if found is None:
                return 0
            self._attempts[id_hash] = replace(found, failures=found.failures + 1)
            return found.failures + 1

    def link_generation(self, ticket_id: str) -> int:
        return self._generations.get(ticket_id, 0)

    def advance_link_generation(self, ticket_id: str) -> int:
        with self._lock:
            self._generations[ticket_id] = self._generations.get(ticket_id, 0) + 1
            return self._generations[ticket_id]

    def put_ticket_link(self, link: TicketLink) -> None:
        self._links[link.token_hash] = link

    def get_ticket_link(self, token_hash: str, now: datetime) -> TicketLink | None:
        found = self._links.get(token_hash)
        return found if found and found.expires_at > now else None

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        key = f"{counter}#{int(now.timestamp()) // window_seconds}"
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    def posted(self, submission_id: str) -> str | None:
        return self._claims.get(f"PORTALPOST#{submission_id}")
