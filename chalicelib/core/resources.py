"""Names and shapes of every AWS resource, in one place.

The app, the infrastructure (``infra/``) and the local stack all read this module, so the names a
function uses, the resources CDK deploys and the ones the local stack creates cannot drift apart.
It imports nothing heavy: ``app.py`` reads it at import time to name its event sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

APP_NAME = "lambdesk"


@dataclass(frozen=True)
class Index:
    """A global secondary index: its name and key attributes (all strings)."""

    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableSpec:
    partition_key: str = "pk"
    sort_key: str = "sk"
    ttl_attribute: str = "expires_at"
    # The stream feeds the event relay (docs/decisions/003-events-through-dynamodb-streams.md).
    stream_view: str = "NEW_IMAGE"
    indexes: tuple[Index, ...] = field(default_factory=tuple)


# Ticket views share one sort key, ``view_sk``: active tickets first, then priority, then age.
VIEW_INDEXES = (
    Index("by_assignee", "assignee_key", "view_sk"),
    Index("by_team", "team_key", "view_sk"),
    Index("by_status", "status_key", "view_sk"),
    Index("by_priority", "priority_key", "view_sk"),
    Index("by_requester", "requester_key", "view_sk"),
    Index("by_org", "org_key", "view_sk"),
    Index("unassigned", "unassigned_key", "view_sk"),
    # A team's queue: its active tickets that nobody is assigned to (assignment drains it).
    Index("team_queue", "queue_key", "view_sk"),
)

TABLE = TableSpec(
    indexes=VIEW_INDEXES
    + (
        # Listings of customers, organizations, agents, teams, webhooks, API tokens.
        Index("directory", "dir_pk", "dir_sk"),
        # Sparse index of work that falls due (SLA targets, auto-close, reminders, surveys):
        # scheduled sweeps read only what is due, never the whole table.
        Index("due", "due_key", "due_at"),
    )
)

# Queues that feed a function. Each has a dead-letter queue named ``<queue>-dlq``.
# Event consumers are subscribed to the events topic: ``outbound`` turns events into mail, ``routing`` applies
# routing rules and assigns, ``sla`` keeps SLA clocks and automation timers, ``automations`` runs triggers,
# ``kb`` rebuilds the knowledge base's search index, ``chat`` pushes public replies to chat sockets,
# ``reports`` adds metric facts into daily report items.
EVENT_CONSUMER_QUEUES = ("webhooks", "outbound", "routing", "sla", "automations", "kb", "chat", "reports")
# Besides timeline entries the relay publishes ``agent.available`` when an agent is online (and active) after
# a write: routing then assigns their teams' waiting tickets at once instead of at the next sweep; and
# ``kb.article.changed`` for every new version of a knowledge base article.
AGENT_AVAILABLE = "agent.available"
KB_ARTICLE_CHANGED = "kb.article.changed"
# Events that are not about a ticket go only to the consumers that act on them: every other consumer's
# subscription filters them out (SNS filter policy on the ``event_type`` message attribute): no invocation,
# no cost, no agent or article event at a webhook.
NARROW_EVENTS: dict[str, frozenset[str]] = {
    AGENT_AVAILABLE: frozenset({"routing"}),
    KB_ARTICLE_CHANGED: frozenset({"kb"}),
}
# ``chat.missed``: the chat's system note when a ring runs out (the agent who missed it in its data).
REPORT_EVENTS = ("ticket.created", "message.added", "ticket.updated", "sla.breached", "csat.answered", "chat.missed")
# Events after which a ticket may count against another agent or wait unassigned in a team (routing).
ROUTING_CHANGES = ("ticket.updated", "ticket.assigned", "ticket.merged", "ticket.escalated")
# Consumers that take nothing but these events: the knowledge base its article changes; the chat public
# messages (pushed to sockets) and ticket updates (a solved ticket ends its chat).
ONLY: dict[str, frozenset[str]] = {
    "kb": frozenset({KB_ARTICLE_CHANGED}),
    "chat": frozenset({"message.added", "ticket.updated"}),
    # The only event types a metric fact can arise on (docs/decisions/060-reports.md): notes, assignments,
    # links and the rest would cost an invocation and a read each.
    "reports": frozenset(REPORT_EVENTS),
    # Routing acts on new tickets, on changes of who a ticket counts against, and on agents coming online:
    # messages, notes and the rest never invoke it.
    "routing": frozenset({"ticket.created", *ROUTING_CHANGES, AGENT_AVAILABLE}),
}
# Every event of a day adds to the same few daily items (the desk's, its team's, ...): more than a couple of
# concurrent reports functions would only cancel each other's transactions. SQS event source scaling limit.
REPORTS_MAX_CONCURRENCY = 2


# Ticket events a consumer that takes "everything else" cannot act on: an internal note changes no SLA clock
# (clocks read public messages and status changes; a note changes neither, nor a field a policy selects on).
IGNORES: dict[str, frozenset[str]] = {"sla": frozenset({"note.added"})}


def event_filter_policy(purpose: str) -> dict[str, list[Any]] | None:
    """The filter policy of an event consumer queue's subscription to the events topic (None: everything)."""
    if purpose in ONLY:
        return {"event_type": sorted(ONLY[purpose])}
    narrow = {t for t, consumers in NARROW_EVENTS.items() if purpose not in consumers}
    excluded = sorted(narrow | IGNORES.get(purpose, frozenset()))
    return {"event_type": [{"anything-but": excluded}]} if excluded else None


# The stream relay's event source: a failing record is retried this often (halving the batch to isolate it),
# then its position goes to the relay's dead-letter queue and the shard moves on. The local worker does the same.
STREAM_RETRY_ATTEMPTS = 10

# Partition values of the sparse ``due`` index: what the scheduled sweeps read.
DUE_SLA = "SLA"
DUE_TIMER = "TIMER"
DUE_SURVEY = "SURVEY"
DUE_KB_VIEW = "KBVIEW"  # a reader's pending probable deflection (chalicelib.reports.kb_probable)
# How often the sweeps run (EventBridge schedule expressions; the local ticker reads the same ones).
SWEEP_SCHEDULE = "rate(1 minute)"
# Fed by SES through SNS: raw inbound mail notifications, and bounce/complaint feedback.
INBOUND_QUEUE = "inbound"
FEEDBACK_QUEUE = "feedback"
# Where SES writes raw inbound mail in the mail bucket, and where Lambdesk keeps what it sends.
RAW_MAIL_PREFIX = "raw/"
SENT_MAIL_PREFIX = "sent/"
ATTACHMENT_PREFIX = "attachments/"
# Where browsers upload files (presigned POST) before a form takes them to attachments/; expire after a day.
UPLOAD_PREFIX = "uploads/"
# Report files made for a browser download (the reports page's XLSX), fetched through a presigned URL; expired
# by the bucket's lifecycle after a day.
REPORT_EXPORT_PREFIX = "report-exports/"
# What customers attach in the portal, kept with their message.
PORTAL_ATTACHMENT_PREFIX = f"{ATTACHMENT_PREFIX}portal/"
# The knowledge base's search index files (one per build; the pointer item names the one in use).
KB_INDEX_PREFIX = "kb/index/"
# Where agents upload attachments by presigned POST (``<prefix><agent id>/<upload id>/<file name>``); a reply
# names them and they stay where they are (under attachments/, so unlike uploads/ they never expire).
AGENT_UPLOAD_PREFIX = f"{ATTACHMENT_PREFIX}uploads/"
MAX_RECEIVE_COUNT = 5


@dataclass(frozen=True)
class Names:
    """Physical resource names for one stage."""

    stage: str

    @property
    def prefix(self) -> str:
        return f"{APP_NAME}-{self.stage}"

    @property
    def table(self) -> str:
        return f"{self.prefix}-data"

    @property
    def events_topic(self) -> str:
        return f"{self.prefix}-events"

    @property
    def relay_dlq(self) -> str:
        """Where stream records the relay could not publish end up (on-failure destination)."""
        return f"{self.prefix}-relay-dlq"

    def queue(self, purpose: str) -> str:
        return f"{self.prefix}-{purpose}"

    def dlq(self, purpose: str) -> str:
        return f"{self.prefix}-{purpose}-dlq"

    @property
    def mail_bucket_prefix(self) -> str:
        """Bucket names are global: infra appends the account id, the local stack ``local``."""
        return f"{self.prefix}-mail"

    @property
    def inbound_topic(self) -> str:
        return f"{self.prefix}-inbound"

    @property
    def feedback_topic(self) -> str:
        return f"{self.prefix}-feedback"

    @property
    def ops_topic(self) -> str:
        """SLA warnings and breaches for operations and chat integrations (subscribe e-mail, Slack, ...)."""
        return f"{self.prefix}-ops"

    @property
    def lake_stream(self) -> str:
        """The Firehose stream that takes metric facts into the data lake (docs/decisions/060-reports.md)."""
        return f"{self.prefix}-facts"

    @property
    def lake_bucket_prefix(self) -> str:
        """The lake's bucket (Parquet files, Athena results); infra appends the account id."""
        return f"{self.prefix}-lake"

    @property
    def lake_database(self) -> str:
        """The Glue database of the lake's tables (Glue and Athena names take no hyphens)."""
        return self.prefix.replace("-", "_")

    @property
    def athena_workgroup(self) -> str:
        return self.prefix

    @property
    def secrets_prefix(self) -> str:
        return f"/{APP_NAME}/{self.stage}/"


# Lambda function names as Chalice registers them (infra attaches sources and alarms by them).
FUNCTION_API = "api_handler"  # Chalice's name for the function behind every route
FUNCTION_STREAM_RELAY = "stream_relay"
FUNCTION_WEBHOOKS = "deliver_webhooks"
FUNCTION_INGEST_MAIL = "ingest_mail"
FUNCTION_SEND_MAIL = "send_mail"
FUNCTION_MAIL_FEEDBACK = "mail_feedback"
FUNCTION_ROUTE = "route_tickets"
FUNCTION_TRACK_SLA = "track_sla"
FUNCTION_TRIGGERS = "run_triggers"
FUNCTION_SLA_SWEEP = "sla_sweep"
FUNCTION_TIMERS = "run_timers"
FUNCTION_DRAIN_QUEUES = "drain_queues"
FUNCTION_KB_INDEX = "build_kb_index"
FUNCTION_SURVEY_SWEEP = "survey_sweep"
FUNCTION_CHAT_EVENTS = "push_chat"
FUNCTION_CHAT_SWEEP = "chat_sweep"
# Chalice names its WebSocket handlers itself (SAM logical ids WebsocketConnect, ...).
FUNCTION_WS_CONNECT = "websocket_connect"
FUNCTION_WS_MESSAGE = "websocket_message"
FUNCTION_WS_DISCONNECT = "websocket_disconnect"
FUNCTION_REPORTS = "count_reports"
