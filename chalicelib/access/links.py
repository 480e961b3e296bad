"""Ticket links: the link in every mail the desk sends a customer about a ticket, opening that ticket only.

One link per ticket, requester and generation, derived under the signing key: every mail of the ticket (and
every retry of one) carries the same link and renews its expiry to ``LIFETIME`` from that mail. The link says
nothing about the ticket's number and cannot be guessed from it. Revoking moves the ticket's generation on:
every earlier link stops working, and the next mail carries a new one.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.access.tokens import derive, digest, well_formed
from chalicelib.core.clock import Clock, utcnow
from chalicelib.domain.access import TicketLink
from chalicelib.storage.slice_ports import AccessRepository

LIFETIME = timedelta(days=30)


class TicketLinks:
    def __init__(self, repo: AccessRepository, key: bytes, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.key = key
        self.clock = clock

    def mint(self, ticket_id: str, customer_id: str) -> str:
        """The ticket's link for its requester, valid ``LIFETIME`` from now (the token; the URL is the caller's)."""
        generation = self.repo.link_generation(ticket_id)
        token = derive(self.key, "ticket-link", ticket_id, customer_id, str(generation))
        link = TicketLink(digest(token), ticket_id, customer_id, generation, self.clock() + LIFETIME)
        self.repo.put_ticket_link(link)
        return token

    def open(self, token: str | None) -> TicketLink | None:
        """The link ``token`` proves, unless it is malformed, unknown, expired or revoked."""
        if token is None or not well_formed(token):
            return None
        link = self.repo.get_ticket_link(digest(token), self.clock())
        if link is None or link.generation != self.repo.link_generation(link.ticket_id):
            return None
        return link

    def revoke(self, ticket_id: str) -> int:
        """Every link of the ticket stops working; returns the new generation."""
        return self.repo.advance_link_generation(ticket_id)
