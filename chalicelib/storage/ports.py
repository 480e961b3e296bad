"""Repository interfaces. ``dynamodb`` implements them on the table; ``memory`` is the in-memory fake.

One contract suite (tests/integration/test_repository_contract.py) runs against both, so the fake cannot
drift from the real thing. Access patterns and the requests that serve them are listed in
``chalicelib/storage/dynamodb/models.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.people import Agent, ApiToken, Customer, Identity, Organization, Team, Webhook
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import Page, View

# A repository's position in a listing (DynamoDB's LastEvaluatedKey); opaque above the repositories.
StartKey = dict[str, Any] | None


@dataclass(frozen=True)
class Key:
    """A unique key written together with a ticket change, pointing to ``target_id``.

    As a *claim* it must not exist yet (an idempotency key: a taken claim raises Duplicate and nothing is
    written); as a *lookup* it is written unconditionally (e.g. the Message-ID of a stored mail)."""

    key: str
    target_id: str


@dataclass(frozen=True)
class QuarantineRecord:
    key: str  # the raw mail's object key in the mail bucket
    reason: str
    detail: str
    received_at: datetime
    bucket: str = ""


@dataclass(frozen=True)
class Suppression:
    address: str
    reason: str
    until: datetime


class TicketRepository(Protocol):
    def allocate_number(self) -> int:
        """The next ticket number, atomically; a failed create leaves a gap, never a duplicate."""

    def create(
        self,
        ticket: Ticket,
        entries: Sequence[TimelineEntry],
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
    ) -> None:
        """Store a new ticket and its first entries (with claims and lookups) in one transaction."""

    def get(self, ticket_id: str) -> Ticket:
        """Raises NotFound."""

    def id_for_number(self, number: int) -> str:
        """Raises NotFound."""

    def get_with_timeline(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry]]:
        """The ticket and its whole timeline, oldest first. Raises NotFound."""

    def entries_since(self, ticket_id: str, version: int) -> list[TimelineEntry]:
        """Entries that produced versions after ``version``, oldest first."""

    def save(
        self,
        tickets: Sequence[tuple[Ticket, int]],
        entries: Sequence[TimelineEntry],
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
    ) -> None:
        """Write changed tickets and new entries atomically.

        Each ticket is written only if its stored version still equals the version paired with it;
        otherwise nothing is written and Conflict is raised. A taken claim raises Duplicate.
        """

    def copy_entries(self, ticket_id: str, entries: Sequence[TimelineEntry]) -> None:
        """Copy entries of a merged ticket into ``ticket_id``'s timeline (idempotent; not re-published)."""

    def list_view(self, view: View, limit: int, start: StartKey = None) -> Page[Ticket]:
        """Tickets in a view, in view order."""


class CustomerRepository(Protocol):
    def create_customer(self, customer: Customer) -> None:
        """Raises AlreadyExists when an identity belongs to another customer."""

    def get_customer(self, customer_id: str) -> Customer: ...

    def find_customer(self, identity: Identity) -> Customer | None: ...

    def update_customer(self, customer: Customer, expected_version: int) -> None:
        """Identities added or removed are claimed or released in the same transaction."""

    def list_customers(self, limit: int, start: StartKey = None) -> Page[Customer]: ...

    def create_organization(self, org: Organization) -> None:
        """Raises AlreadyExists when a domain belongs to another organization."""

    def get_organization(self, org_id: str) -> Organization: ...

    def find_organization_by_domain(self, domain: str) -> Organization | None: ...

    def update_organization(self, org: Organization, expected_version: int) -> None: ...

    def list_organizations(self, limit: int, start: StartKey = None) -> Page[Organization]: ...


class DirectoryRepository(Protocol):
    """Agents, teams, API tokens and webhooks."""

    def find_agent_by_email(self, email: str) -> Agent | None: ...

    def create_agent(self, agent: Agent) -> None:
        """Raises AlreadyExists for a taken email or subject."""

    def get_agent(self, agent_id: str) -> Agent: ...

    def find_agent_by_subject(self, subject: str) -> Agent | None: ...

    def update_agent(self, agent: Agent, expected_version: int) -> None: ...

    def list_agents(self, limit: int, start: StartKey = None) -> Page[Agent]: ...

    def create_team(self, team: Team) -> None: ...

    def get_team(self, team_id: str) -> Team: ...

    def list_teams(self, limit: int, start: StartKey = None) -> Page[Team]: ...

    def update_team(self, team: Team, expected_version: int) -> None:
        """Raises Conflict when the stored version is not ``expected_version``."""

    def create_token(self, token: ApiToken) -> None: ...

    def find_token(self, token_hash: str) -> ApiToken | None: ...

    def revoke_token(self, token: ApiToken) -> None: ...

    def list_tokens(self, agent_id: str) -> list[ApiToken]: ...

    def create_webhook(self, webhook: Webhook) -> None: ...

    def get_webhook(self, webhook_id: str) -> Webhook: ...

    def delete_webhook(self, webhook_id: str) -> None: ...

    def list_webhooks(self) -> list[Webhook]: ...

    def was_delivered(self, webhook_id: str, event_id: str) -> bool:
        """True when the event already reached the webhook (a redelivered queue message)."""

    def mark_delivered(self, webhook_id: str, event_id: str, ttl_seconds: int) -> None:
        """Record a successful delivery; the record expires after ``ttl_seconds``."""


class MailRepository(Protocol):
    """What the email channel remembers: processed mail, Message-IDs, quarantine, suppression, caps, sends."""

    def ingested(self, key: str) -> str | None:
        """Where an inbound mail (by its object key) went: a ticket id, or an outcome; None if never seen."""

    def record_outcome(self, key: str, outcome: str) -> bool:
        """Remember an inbound mail that made no ticket change (quarantined, ignored); False if seen before."""

    def ticket_for_message_id(self, message_id: str) -> str | None: ...

    def remember_message_id(self, message_id: str, ticket_id: str) -> None:
        """Map a Message-ID (without angle brackets) to its ticket, e.g. of a mail Lambdesk sent."""

    def quarantine(self, record: QuarantineRecord) -> None: ...

    def list_quarantine(self, limit: int, start: StartKey = None) -> Page[QuarantineRecord]: ...

    def release_quarantine(self, key: str) -> None:
        """Forget a quarantined mail and its outcome, so that it can be processed again."""

    def suppress(self, suppression: Suppression) -> None: ...

    def suppression(self, address: str) -> Suppression | None:
        """The active suppression of an address (expired ones count as none)."""

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        """Count one event in the current fixed window of ``counter``; return the window's count."""

    def claim_send(self, key: str, now: datetime, stale_after_seconds: int) -> bool:
        """Claim an outbound mail for sending; False if it was sent, or is being sent by a live attempt."""

    def mark_sent(self, key: str, provider_id: str, now: datetime) -> None: ...
