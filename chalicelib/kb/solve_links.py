"""'This solved it, close my request' links in the acknowledgement mail.

A link carries a random secret (``kbs_`` + 32 random bytes); only its SHA-256 is stored, with the ticket,
its requester and the article, and an expiry (TTL, and checked on read). Mail scanners open every link, so
the link never acts on GET: ``inspect`` says what the confirm page shows, ``solve`` (the page's POST) solves
the ticket as its requester, at most once per link (a claim written with the change).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import Duplicate, NotFound
from chalicelib.domain.kb import SolveToken
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, TimelineEntry
from chalicelib.storage import keys
from chalicelib.storage.ports import Key, TicketRepository
from chalicelib.storage.slice_ports import KnowledgeRepository
from chalicelib.tickets.service import TicketService

PREFIX = "kbs_"
LINK_DAYS = 14


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class LinkView:
    """What the confirm page shows (nothing is changed by showing it)."""

    ticket_id: str
    ticket_number: int
    subject: str
    article_id: str
    open: bool  # False: the ticket is solved or closed already
    expires_at: datetime


@dataclass(frozen=True)
class Solved:
    ticket: Ticket
    article_id: str
    changed: bool  # False: the ticket was solved already, or this link was used before


class SolveLinks:
    def __init__(
        self, repo: KnowledgeRepository, tickets: TicketService, ticket_repo: TicketRepository, clock: Clock = utcnow
    ) -> None:
        self.repo = repo
        self.tickets = tickets
        self.ticket_repo = ticket_repo
        self.clock = clock

    def issue(self, ticket: Ticket, article_id: str, days: int = LINK_DAYS) -> str:
        """A new link's secret, for the mail; it is not stored anywhere but in the mail."""
        secret = PREFIX + secrets.token_urlsafe(32)
        expires = self.clock() + timedelta(days=days)
        self.repo.put_solve_token(SolveToken(token_hash(secret), ticket.id, ticket.requester_id, article_id, expires))
        return secret

    def inspect(self, secret: str) -> LinkView:
        token = self._token(secret)
        ticket = self._ticket(token)
        return LinkView(
            ticket.id, ticket.number, ticket.subject, token.article_id, ticket.status.active, token.expires_at
        )

    def solve(self, secret: str) -> Solved:
        token = self._token(secret)
        customer = Actor(ActorKind.CUSTOMER, token.customer_id)
        note = {"solved_with_article": token.article_id, "via": "kb_solve_link"}

        def build(ticket: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            self._check_scope(ticket, token)
            if not ticket.status.active:
                return ticket, []
            after, entries = ticket.change(customer, now, status=Status.SOLVED)
            return after, [replace(e, data={**e.data, **note}) for e in entries]

        before = self._ticket(token)
        try:
            claim = Key(keys.kb_solved(token.token_hash), token.ticket_id)
            after = self.tickets.automatic(token.ticket_id, build, [claim], known=before)
        except Duplicate:
            return Solved(self._ticket(token), token.article_id, False)
        return Solved(after, token.article_id, after.version != before.version)

    def _token(self, secret: str) -> SolveToken:
        token = self.repo.solve_token(token_hash(secret), self.clock()) if secret.startswith(PREFIX) else None
        if token is None:
            raise NotFound("solve link", "(unknown or expired)")
        return token

    def _ticket(self, token: SolveToken) -> Ticket:
        ticket = self.ticket_repo.get(token.ticket_id)
        self._check_scope(ticket, token)
        return ticket

    @staticmethod
    def _check_scope(ticket: Ticket, token: SolveToken) -> None:
        """A link speaks for the customer it was sent to, on their ticket only."""
        if ticket.requester_id != token.customer_id or ticket.merged_into_id:
            raise NotFound("solve link", "(unknown or expired)")
