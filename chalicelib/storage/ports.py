"""Repository interfaces (ports). ``chalicelib.storage.dynamodb`` implements them on the table; the in-memory
fakes in ``tests/fakes`` implement them for tests.

Contract suites (tests/integration/test_repository_contract.py, test_desk_contract.py) run against both, so
the fakes cannot drift from the real thing. Access patterns and the requests that serve them are listed in
``chalicelib/storage/dynamodb/models.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.domain.access import Session, SignInAttempt, TicketLink
from chalicelib.domain.kb import Article, ArticleFeedback, ArticleFilter, IndexPointer, SearchDoc, SolveToken
from chalicelib.domain.people import Agent, ApiToken, Customer, Identity, Organization, Team, Webhook
from chalicelib.domain.reports import DayCounts, Tally
from chalicelib.domain.surveys import Survey
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

    def get(self, ticket_id: str, consistent: bool = False) -> Ticket:
        """Raises NotFound. ``consistent``: a strongly consistent read (every acknowledged write seen)."""

    def id_for_number(self, number: int) -> str:
        """Raises NotFound."""

    def get_with_timeline(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry]]:
        """The ticket and its whole timeline, oldest first. Raises NotFound."""

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

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        """Count one event in the current fixed window of ``counter``; return the window's count."""

    def window_count(self, counter: str, window_seconds: int, at: datetime) -> int:
        """The count of the fixed window of ``counter`` that holds ``at`` (0 when none), without counting."""

    def reserve_number(self, key: str, number: int) -> None:
        """Remember the ticket number an inbound mail (its raw object's key) was given, for its retries."""

    def reserved_number(self, key: str) -> int | None:
        """The number reserved for an inbound mail by an earlier attempt, if any."""

    def claim_send(self, key: str, now: datetime, stale_after_seconds: int) -> bool:
        """Claim an outbound mail for sending; False if it was sent, or is being sent by a live attempt."""

    def mark_sent(self, key: str, provider_id: str, now: datetime) -> None: ...


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

    def put_due(self, item: DueItem) -> bool:
        """Store a ticket's due item (absent from the index when ``due_at`` is None); False when a newer one
        (higher ``basis_version``) is stored already."""

    def get_due(self, kind: str, ticket_id: str) -> DueItem | None: ...

    def ticket_state(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry], dict[str, DueItem]]:
        """The ticket, its timeline and its due items, by kind: one Query of the ticket's partition."""

    def due(self, kind: str, now: datetime, limit: int) -> list[DueItem]:
        """Items of ``kind`` due at or before ``now``, earliest first: one Query on the sparse index."""


# -- customer access (the portal) -----------------------------------------------------------------


class AccessRepository(Protocol):
    """Sessions, sign-in attempts, ticket links and rate counters. Records are keyed by hashes of secrets;
    every read treats an expired record as absent (TTL deletion is lazy)."""

    def put_session(self, session: Session) -> None: ...

    def get_session(self, id_hash: str, now: datetime) -> Session | None:
        """The session, unless it is unknown or expired."""

    def renew_session(self, id_hash: str, seen_at: datetime, expires_at: datetime) -> None:
        """Slide a session's expiry; a session deleted meanwhile stays deleted."""

    def delete_session(self, id_hash: str) -> None: ...

    def session_epoch(self, customer_id: str) -> int:
        """The customer's session epoch (0 until "sign out everywhere" is first used)."""

    def advance_session_epoch(self, customer_id: str) -> int:
        """Sign out every session of the customer: returns the new epoch."""

    def put_sign_in(self, attempt: SignInAttempt) -> bool:
        """Store a new attempt with its link lookup; False (nothing written) when the attempt exists already."""

    def get_sign_in(self, id_hash: str, now: datetime) -> SignInAttempt | None:
        """The attempt, unless it is unknown or expired (a used one is returned: callers check ``used_at``)."""

    def sign_in_by_link(self, link_hash: str, now: datetime) -> SignInAttempt | None:
        """The attempt a sign-in link belongs to, unless it is unknown or expired."""

    def use_sign_in(self, id_hash: str, now: datetime, max_failures: int) -> bool:
        """Consume the attempt once: True only for the first use, while fewer than ``max_failures`` wrong codes
        were entered (a conditional write: two browsers racing with one link get one session)."""

    def fail_sign_in(self, id_hash: str) -> int:
        """Count a wrong code; returns the failures so far."""

    def link_generation(self, ticket_id: str) -> int:
        """The ticket's link generation (0 until its links are first revoked)."""

    def advance_link_generation(self, ticket_id: str) -> int:
        """Revoke every link of the ticket: returns the new generation."""

    def put_ticket_link(self, link: TicketLink) -> None:
        """Store a link, or renew its expiry when it exists (the same link is in every mail of a ticket)."""

    def get_ticket_link(self, token_hash: str, now: datetime) -> TicketLink | None:
        """The link, unless it is unknown or expired (the caller compares its generation)."""

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        """Count one event in the current fixed window of ``counter``; return the window's count."""

    def posted(self, submission_id: str) -> str | None:
        """The ticket a portal form was already handled for (its ``keys.portal_post`` claim), if any."""


# -- the knowledge base -----------------------------------------------------------------------------


class KnowledgeRepository(Protocol):
    """Articles and their versions, the published set the search index is built from, the index pointer,
    "this solved it" links and readers' feedback (docs/decisions/050-knowledge-base.md)."""

    def write_article(self, article: Article, previous: Article | None, doc: SearchDoc | None) -> None:
        """Store ``article`` as a new version, in one transaction: the current item (created when ``previous``
        is None, else only while ``previous`` is still the stored version: Conflict), the version's immutable
        copy, its slug (AlreadyExists when another article of the locale has it) and the published set
        (``doc`` put, or the article taken out when None). A write that changes what is searchable (either
        version published) adds one to the change counter and is announced by the stream (``kb.article.changed``)."""

    def get_article(self, article_id: str, consistent: bool = False) -> Article:
        """Raises NotFound."""

    def article_id_for_slug(self, locale: str, slug: str) -> str | None: ...

    def list_articles(self, where: ArticleFilter, limit: int, start: StartKey = None) -> Page[Article]:
        """Articles by status, then locale, category and slug. Pages may hold fewer than ``limit`` items
        when a filter that is not part of the key (visibility) drops some; walk until ``next_key`` is None."""

    def versions(self, article_id: str, limit: int, start: StartKey = None) -> Page[Article]:
        """An article's versions, oldest first."""

    def published(self) -> list[SearchDoc]:
        """Every published article, read consistently (what the index builder indexes)."""

    def changes(self) -> int:
        """The change counter, read consistently: how many index-changing writes were committed."""

    def pointer(self) -> IndexPointer | None: ...

    def set_pointer(self, pointer: IndexPointer) -> bool:
        """Point searches at a new index, only forward: False (nothing written) when the stored pointer covers
        more changes or has this generation already."""

    def put_solve_token(self, token: SolveToken) -> None: ...

    def solve_token(self, token_hash: str, now: datetime) -> SolveToken | None:
        """The link's record while it has not expired at ``now`` (expired ones count as none)."""

    def record_vote(self, article_id: str, viewer: str, helpful: bool, day: str) -> bool:
        """Count one "was this helpful?" vote on the day's counters; False when this viewer voted already."""

    def count_deflection(self, article_id: str, day: str) -> None:
        """Count one "this answered my question" on the day's counters."""

    def feedback(self, article_id: str) -> ArticleFeedback:
        """The counters summed over every day kept."""


# -- satisfaction surveys -------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyQuery:
    """Which surveys a listing holds: by the team or the agent at solve time (or all), sent in
    ``[since, until)``, newest first; ``rating`` and ``answered`` narrow it further."""

    team_id: str | None = None
    agent_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    rating: int | None = None
    answered: bool | None = None


class SurveyRepository(Protocol):
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
        """Store a sent survey (its token's hash, its listings) with the ticket's new version and entries, in one
        transaction. Refused with ``Duplicate`` when ``claim`` (this solve was surveyed) is taken, ``Throttled``
        when the customer was surveyed after ``throttle_since`` (None: no throttle), ``Conflict`` when the
        ticket changed."""

    def by_token(self, token_hash: str) -> Survey | None:
        """The survey a link's token (its hash) belongs to (strongly consistent)."""

    def get(self, survey_id: str) -> Survey:
        """Raises NotFound."""

    def answer(
        self,
        survey: Survey,
        expected_version: int,
        ticket: Ticket,
        ticket_version: int,
        entries: Sequence[TimelineEntry],
    ) -> None:
        """Store an answer with the ticket's new version and entries, atomically; ``Conflict`` when the survey
        or the ticket changed since they were read."""

    def listing(self, query: SurveyQuery, limit: int, start: StartKey = None) -> Page[Survey]:
        """Surveys newest first (one Query of one listing; ``rating``/``answered`` filter it, so a page may
        hold fewer than ``limit`` and still have a next one)."""


class ReportRepository(Protocol):
    def add(self, event_id: str, tallies: Sequence[Tally], expires_at: datetime) -> bool:
        """Add the tallies into their daily items together with the event's marker, in one transaction; False
        (nothing added) when the marker exists: the event was counted already."""

    def days(self, dimension: str, first: date, last: date) -> list[DayCounts]:
        """Every daily item of ``dimension`` from ``first`` to ``last`` (local days, inclusive): one Query per
        month touched (more pages past 1 MB); never a Scan."""
