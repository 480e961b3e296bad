"""pynamodb models of the one Lambdesk table, and every access pattern with the request that serves it.

Items (``pk`` / ``sk``; ``kind`` is the pynamodb discriminator):

    ticket      TICKET#<id>                 TICKET           view keys (domain/views.py), mtv, mcp (mailthread)
    mailthread  TICKET#<id>                 TMAIL            what outbound mail threads with (domain/mailthread.py)
    entry       TICKET#<id>                 TL#<entry id>    message, note or event (time-ordered ids)
    lookup      TICKETNO#<n>                LOOKUP           -> ticket id (unique ticket numbers)
    lookup      IDENTITY#<kind>#<value>     LOOKUP           -> customer id (unique identities)
    lookup      ORGDOMAIN#<domain>          LOOKUP           -> organization id
    lookup      CUSTDOMAIN#<domain>         <customer id>    -> customer id (customers by email domain)
    lookup      AGENTEMAIL#<email> | SUBJECT#<sub>  LOOKUP   -> agent id (by address | token subject)
    counter     COUNTER#<name>              COUNTER          atomic counters (ticket numbers)
    customer    CUSTOMER#<id>               CUSTOMER         dir_pk CUSTOMERS
    org         ORG#<id>                    ORG              dir_pk ORGS
    agent       AGENT#<id>                  AGENT            dir_pk AGENTS
    team        TEAM#<id>                   TEAM             dir_pk TEAMS
    token       APITOKEN#<sha256>           TOKEN            dir_pk TOKENS#<agent id>
    webhook     WEBHOOK#<id>                WEBHOOK          dir_pk WEBHOOKS
    delivery    DELIVERY#<webhook>#<event>  DELIVERY         expires_at (TTL)
    lookup      INBOUND#<raw mail key>      LOOKUP           -> ticket id or outcome (claimed with the write)
    lookup      EMAILID#<message-id>        LOOKUP           -> ticket id (threading by In-Reply-To/References)
    quarantine  QUARANTINE#<raw mail key>   QUARANTINE       dir_pk QUARANTINE
    suppression SUPPRESS#<address>          SUPPRESS         expires_at (TTL; reads check it too)
    counter     RATE#<scope>#<window>       COUNTER          expires_at (TTL): send caps
    send        SEND#<event>#<recipient>    SEND             state sending|sent, provider message id
    config      CONFIG#<kind>               <document id>    routing rules, SLA policies (+ versions), ...
    audit       AUDIT#<id>                  AUDIT            dir_pk AUDIT (admin changes, newest first)
    load        LOAD#<agent id>             LOAD             string set of counted ticket ids
    lookup      RRCURSOR#<team id>          LOOKUP           -> agent assigned last by round-robin
    due         TICKET#<id>                 DUE#<kind>       due_key <kind> + due_at while something falls due
    session     SESSION#<sha256>            SESSION          portal session; expires_at (TTL) slides with use
    counter     SESSIONEPOCH#<customer>     COUNTER          "sign out everywhere" moves it on
    signin      SIGNIN#<sha256>             SIGNIN           sign-in attempt (link + code); expires_at (TTL)
    lookup      SIGNINLINK#<sha256>         LOOKUP           -> sign-in attempt; expires_at (TTL)
    ticketlink  TICKETLINK#<sha256>         LINK             ticket link; expires_at (TTL) renewed by each mail
    counter     LINKGEN#<ticket id>         COUNTER          revoking a ticket's links moves it on
    lookup      PORTALPOST#<form id>        LOOKUP           -> ticket id (claimed with the portal's write)
    kbarticle   KBARTICLE#<id>              ARTICLE          dir_pk KBARTICLES#<status>, dir_sk <locale>#<cat>#<slug>
    kbversion   KBARTICLE#<id>              V#<version>      immutable copy of each version (the stream announces it)
    lookup      KBSLUG#<locale>#<slug>      LOOKUP           -> article id (unique slugs per locale)
    kbdoc       KBPUBLISHED                 <article id>     the published set the search index is built from
    counter     KBSTATE                     CHANGES|POINTER  index-changing writes so far | kbpointer: the index in use
    kbtoken     KBSOLVE#<sha256>            TOKEN            "this solved it" link; expires_at (TTL; reads check)
    kbstats     KBSTATS#<article id>        <yyyy-mm-dd>     daily votes and deflections (ADD)
    lookup      KBVOTE#<article>#<viewer>   LOOKUP           a viewer's vote counts once (TTL a year)
    survey      SURVEY#<id>                 SURVEY|TEAM|AGENT  dir_pk SURVEYS[#TEAM#<t>|#AGENT#<a>], dir_sk <sent>#<id>
    lookup      SURVEYTOKEN#<sha256>        LOOKUP           -> survey id (a survey link's token, hashed)
    lookup      SURVEYFOR#<ticket>#<solve>  LOOKUP           -> survey id (claimed: one survey per solve)
    throttle    SURVEYED#<customer id>      THROTTLE         when the customer was last asked for a survey
    chat|counter CHAT#<conversation>  CONV|COUNTER  state, agent, ring, due_key CHAT + due_at while live | last seq
    chatevent   CHAT#<conversation>         SEQ#<0000000042> one numbered log entry (message or status)
    chatconn    CHAT#<conv> | CHATAGENT#<agent>  CONN#<socket>  a customer's | an agent's socket; TTL
    chatconn    CONN#<socket>               CONN             the socket itself (side, conversation or agent); TTL
    chatgrant   CHATGRANT#<sha256>          GRANT            single-use connect token; expires_at (TTL, reads check)
    chatgrant   AGENTLINK#|AGENTMFA#|AGENTSESSION#<sha256>, AGENTTOTP#<agent>  GRANT  agents' web sign-in (value)
    presence    CHATPRESENCE                AGENT#<agent>    heartbeat, chat capacity, string set of counted chats
    lookup      CHATQUEUE                   <time>#<conv>    -> a conversation waiting for an agent
    lookup      CHATTICKET#<ticket>         LOOKUP           -> conversation id (written with the chat's ticket)
    lookup      CHATMSG#<conv>#<client id> | CHATENTRY#<entry>  LOOKUP  -> seq (claims: a message is logged once)

Access patterns (no Scan anywhere; each is one request unless stated):
    create ticket               UpdateItem (counter) + TransactWriteItems (ticket, number lookup, entries)
    ticket by id / by number    GetItem / GetItem (lookup) + GetItem
    ticket with its mail thread BatchGetItem TICKET + TMAIL (+ entries), or Query sk >= TICKET with a Limit
    ticket with timeline        Query pk=TICKET#<id> (pages for very long timelines)
    changes since a version     Query pk=TICKET#<id>, sk begins_with TL#, filter ticket_version > v
    update / reply / note       TransactWriteItems (ticket with version condition + entries)
    link / merge                TransactWriteItems over both tickets (+ BatchWriteItem copies on merge)
    view (inbox lists)          Query on by_assignee / by_team / by_status / by_priority / by_requester /
                                by_org / unassigned; sort key view_sk orders active, priority, age
    customer's tickets          Query by_requester (every channel)
    customer by identity        GetItem (lookup) + GetItem
    org by email domain         GetItem (lookup) + GetItem
    customers at a domain       Query pk=CUSTDOMAIN#<domain> (written with the customer's identities)
    merge two customers         TransactWriteItems (both customers with version conditions + moved lookups)
    agent by token subject      GetItem (lookup) + GetItem
    API token by secret         GetItem APITOKEN#<sha256>
    list customers/orgs/...     Query directory dir_pk=<KIND>
    webhook delivered?          GetItem DELIVERY#...; mark: PutItem with TTL
    inbound mail seen? / by id  GetItem INBOUND#<key> (claimed in the ingest's transaction) / EMAILID#<id>
    quarantine / audit trail    Query directory dir_pk=QUARANTINE / dir_pk=AUDIT (newest first)
    suppressed? / cap counter   GetItem SUPPRESS#<address> / UpdateItem ADD on RATE#...
    claim a send                PutItem SEND#... with condition (absent, or a stale attempt)
    config documents of a kind  Query pk=CONFIG#<kind>
    agents' loads               BatchGetItem LOAD#<agent> for a team's agents
    capped assignment           TransactWriteItems: ticket (version) + entries + LOAD (ADD if size < cap)
                                + ConditionCheck AGENT (online, active)
    team queue                  Query team_queue queue_key=<team> (unassigned active tickets, view order)
    due work (sweeps)           Query due due_key=<kind>, due_at <= now (sparse; KBVIEW: dynamodb/reports.py)
    portal session              GetItem SESSION#<h> + GetItem SESSIONEPOCH#<customer>; renew: UpdateItem
                                (at most once an hour); sign out: DeleteItem; everywhere: UpdateItem ADD epoch
    sign-in request             PutItem SIGNIN#<h> (absent) + PutItem SIGNINLINK#<h>, in one transaction
    sign in by link / code      GetItem (lookup) + GetItem; consume: UpdateItem with condition (unused)
    ticket link                 GetItem TICKETLINK#<h> + GetItem LINKGEN#<ticket>; mint: GetItem + PutItem
    portal rate counters        UpdateItem ADD on RATE#portal-...
    article write               TransactWriteItems: article (version) + version copy + slug lookups
                                + published item (put or delete) + ADD on the change counter
    article by id / slug        GetItem / GetItem (lookup) + GetItem; versions: Query sk begins_with V#
    article listing             Query directory dir_pk=KBARTICLES#<status>, dir_sk begins_with <locale>#...
    index build                 GetItem KBSTATE/CHANGES, then Query pk=KBPUBLISHED (both consistent)
    vote / deflection / totals  TransactWriteItems (claim + ADD on the day) / UpdateItem ADD / Query KBSTATS#
    send a survey               TransactWriteItems: ticket (version) + entry + SURVEYFOR claim + token lookup
                                + survey and its listing copies + SURVEYED (absent or older than the throttle)
    survey by link token        GetItem SURVEYTOKEN#<sha256> + GetItem SURVEY#<id> (consistent)
    answer a survey             TransactWriteItems: ticket (version) + entries + survey (version) + copies
    surveys by date             Query directory dir_pk=SURVEYS (or #TEAM#<t> / #AGENT#<a>), dir_sk range,
                                newest first; rating/answered as a filter (a copy per listing: no Scan)

  Chat (docs/decisions/043-chat.md); no count grows with the number of conversations:
    a socket (each frame)       GetItem CONN#<socket>; connect/disconnect: TransactWriteItems (both items)
    sockets of a conv / agent   Query pk=CHAT#<conv> or CHATAGENT#<agent>, sk begins_with CONN# (TTL checked)
    customer message            GetItem claim + UpdateItem COUNTER (seq) + ticket transaction (claim) + PutItem SEQ#
    agent reply (event)         GetItem CHATTICKET# + UpdateItem COUNTER + TransactWriteItems (claim + SEQ#)
    resume since seq            Query pk=CHAT#<conv>, sk between SEQ#<since+1> and SEQ#9999999999
    connect token               PutItem; used by DeleteItem ReturnValues ALL_OLD (single use, atomic)
    frame rate / presence       UpdateItem ADD RATE#chat#<socket>#<window> (TTL) / Query pk=CHATPRESENCE
    reserve a chat              UpdateItem ADD chats IF size(chats) < capacity AND seen_at >= fresh
    waiting line / chat sweep   Query pk=CHATQUEUE (oldest first) / Query due due_key=CHAT, due_at <= now
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.resources import TABLE, Index
from chalicelib.storage.dynamodb import sessions
from chalicelib.storage.dynamodb.kinds import Kinds


def _index(spec: Index) -> type[GlobalSecondaryIndex[Any]]:
    meta = type("Meta", (), {"index_name": spec.name, "projection": AllProjection()})
    attrs = {
        "Meta": meta,
        spec.partition_key: UnicodeAttribute(hash_key=True),
        spec.sort_key: UnicodeAttribute(range_key=True),
    }
    return type(f"Index_{spec.name}", (GlobalSecondaryIndex,), attrs)


INDEXES: dict[str, type[GlobalSecondaryIndex[Any]]] = {spec.name: _index(spec) for spec in TABLE.indexes}


class Item(Model):
    """Base of every item in the table. ``bind()`` sets the table name and endpoint at first use."""

    class Meta:
        table_name = "unbound"
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = Kinds()
    expires_at = TTLAttribute(null=True)

    # index keys (sparse: absent attributes keep an item out of an index)
    view_sk = UnicodeAttribute(null=True)
    unassigned_key = UnicodeAttribute(null=True)
    assignee_key = UnicodeAttribute(null=True)
    team_key = UnicodeAttribute(null=True)
    status_key = UnicodeAttribute(null=True)
    priority_key = UnicodeAttribute(null=True)
    requester_key = UnicodeAttribute(null=True)
    org_key = UnicodeAttribute(null=True)
    queue_key = UnicodeAttribute(null=True)
    dir_pk = UnicodeAttribute(null=True)
    dir_sk = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)


# Index objects on the base model (as pynamodb's metaclass does): an index query returns each item as its class.
for _name, _cls in INDEXES.items():
    _index_obj = _cls()
    _index_obj._model = Item
    Item._indexes[_name] = _index_obj
    setattr(Item, f"idx_{_name}", _index_obj)
Item.kind.root = Item


class TicketItem(Item, discriminator="ticket"):
    id = UnicodeAttribute()
    number = NumberAttribute()
    subject = UnicodeAttribute()
    requester_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    type = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    ccs = ListAttribute(of=UnicodeAttribute, null=True)
    followers = ListAttribute(of=UnicodeAttribute, null=True)
    organization_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    assignee_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    first_response_at = UTCDateTimeAttribute(null=True)
    last_customer_message_at = UTCDateTimeAttribute(null=True)
    last_agent_message_at = UTCDateTimeAttribute(null=True)
    solved_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    related_ids = ListAttribute(of=UnicodeAttribute, null=True)
    merged_into_id = UnicodeAttribute(null=True)
    vip = BooleanAttribute(null=True)
    skills = ListAttribute(of=UnicodeAttribute, null=True)
    version = NumberAttribute()
    last_counted = UnicodeAttribute(null=True, attr_name="lc")  # domain/report_chain.py
    mail_thread_version = NumberAttribute(null=True, attr_name="mtv")
    customer_mark = JSONAttribute(null=True, attr_name="mcp")


class EntryItem(Item, discriminator="entry"):
    ticket_id = UnicodeAttribute()
    id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    entry_kind = UnicodeAttribute()
    event = UnicodeAttribute()
    author_kind = UnicodeAttribute()
    author_id = UnicodeAttribute(null=True)
    ticket_number = NumberAttribute()
    ticket_version = NumberAttribute()
    body_text = UnicodeAttribute(null=True)
    body_html = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    changes = JSONAttribute(null=True)
    data = JSONAttribute(null=True)
    merged_from = UnicodeAttribute(null=True)
    ticket_channel = UnicodeAttribute(null=True, attr_name="tch")
    report = JSONAttribute(null=True, attr_name="rep")  # domain/report_chain.py


class ThreadItem(Item, discriminator="mailthread"):
    """A ticket's mail thread (``TICKET#<id>`` / ``TMAIL``: after the timeline), put in the ticket's writes that
    change it (domain/mailthread.py); not on the ticket item, which every view index copies whole."""

    state = JSONAttribute()


class LookupItem(Item, discriminator="lookup"):
    target_id = UnicodeAttribute()


class CounterItem(Item, discriminator="counter"):
    value = NumberAttribute(default=0)


class CustomerItem(Item, discriminator="customer"):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    identities = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    organization_id = UnicodeAttribute(null=True)
    vip = BooleanAttribute(default=False)
    locale = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    manager = BooleanAttribute(null=True)
    mail_updates = BooleanAttribute(null=True)
    version = NumberAttribute()
    merged_into_id = UnicodeAttribute(null=True)


class OrganizationItem(Item, discriminator="org"):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    domains = ListAttribute(of=UnicodeAttribute, null=True)
    vip = BooleanAttribute(default=False)
    version = NumberAttribute()


class AgentItem(Item, discriminator="agent"):
    id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    subject = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    teams = ListAttribute(of=UnicodeAttribute, null=True)
    skills = ListAttribute(of=UnicodeAttribute, null=True)
    capacity = NumberAttribute()
    availability = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    active = BooleanAttribute()
    working_hours = JSONAttribute(null=True)
    version = NumberAttribute()


class TeamItem(Item, discriminator="team"):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    assignment_strategy = UnicodeAttribute()
    parent_team_id = UnicodeAttribute(null=True)
    escalation_team_id = UnicodeAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)
    auto_close_days = NumberAttribute(null=True)
    reminder_days = NumberAttribute(null=True)
    solve_after_reminder_days = NumberAttribute(null=True)
    version = NumberAttribute()


class TokenItem(Item, discriminator="token"):
    id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    name = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)
    last4 = UnicodeAttribute(null=True)


class WebhookItem(Item, discriminator="webhook"):
    id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    active = BooleanAttribute()


class DeliveryItem(Item, discriminator="delivery"):
    delivered_at = UTCDateTimeAttribute()


class DueStateItem(Item, discriminator="due"):
    ticket_id = UnicodeAttribute()
    due_kind = UnicodeAttribute()
    state = JSONAttribute(null=True)
    basis_version = NumberAttribute()


def all_item_classes() -> list[type[Item]]:
    Item.kind.define_later_kinds()
    return _defined()


def _defined() -> list[type[Item]]:
    found: list[type[Item]] = [Item]
    for cls in found:
        found.extend(cls.__subclasses__())
    return found


def bind(table_name: str, region: str, host: str | None) -> None:
    """Point every model at the table (called once by the repository factory, and by tests). Every class shares
    ``Item.Meta``; the slices' classes defined later get connections of their own (``kinds``)."""
    sessions.reset()
    Item.Meta.table_name, Item.Meta.region = table_name, region
    setattr(Item.Meta, "host", host)  # noqa: B010 - optional Meta attribute pynamodb reads when connecting
    for cls in _defined():
        cls._connection = None
