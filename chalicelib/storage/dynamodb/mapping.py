"""Conversions between domain objects and pynamodb items."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.mailthread import CustomerMark
from chalicelib.domain.people import (
    Agent,
    ApiToken,
    Availability,
    Customer,
    Identity,
    Organization,
    Role,
    Strategy,
    Team,
    Webhook,
)
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import Actor, ActorKind, Change, EntryKind, TimelineEntry
from chalicelib.domain.views import view_keys
from chalicelib.storage import keys
from chalicelib.storage.dynamodb.models import (
    AgentItem,
    CustomerItem,
    EntryItem,
    OrganizationItem,
    TeamItem,
    TicketItem,
    TokenItem,
    WebhookItem,
)

TICKET_SK = "TICKET"
THREAD_SK = "TMAIL"  # a ticket's mail thread: sorts after its timeline (domain/mailthread.py)


def _strings(value: Any) -> tuple[str, ...]:
    """A list attribute (absent when empty) as a tuple of strings."""
    return tuple(str(v) for v in (value or ()))


ENTRY_PREFIX = "TL#"
LOOKUP_SK = "LOOKUP"


def _int(value: Any, default: int) -> int:
    return default if value is None else int(value)


def ticket_pk(ticket_id: str) -> str:
    return keys.ticket(ticket_id)


def ticket_to_item(t: Ticket) -> TicketItem:
    item = TicketItem(
        ticket_pk(t.id),
        TICKET_SK,
        id=t.id,
        number=t.number,
        subject=t.subject,
        requester_id=t.requester_id,
        channel=str(t.channel),
        status=str(t.status),
        priority=str(t.priority),
        type=str(t.type) if t.type else None,
        tags=list(t.tags) or None,
        ccs=list(t.ccs) or None,
        followers=list(t.followers) or None,
        organization_id=t.organization_id,
        team_id=t.team_id,
        assignee_id=t.assignee_id,
        created_at=t.created_at,
        updated_at=t.updated_at,
        first_response_at=t.first_response_at,
        last_customer_message_at=t.last_customer_message_at,
        last_agent_message_at=t.last_agent_message_at,
        solved_at=t.solved_at,
        closed_at=t.closed_at,
        related_ids=list(t.related_ids) or None,
        merged_into_id=t.merged_into_id,
        vip=t.vip or None,
        skills=list(t.skills) or None,
        version=t.version,
        last_counted=t.chain[0] if t.chain else None,
        mail_thread_version=t.mail_thread_version,
        customer_mark=t.customer_mark.as_data() if t.customer_mark is not None else None,
    )
    for name, value in view_keys(t).items():
        setattr(item, name, value)
    return item


def item_to_ticket(i: TicketItem) -> Ticket:
    return Ticket(
        id=i.id,
        number=int(i.number),
        subject=i.subject,
        requester_id=i.requester_id,
        channel=Channel(i.channel),
        created_at=i.created_at,
        updated_at=i.updated_at,
        status=Status(i.status),
        priority=Priority(i.priority),
        type=TicketType(i.type) if i.type else None,
        tags=_strings(i.tags),
        ccs=_strings(i.ccs),
        followers=_strings(i.followers),
        organization_id=i.organization_id,
        team_id=i.team_id,
        assignee_id=i.assignee_id,
        first_response_at=i.first_response_at,
        last_customer_message_at=i.last_customer_message_at,
        last_agent_message_at=i.last_agent_message_at,
        solved_at=i.solved_at,
        closed_at=i.closed_at,
        related_ids=_strings(i.related_ids),
        merged_into_id=i.merged_into_id,
        vip=bool(i.vip),
        skills=_strings(i.skills),
        version=int(i.version),
        chain=(i.last_counted, int(i.version)),
        mail_thread_version=None if i.mail_thread_version is None else int(i.mail_thread_version),
        customer_mark=CustomerMark.from_data(i.customer_mark) if i.customer_mark else None,
    )


def entry_to_item(e: TimelineEntry, ticket_id: str | None = None) -> EntryItem:
    """``ticket_id`` places a copy of the entry in another ticket's timeline (merge)."""
    owner = ticket_id or e.ticket_id
    return EntryItem(
        ticket_pk(owner),
        f"{ENTRY_PREFIX}{e.id}",
        ticket_id=owner,
        id=e.id,
        at=e.at,
        entry_kind=str(e.kind),
        event=e.event,
        author_kind=str(e.author.kind),
        author_id=e.author.id,
        ticket_number=e.ticket_number,
        ticket_version=e.ticket_version,
        body_text=e.body_text,
        body_html=e.body_html,
        channel=e.channel,
        changes=[c.as_dict() for c in e.changes] or None,
        data=e.data or None,
        merged_from=e.merged_from or (e.ticket_id if ticket_id and ticket_id != e.ticket_id else None),
        ticket_channel=e.ticket_channel,
        report=e.report,
    )


def item_to_entry(i: EntryItem) -> TimelineEntry:
    return TimelineEntry(
        ticket_id=i.ticket_id,
        id=i.id,
        at=i.at,
        kind=EntryKind(i.entry_kind),
        event=i.event,
        author=Actor(ActorKind(i.author_kind), i.author_id),
        ticket_number=int(i.ticket_number),
        ticket_version=int(i.ticket_version),
        body_text=i.body_text,
        body_html=i.body_html,
        channel=i.channel,
        changes=tuple(Change(c["field"], c["old"], c["new"]) for c in (i.changes or ())),
        data=dict(i.data or {}),
        merged_from=i.merged_from,
        ticket_channel=i.ticket_channel,
        report=dict(i.report) if i.report else None,
    )


def customer_to_item(c: Customer) -> CustomerItem:
    return CustomerItem(
        keys.customer(c.id),
        "CUSTOMER",
        id=c.id,
        name=c.name,
        identities=[{"kind": str(i.kind), "value": i.value} for i in c.identities],
        created_at=c.created_at,
        organization_id=c.organization_id,
        vip=c.vip,
        locale=c.locale,
        time_zone=c.time_zone,
        manager=c.manager or None,
        mail_updates=None if c.mail_updates else False,
        version=c.version,
        merged_into_id=c.merged_into_id,
        # A merged customer leaves the listing (sparse index): only its pointer remains.
        dir_pk=None if c.merged_into_id else "CUSTOMERS",
        dir_sk=None if c.merged_into_id else f"{c.name.lower()}#{c.id}",
    )


def item_to_customer(i: CustomerItem) -> Customer:
    return Customer(
        id=i.id,
        name=i.name,
        identities=tuple(Identity.of(x["kind"], x["value"]) for x in i.identities),
        created_at=i.created_at,
        organization_id=i.organization_id,
        vip=bool(i.vip),
        locale=i.locale,
        time_zone=i.time_zone,
        version=int(i.version),
        manager=bool(i.manager),
        mail_updates=i.mail_updates is not False,
        merged_into_id=i.merged_into_id,
    )


def org_to_item(o: Organization) -> OrganizationItem:
    return OrganizationItem(
        keys.organization(o.id),
        "ORG",
        id=o.id,
        name=o.name,
        created_at=o.created_at,
        domains=list(o.domains) or None,
        vip=o.vip,
        version=o.version,
        dir_pk="ORGS",
        dir_sk=f"{o.name.lower()}#{o.id}",
    )


def item_to_org(i: OrganizationItem) -> Organization:
    return Organization(
        id=i.id,
        name=i.name,
        created_at=i.created_at,
        domains=_strings(i.domains),
        vip=bool(i.vip),
        version=int(i.version),
    )


def agent_to_item(a: Agent) -> AgentItem:
    return AgentItem(
        keys.agent(a.id),
        "AGENT",
        id=a.id,
        email=a.email,
        name=a.name,
        role=str(a.role),
        subject=a.subject,
        created_at=a.created_at,
        teams=list(a.teams) or None,
        skills=list(a.skills) or None,
        capacity=a.capacity,
        availability=str(a.availability),
        time_zone=a.time_zone,
        active=a.active,
        working_hours=[list(h) for h in a.working_hours] or None,
        version=a.version,
        dir_pk="AGENTS",
        dir_sk=f"{a.name.lower()}#{a.id}",
    )


def item_to_agent(i: AgentItem) -> Agent:
    return Agent(
        id=i.id,
        email=i.email,
        name=i.name,
        role=Role(i.role),
        created_at=i.created_at,
        subject=i.subject,
        teams=_strings(i.teams),
        skills=_strings(i.skills),
        capacity=int(i.capacity),
        availability=Availability(i.availability),
        time_zone=i.time_zone,
        active=bool(i.active),
        working_hours=tuple((int(d), str(s), str(e)) for d, s, e in (i.working_hours or [])),
        version=int(i.version),
    )


def team_to_item(t: Team) -> TeamItem:
    return TeamItem(
        keys.team(t.id),
        "TEAM",
        id=t.id,
        name=t.name,
        description=t.description or None,
        created_at=t.created_at,
        assignment_strategy=str(t.assignment_strategy),
        parent_team_id=t.parent_team_id,
        escalation_team_id=t.escalation_team_id,
        lead_id=t.lead_id,
        auto_close_days=t.auto_close_days,
        reminder_days=t.reminder_days,
        solve_after_reminder_days=t.solve_after_reminder_days,
        version=t.version,
        dir_pk="TEAMS",
        dir_sk=f"{t.name.lower()}#{t.id}",
    )


def item_to_team(i: TeamItem) -> Team:
    return Team(
        id=i.id,
        name=i.name,
        created_at=i.created_at,
        description=i.description or "",
        assignment_strategy=Strategy(i.assignment_strategy),
        parent_team_id=i.parent_team_id,
        escalation_team_id=i.escalation_team_id,
        lead_id=i.lead_id,
        auto_close_days=_int(i.auto_close_days, 4),
        reminder_days=_int(i.reminder_days, 3),
        solve_after_reminder_days=_int(i.solve_after_reminder_days, 4),
        version=int(i.version),
    )


def token_to_item(t: ApiToken) -> TokenItem:
    return TokenItem(
        keys.api_token(t.token_hash),
        "TOKEN",
        id=t.id,
        agent_id=t.agent_id,
        name=t.name,
        token_hash=t.token_hash,
        created_at=t.created_at,
        revoked_at=t.revoked_at,
        last4=t.last4,
        dir_pk=keys.tokens_of(t.agent_id),
        dir_sk=t.id,
    )


def item_to_token(i: TokenItem) -> ApiToken:
    return ApiToken(
        id=i.id,
        agent_id=i.agent_id,
        name=i.name,
        token_hash=i.token_hash,
        created_at=i.created_at,
        revoked_at=i.revoked_at,
        last4=i.last4 or "",
    )


def webhook_to_item(w: Webhook) -> WebhookItem:
    return WebhookItem(
        keys.webhook(w.id),
        "WEBHOOK",
        id=w.id,
        url=w.url,
        events=list(w.events),
        created_at=w.created_at,
        created_by=w.created_by,
        active=w.active,
        dir_pk="WEBHOOKS",
        dir_sk=w.id,
    )


def item_to_webhook(i: WebhookItem) -> Webhook:
    return Webhook(
        id=i.id,
        url=i.url,
        events=_strings(i.events),
        created_at=i.created_at,
        created_by=i.created_by,
        active=bool(i.active),
    )
