"""Repository interfaces (ports) of the slices built on the desk: customer access (the portal), the knowledge
base, satisfaction surveys and reports (the chat's are in ``chat_ports``). As in ``ports``, the DynamoDB
implementations and the in-memory fakes are held to each slice's contract suite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from chalicelib.domain.access import Session, SignInAttempt, TicketLink
from chalicelib.domain.kb import Article, ArticleFeedback, ArticleFilter, IndexPointer, SearchDoc, SolveToken
from chalicelib.domain.reports import DayCounts, KeptReplay, PendingView, Tally
from chalicelib.domain.surveys import Survey
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import Page
from chalicelib.storage.ports import Key, StartKey

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
    def add(
        self, event_id: str, tallies: Sequence[Tally], expires_at: datetime, keep: KeptReplay | None = None
    ) -> bool:
        """Add the tallies into their daily items together with the event's marker, in one transaction; False
        (nothing added) when the marker exists: the event was counted already. ``keep``: the ticket's kept
        replay is put in the same transaction when it moves forward (kept absent, or after an earlier entry);
        when it would not, the tallies are added without it."""

    def keep(self, kept: KeptReplay) -> bool:
        """Put the ticket's kept replay alone (one PutItem) when it moves forward; False when it would not."""

    def kept(self, ticket_id: str, entry_id: str) -> tuple[KeptReplay | None, TimelineEntry | None]:
        """The ticket's kept replay and its timeline entry ``entry_id`` (None: not there, or not visible yet),
        in one BatchGetItem (eventually consistent)."""

    def bump(self, tally: Tally) -> None:
        """Add the tally into its daily item (one ``ADD`` update, no marker): for counts made where they
        happen, in a request that is not delivered again (the knowledge base's signals)."""

    def hold_view(self, view: PendingView, expires_at: datetime) -> None:
        """Put the reader's pending view (one PutItem on the sparse ``due`` index, replacing their earlier
        one: a later view restarts the window)."""

    def drop_view(self, viewer: str) -> None:
        """Delete the reader's pending view, if any (one DeleteItem, no read)."""

    def due_views(self, now: datetime, limit: int) -> list[PendingView]:
        """Pending views due by ``now``, earliest first (one Query of the ``due`` index)."""

    def count_view(self, view: PendingView) -> bool:
        """Delete the pending view and add ``kb_probable`` on its day, in one transaction; False (nothing
        added) when it is gone or was replaced by a later view: counted already, or answered by a ticket."""

    def days(self, dimension: str, first: date, last: date) -> list[DayCounts]:
        """Every daily item of ``dimension`` from ``first`` to ``last`` (local days, inclusive): one Query per
        month touched (more pages past 1 MB); never a Scan."""
