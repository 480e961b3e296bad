"""The composition root: every service, handler and sweep is built here, from the repositories and the
settings, and receives only what it uses. Nothing else in ``chalicelib`` knows how the parts fit together.

A container is built once per Lambda execution environment (``current()``); its parts are built at first
use, so a function pays only for what it touches. Tests build one on the in-memory fakes
(``tests.fakes.memory_services``) and install it with ``use()``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.bootstrap.access import AccessParts
from chalicelib.bootstrap.chat import held as chat_held
from chalicelib.bootstrap.repositories import Repositories, RepositoryNames
from chalicelib.core.clock import Clock, utcnow

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.automations.config import AutomationConfig
    from chalicelib.automations.consumer import TriggerRunner
    from chalicelib.automations.keeper import SeenTickets, TeamCache, TimerKeeper
    from chalicelib.automations.macros import MacroApplier
    from chalicelib.bootstrap.chat import ChatParts
    from chalicelib.bootstrap.reports import ReportParts
    from chalicelib.bootstrap.surveys import SurveyParts
    from chalicelib.config.calendars import CalendarBook
    from chalicelib.config.store import DocumentStore
    from chalicelib.core.settings_model import Settings
    from chalicelib.domain.tickets import Ticket
    from chalicelib.kb.parts import KbParts
    from chalicelib.mailflow.drafts import Answer, Drafts
    from chalicelib.mailflow.inbound import MailIngest
    from chalicelib.mailflow.outbound import Outbound
    from chalicelib.people.auth import Authenticator
    from chalicelib.people.customers import CustomerService
    from chalicelib.people.directory import DirectoryService
    from chalicelib.routing.config import RoutingConfig
    from chalicelib.routing.service import Router
    from chalicelib.sla.config import PolicyBook
    from chalicelib.sla.consumer import OpsForwarder
    from chalicelib.sla.status import SlaStatus
    from chalicelib.sla.tracker import SlaTracker
    from chalicelib.surveys.config import SurveyConfig
    from chalicelib.tickets.relations import TicketRelations
    from chalicelib.tickets.requesters import RequesterMove
    from chalicelib.tickets.service import TicketService
    from chalicelib.tickets.uploads import Uploads
    from chalicelib.webhooks.dispatcher import WebhookDispatcher


class Container(AccessParts, RepositoryNames):
    def __init__(
        self,
        settings: Settings,
        repos: Repositories,
        clock: Clock = utcnow,
        cache_seconds: float = 30.0,
        signing_key: bytes | None = None,
    ) -> None:
        self.settings = settings
        self.repos = repos
        self.clock = clock
        # How long a container trusts what it read of the configuration documents.
        self.cache_seconds = cache_seconds
        self._signing_key = signing_key
        self.chat_send: Any = None

    @property
    def signing_key(self) -> bytes:
        if self._signing_key is None:
            from chalicelib.core.signing import signing_key

            self._signing_key = signing_key()
        return self._signing_key

    # -- the ticket core -------------------------------------------------------------------------

    @cached_property
    def customers(self) -> CustomerService:
        from chalicelib.people.customers import CustomerService

        return CustomerService(self.customer_repo, self.clock)

    @cached_property
    def tickets(self) -> TicketService:
        from chalicelib.tickets.service import TicketService

        return TicketService(self.ticket_repo, self.customers, self.directory_repo, self.clock)

    @cached_property
    def ticket_relations(self) -> TicketRelations:
        from chalicelib.tickets.relations import TicketRelations

        return TicketRelations(self.ticket_repo, self.clock)

    @cached_property
    def agent_uploads(self) -> Uploads:
        """Agents' reply attachments (the portal's customer uploads are ``uploads``)."""
        from chalicelib.tickets.uploads import Uploads

        return Uploads(self.objects, self.settings.bucket, self.settings.max_attachment_bytes, self.clock)

    @cached_property
    def ticket_requesters(self) -> RequesterMove:
        from chalicelib.tickets.requesters import RequesterMove

        return RequesterMove(self.ticket_repo, self.tickets)

    @cached_property
    def directory(self) -> DirectoryService:
        from chalicelib.people.directory import DirectoryService

        return DirectoryService(self.directory_repo, self.clock)

    @cached_property
    def auth(self) -> Authenticator:
        from chalicelib.people.auth import Authenticator

        return Authenticator(self.settings, self.directory_repo)

    # -- configuration ---------------------------------------------------------------------------

    @cached_property
    def _store(self) -> DocumentStore:
        from chalicelib.config.store import DocumentStore

        return DocumentStore(self.config_repo, self.clock, self.cache_seconds)

    @cached_property
    def documents(self) -> DocumentStore:
        """The configuration store, with every feature's document kinds registered (readers need no kinds)."""
        from chalicelib.automations.config import macro_kind, trigger_kind
        from chalicelib.config.calendars import calendar_kind
        from chalicelib.routing.config import rule_kind
        from chalicelib.sla.config import policy_kind
        from chalicelib.surveys.config import survey_settings_kind

        store = self._store
        store.register(calendar_kind(self._calendar_users, lambda actor, doc: self.policies.recalendar(actor, doc)))
        store.register(rule_kind(self.calendars, self.directory_repo))
        store.register(policy_kind(self.calendars, self.directory_repo))
        store.register(trigger_kind(store))
        store.register(macro_kind(store))
        store.register(survey_settings_kind(self.directory_repo))
        return store

    def _calendar_users(self, calendar_id: str) -> list[str]:
        return self.policies.calendar_users(calendar_id) + self.routing_config.calendar_users(calendar_id)

    @cached_property
    def calendars(self) -> CalendarBook:
        from chalicelib.config.calendars import CalendarBook

        return CalendarBook(self._store)

    @cached_property
    def routing_config(self) -> RoutingConfig:
        from chalicelib.routing.config import RoutingConfig

        return RoutingConfig(self._store, self.calendars)

    @cached_property
    def policies(self) -> PolicyBook:
        from chalicelib.sla.config import PolicyBook

        return PolicyBook(self._store)

    @cached_property
    def automation_config(self) -> AutomationConfig:
        from chalicelib.automations.config import AutomationConfig

        return AutomationConfig(self._store)

    @cached_property
    def macros(self) -> MacroApplier:
        from chalicelib.automations.macros import MacroApplier

        return MacroApplier(self.tickets, self.customer_repo, self.automation_config)

    @cached_property
    def survey_config(self) -> SurveyConfig:
        from chalicelib.surveys.config import SurveyConfig

        return SurveyConfig(self._store)

    @cached_property
    def surveys(self) -> SurveyParts:
        """The survey slice's parts (keeper, sender, answers, reports, settings, links)."""
        from chalicelib.bootstrap.surveys import SurveyParts

        return SurveyParts(self)

    @cached_property
    def reports(self) -> ReportParts:
        """The reports slice's parts (aggregator, queries)."""
        from chalicelib.bootstrap.reports import ReportParts

        return ReportParts(self)

    # -- handlers (new ones per batch or sweep: they keep what they read for that batch only) ----------

    def router(self) -> Router:
        from chalicelib.routing.service import Router

        return Router(
            self.ticket_repo,
            self.tickets,
            self.customer_repo,
            self.directory_repo,
            self.work_repo,
            self.routing_config,
            self.clock,
            self.ticket_relations,
            held=chat_held,
        )

    @cached_property
    def chat(self) -> ChatParts:
        """The chat's parts; ``chat_send`` replaces the Management API (tests record frames with it)."""
        from chalicelib.bootstrap.chat import ChatParts

        return ChatParts(self, self.chat_send)

    def sla_tracker(self) -> SlaTracker:
        from chalicelib.sla.tracker import SlaTracker

        return SlaTracker(
            self.work_repo,
            self.tickets,
            self.directory_repo,
            self.policies,
            self.clock,
            self.settings.sla_warn_fraction,
        )

    def timer_keeper(self, seen: SeenTickets | None = None) -> TimerKeeper:
        from chalicelib.automations.keeper import TimerKeeper

        return TimerKeeper(self.work_repo, self.tickets, self.directory_repo, self.clock, self._teams, seen)

    @cached_property
    def _teams(self) -> TeamCache:
        """Teams as configuration: the timer keepers of every batch and sweep share what one read."""
        from chalicelib.automations.keeper import TeamCache

        return TeamCache(self.directory_repo, self.cache_seconds)

    def trigger_runner(self) -> TriggerRunner:
        from chalicelib.automations.consumer import TriggerRunner

        return TriggerRunner(self.ticket_repo, self.tickets, self.customer_repo, self.automation_config)

    @cached_property
    def sla_status(self) -> SlaStatus:
        from chalicelib.sla.status import SlaStatus

        return SlaStatus(self.ticket_repo, self.work_repo)

    @cached_property
    def ops_forwarder(self) -> OpsForwarder:
        from chalicelib.sla.consumer import OpsForwarder

        return OpsForwarder(self.directory_repo, self.settings.ops_topic_arn)

    @cached_property
    def webhooks(self) -> WebhookDispatcher:
        from chalicelib.webhooks.dispatcher import WebhookDispatcher

        return WebhookDispatcher(
            self.directory_repo,
            self.signing_key,
            self.settings.webhook_timeout_seconds,
            self.settings.webhooks_allow_private,
            cache_seconds=self.cache_seconds,
        )

    # -- knowledge base --------------------------------------------------------------------------

    @cached_property
    def kb(self) -> KbParts:
        from chalicelib.kb.index import Location
        from chalicelib.kb.parts import KbParts

        location = Location(self.objects, self.settings.bucket)
        pointer_seconds = self.settings.kb_pointer_interval
        return KbParts(
            self.kb_repo,
            location,
            self.tickets,
            self.ticket_repo,
            lambda: self.signing_key,
            pointer_seconds,
            self.clock,
            self.reports.kb_counter() if self.repos.reports is not None else None,
            self.reports.kb_probable() if self.repos.reports is not None else None,
        )

    # -- mail ------------------------------------------------------------------------------------

    @cached_property
    def drafts(self) -> Drafts:
        from chalicelib.mailflow.drafts import Drafts

        return Drafts(
            self.ticket_repo,
            self.customer_repo,
            self.directory_repo,
            self.settings.support_name,
            self.ticket_links,
            self.settings.portal_base,
            self.surveys.links,
            self._ack_answers(),
        )

    def _ack_answers(self) -> Callable[[Ticket, str], list[Answer]] | None:
        from chalicelib.bootstrap.kb_mail import acknowledgement_answers

        portal, count = self.settings.portal_base, self.settings.kb_ack_articles
        return acknowledgement_answers(lambda: self.kb, portal, count) if portal and count else None

    def outbound(self, ses: Any = None, **options: Any) -> Outbound:
        from chalicelib.mailflow.caps import DEFAULT_CAPS
        from chalicelib.mailflow.outbound import Outbound

        if ses is None:
            from chalicelib.core.clients import client

            ses = client("sesv2")
        return Outbound(
            self.drafts,
            self.mail_repo,
            self.directory_repo,
            self.settings,
            self.objects,
            ses,
            self.signing_key,
            options.pop("clock", self.clock),
            options.pop("caps", DEFAULT_CAPS),
            self.tickets,
        )

    @cached_property
    def mail_ingest(self) -> MailIngest:
        from chalicelib.mailflow.inbound import MailIngest
        from chalicelib.mailflow.threads import Threads

        threads = Threads(
            self.ticket_repo,
            self.customer_repo,
            self.directory_repo,
            self.mail_repo,
            self.settings.support_domain,
            self.signing_key,
        )
        return MailIngest(
            self.tickets,
            self.customers,
            self.directory_repo,
            self.mail_repo,
            threads,
            self.objects,
            self.settings,
            self.ticket_relations,
        )


_current: Container | None = None


def current() -> Container:
    global _current
    if _current is None:
        from chalicelib.bootstrap.dynamodb import dynamodb_container
        from chalicelib.core.settings import get_settings

        _current = dynamodb_container(get_settings())
    return _current


def use(replacement: Container | None) -> None:
    """Install a container (tests), or None to build from the settings again."""
    global _current
    _current = replacement
