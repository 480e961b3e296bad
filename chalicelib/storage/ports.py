"""Repository interfaces (ports). ``chalicelib.storage.dynamodb`` implements them on the table; the in-memory
fakes in ``tests/fakes`` implement them for tests.

Contract suites (tests/integration/test_repository_contract.py, test_desk_contract.py) run against both, so
the fakes cannot drift from the real thing. Access patterns and the requests that serve them are listed in
``chalicelib/storage/dynamodb/models.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
        requester: Customer | None = None,
    ) -> None:
        """Store a new ticket and its first entries (with claims and lookups) in one transaction; with
        ``requester``, a new customer (a first contact) is created in it too (``create_customer``'s errors)."""

    def get(self, ticket_id: str, consistent: bool = False, thread: bool = False) -> Ticket:
        """Raises NotFound. ``consistent``: a strongly consistent read (every acknowledged write seen).
        ``thread``: with its mail thread (``Ticket.mail_thread``, domain/mailthread.py), in the same request."""

    def id_for_number(self, number: int) -> str:
        """Raises NotFound."""

    def get_with_timeline(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry]]:
        """The ticket and its whole timeline, oldest first. Raises NotFound."""

    def get_with_entries(self, ticket_id: str, entry_ids: Sequence[str]) -> tuple[Ticket, list[TimelineEntry]]:
        """The ticket with its mail thread and the named entries that exist, oldest first, in one request.
        Raises NotFound."""

    def entry(self, ticket_id: str, entry_id: str) -> TimelineEntry | None:
        """One entry of a ticket's timeline (None: there is none with that id)."""

    def get_with_first_entries(self, ticket_id: str, limit: int) -> tuple[Ticket, list[TimelineEntry]]:
        """The ticket and its first ``limit`` entries (at most), oldest first, in one request. Raises NotFound."""

    def entries_since(self, ticket_id: str, version: int, consistent: bool = False) -> list[TimelineEntry]:
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

    def find_customer_or_domain(self, identity: Identity) -> tuple[Customer | None, str | None]:
        """The customer who owns ``identity``; when none, also the id of the organization that claimed the
        identity's email domain (None for other kinds, or when no organization did). One request for both
        lookups, plus one to read a customer found."""

    def update_customer(self, customer: Customer, expected_version: int) -> None:
        """Identities added or removed are claimed or released in the same transaction."""

    def list_customers(self, limit: int, start: StartKey = None) -> Page[Customer]: ...

    def customer_ids_at(self, domain: str, limit: int, start: StartKey = None) -> Page[str]:
        """Ids of the customers with an email address at ``domain``, by id (one Query per page)."""

    def merge_customers(self, source: Customer, target: Customer, source_version: int, target_version: int) -> None:
        """Store a merge in one transaction: ``source`` (now without identities, pointing to ``target``) and
        ``target`` (with them), each on its version condition (Conflict otherwise); every identity lookup that
        moved now names ``target``."""

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

    def get_agent(self, agent_id: str, consistent: bool = False) -> Agent:
        """Raises NotFound. ``consistent``: a strongly consistent read (sees every write acknowledged before)."""

    def find_agent_by_subject(self, subject: str) -> Agent | None: ...

    def agent_id_for_subject(self, subject: str) -> str | None:
        """The agent a token subject belongs to (it never changes), without reading the agent."""

    def update_agent(self, agent: Agent, expected_version: int) -> None: ...

    def list_agents(self, limit: int, start: StartKey = None) -> Page[Agent]: ...

    def create_team(self, team: Team) -> None: ...

    def get_team(self, team_id: str) -> Team: ...

    def list_teams(self, limit: int, start: StartKey = None) -> Page[Team]: ...

    def update_team(self, team: Team, expected_version: int) -> None:
        """Raises Conflict when the stored version is not ``expected_version``."""

    def create_token(self, token: ApiToken) -> None: ...

    def find_token(self, token_hash: str, consistent: bool = False) -> ApiToken | None: ...

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

    def recipient(self, address: str) -> tuple[Suppression | None, bool]:
        """What sending mail to ``address`` depends on, in one request: its active suppression (as
        ``suppression``), and whether it is an agent's address."""

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        """Count one event in the current fixed window of ``counter``; return the window's count."""

    def window_count(self, counter: str, window_seconds: int, at: datetime) -> int:
        """The count of the fixed window of ``counter`` that holds ``at`` (0 when none), without counting."""

    def hit_windows(
        self, group: str, windows: Sequence[tuple[str, int]], now: datetime, previous: Sequence[str] = ()
    ) -> dict[str, int]:
        """Count one event in the current fixed window of each named counter of ``group``, all in one request
        (one item per window of the longest length, which every other length divides); name -> count. For each
        name in ``previous`` also ``<name>:previous``: the count of the window before the current one (in the
        same request while that window lies in the same item; else one GetItem of the item before)."""

    def reserve_number(self, key: str, number: int) -> None:
        """Remember the ticket number an inbound mail (its raw object's key) was given, for its retries."""

    def reserved_number(self, key: str) -> int | None:
        """The number reserved for an inbound mail by an earlier attempt, if any."""

    def claim_send(self, key: str, now: datetime, stale_after_seconds: int) -> bool:
        """Claim an outbound mail for sending; False if it was sent, or is being sent by a live attempt."""

    def mark_sent(self, key: str, provider_id: str, now: datetime, message_ids: Sequence[tuple[str, str]] = ()) -> None:
        """Record the send as done, and map ``message_ids`` ((Message-ID, ticket id) pairs) as
        ``remember_message_id`` does, in one request."""


# -- configuration documents and timed work -----------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One admin-managed configuration document; ``body`` is its JSON form."""

    kind: str
    id: str
    body: dict[str, Any]
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class AuditRecord:
    id: str
    at: datetime
    actor_id: str
    action: str  # create | update | delete
    kind: str
    target_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass(frozen=True)
class DueItem:
    """A ticket's item in the sparse ``due`` index: SLA state or an automation timer.

    ``basis_version`` is the ticket version the state was computed from: a write based on an older version
    than the stored one is skipped, so a slow worker cannot put back stale state."""

    kind: str
    ticket_id: str
    due_at: datetime | None
    state: dict[str, Any] = field(default_factory=dict)
    basis_version: int = 0


class ConfigRepository(Protocol):
    def list_documents(self, kind: str) -> list[Document]:
        """Every document of a kind (one Query; a desk has tens, not thousands)."""

    def get_document(self, kind: str, doc_id: str) -> Document:
        """Raises NotFound."""

    def write_document(
        self, doc: Document, expected_version: int | None, audit: AuditRecord, keep: Sequence[Document] = ()
    ) -> None:
        """Create (``expected_version`` None: AlreadyExists if taken) or replace (Conflict unless the stored
        version is ``expected_version``) with its audit record and ``keep`` (immutable copies, e.g. policy
        versions), in one transaction."""

    def delete_document(self, kind: str, doc_id: str, expected_version: int, audit: AuditRecord) -> None: ...

    def list_audit(self, limit: int, start: StartKey = None) -> Page[AuditRecord]:
        """Newest first."""


class WorkRepository(Protocol):
    def loads(self, agent_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        """The ticket ids counted against each agent (BatchGetItem; missing agents count nothing)."""

    def assign(
        self,
        ticket: Ticket,
        expected_version: int,
        entries: Sequence[TimelineEntry],
        agent_id: str,
        capacity: int,
        claims: Sequence[Key] = (),
    ) -> None:
        """Write an automatic assignment and count the ticket against the agent, atomically.

        Refused with ``AtCapacity`` when the agent's count has reached ``capacity`` or the agent is no longer
        online and active at commit time; ``Conflict`` when the ticket changed; ``Duplicate`` for a claim."""

    def count(self, agent_id: str, ticket_id: str) -> None:
        """Count a ticket against an agent (idempotent: a set add)."""

    def uncount(self, agent_id: str, ticket_id: str) -> bool:
        """Stop counting it (idempotent); True when it was counted, i.e. the agent has room now."""

    def cursor(self, team_id: str) -> str | None:
        """The agent a team's round-robin assigned last."""

    def set_cursor(self, team_id: str, agent_id: str) -> None: ...

    def put_due(self, item: DueItem, expected: int | None = None) -> bool:
        """Store a ticket's due item (absent from the index when ``due_at`` is None); False when a newer one
        (higher ``basis_version``) is stored already. With ``expected``: only when the stored item is still the
        one read, whose ``basis_version`` was ``expected`` (0: there was none), else False."""

    def get_due(self, kind: str, ticket_id: str) -> DueItem | None: ...

    def ticket_state(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry], dict[str, DueItem]]:
        """The ticket, its timeline and its due items, by kind: one Query of the ticket's partition."""

    def ticket_head(self, ticket_id: str) -> tuple[Ticket, dict[str, DueItem]]:
        """The ticket and its due items, by kind, without its timeline: one Query of the ticket's partition
        whose read does not grow with the thread."""

    def due(self, kind: str, now: datetime, limit: int) -> list[DueItem]:
        """Items of ``kind`` due at or before ``now``, earliest first: one Query on the sparse index."""
