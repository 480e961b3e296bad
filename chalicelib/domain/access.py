"""Customer access without passwords: sessions, one-time sign-in attempts, ticket links.

Secrets never live here: each record is keyed by the SHA-256 of the secret a browser or a mail holds, so a
read of the table grants nothing. ``expires_at`` is also the item's TTL attribute; DynamoDB deletes expired
items lazily, so every read checks it too (see ``chalicelib.storage.slice_ports.AccessRepository``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Session:
    """A signed-in browser. ``expires_at`` slides forward with use (idle limit); ``ends_at`` never moves."""

    id_hash: str
    customer_id: str
    created_at: datetime
    seen_at: datetime
    expires_at: datetime
    ends_at: datetime
    # The customer's session epoch when it started: "sign out everywhere" moves the epoch on.
    epoch: int = 0


@dataclass(frozen=True)
class SignInAttempt:
    """One sign-in request: a link and a six-digit code mailed together; either signs in once."""

    id_hash: str  # SHA-256 of the attempt id the requesting browser keeps in a cookie
    email: str
    link_hash: str  # SHA-256 of the link's token
    code_mac: str  # HMAC of the code (bound to the attempt), never the code itself
    created_at: datetime
    expires_at: datetime
    failures: int = 0  # wrong codes entered
    used_at: datetime | None = None


@dataclass(frozen=True)
class TicketLink:
    """The link in the desk's mail that opens one ticket for its requester without signing in."""

    token_hash: str
    ticket_id: str
    customer_id: str
    # The ticket's link generation when it was minted: revoking the ticket's links moves the generation on.
    generation: int
    expires_at: datetime
