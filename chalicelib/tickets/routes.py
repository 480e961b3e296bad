"""Agent API: tickets, their timelines, views and actions (and a customer's or organization's tickets)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.core import observability
from chalicelib.core.errors import InvalidInput
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import View, ViewKind
from chalicelib.http.framework import Call, Result, Routes
from chalicelib.http.paging import next_cursor, start_key
from chalicelib.http.plain import NotPlain
from chalicelib.tickets import plain
from chalicelib.tickets.service import NewTicket

if TYPE_CHECKING:
    from chalicelib.people.customers import CustomerService
    from chalicelib.storage.objects import ObjectStore
    from chalicelib.tickets import schemas
    from chalicelib.tickets.relations import TicketRelations
    from chalicelib.tickets.requesters import RequesterMove
    from chalicelib.tickets.service import TicketService
    from chalicelib.tickets.uploads import Uploads
else:
    schemas = lazy_module("chalicelib.tickets.schemas")


class Needs(Protocol):
    """What the ticket routes use. Read-only parts, so that the composition root can build each at its first use:
    a GET of a ticket needs only ``tickets`` (the others import their modules when built)."""

    @property
    def tickets(self) -> TicketService: ...
    @property
    def relations(self) -> TicketRelations: ...
    @property
    def customers(self) -> CustomerService: ...
    @property
    def attachments(self) -> ObjectStore: ...
    @property
    def bucket(self) -> str: ...
    @property
    def requesters(self) -> RequesterMove: ...
    @property
    def uploads(self) -> Uploads: ...


deps: Provider[Needs] = Provider("tickets.routes")
routes = Routes(__name__, "chalicelib.tickets.schemas", tag="tickets")
bp = routes.bp
ID = "{ticket_id}"


def _etag(ticket: Ticket) -> dict[str, str]:
    observability.logger().append_keys(ticket_number=ticket.number)
    return {"ETag": f'"{ticket.version}"'}


def _ticket(ticket: Ticket, status: int | None = None) -> Result:
    return Result(schemas.TicketOut.of(ticket), status, _etag(ticket))


ATTACHMENT_URL_SECONDS = 900


def _detail(ticket: Ticket, timeline: list[TimelineEntry], status: int | None = None) -> Result:
    """``TicketDetailOut``, built without pydantic (a cold process's first GET; same bytes) unless a value
    needs the model to render it."""
    presign = _presigner() if any(e.data.get("attachments") for e in timeline) else None
    body: schemas.TicketDetailOut | dict[str, Any]
    try:
        body = plain.detail(ticket, timeline, presign)
    except NotPlain:
        body = schemas.TicketDetailOut(
            ticket=schemas.TicketOut.of(ticket),
            timeline=[schemas.EntryOut.of(e, presign) for e in timeline],
            satisfaction=schemas.SatisfactionOut.latest(timeline),
        )
    return Result(body, status, _etag(ticket))


def _presigner() -> Callable[[str], str]:
    """Attachments are served straight from the mail bucket by short-lived presigned URLs (no request)."""
    needs = deps()
    return lambda key: needs.attachments.presign(needs.bucket, key, ATTACHMENT_URL_SECONDS)


@routes(
    "/v1/tickets",
    "POST",
    summary="Create a ticket on behalf of a customer",
    body="CreateTicketIn",
    response="TicketDetailOut",
    status=201,
)
def create_ticket(call: Call) -> Result:
    data: schemas.CreateTicketIn = call.body
    new = NewTicket(
        subject=data.subject,
        body_text=data.body,
        channel=data.channel,
        requester_id=data.requester_id,
        requester_email=data.requester_email,
        requester_name=data.requester_name,
        priority=data.priority,
        type=data.type,
        tags=tuple(data.tags),
        ccs=tuple(data.ccs),
        team_id=data.team_id,
        assignee_id=data.assignee_id,
    )
    ticket, entries = deps().tickets.create(call.principal.actor, new)
    observability.count("TicketCreated", channel=str(ticket.channel))
    return _detail(ticket, entries)


@routes(
    "/v1/tickets",
    "GET",
    summary="List a view of tickets (priority, then age)",
    query="TicketListQuery",
    response="TicketPageOut",
)
def list_tickets(call: Call) -> schemas.TicketPageOut:
    query: schemas.TicketListQuery = call.query
    svc = deps().tickets
    if query.view == "requester" and query.requester_email and query.requester_id:
        raise InvalidInput("give one of requester_id and requester_email", "query.requester_email")
    if query.view == "requester" and query.requester_email:
        scope = f"tickets:requester-email:{query.requester_email.lower()}:{query.include_solved}"
        start = start_key(query.cursor, scope)
        page = svc.requester_view(query.requester_email, query.limit, start, not query.include_solved)
    else:
        view = _view(query, call)
        # The cursor is valid only for the view (kind and value, e.g. the caller for "mine") that issued it.
        scope = f"tickets:{view.kind}:{view.value}:{view.active_only}"
        page = svc.view(view, query.limit, start_key(query.cursor, scope))
    return schemas.TicketPageOut(
        items=[schemas.TicketOut.of(t) for t in page.items], next_cursor=next_cursor(page.next_key, scope)
    )


def _view(query: schemas.TicketListQuery, call: Call) -> View:
    active = not query.include_solved
    if query.view == "unassigned":
        return View(ViewKind.UNASSIGNED, active_only=True)
    if query.view == "mine":
        return View(ViewKind.ASSIGNEE, call.principal.agent.id, active)
    needed = {
        "assignee": ("assignee_id", ViewKind.ASSIGNEE),
        "team": ("team_id", ViewKind.TEAM),
        "team_queue": ("team_id", ViewKind.TEAM_QUEUE),
        "status": ("status", ViewKind.STATUS),
        "priority": ("priority", ViewKind.PRIORITY),
        "requester": ("requester_id", ViewKind.REQUESTER),
        "organization": ("organization_id", ViewKind.ORGANIZATION),
    }
    field_name, kind = needed[query.view]
    value = getattr(query, field_name)
    if value is None:
        raise InvalidInput(f"the {query.view} view needs {field_name}", f"query.{field_name}")
    # A status view lists exactly that status, solved and closed included.
    return View(kind, str(value), active and kind is not ViewKind.STATUS)


@routes(f"/v1/tickets/{ID}", "GET", summary="One ticket with its full timeline", response="TicketDetailOut")
def get_ticket(call: Call, ticket_id: str) -> Result:
    return _detail(*deps().tickets.get(ticket_id))


@routes(
    "/v1/tickets/by-number/{number}",
    "GET",
    summary="Look a ticket up by its number",
    response="TicketDetailOut",
)
def get_ticket_by_number(call: Call, number: str) -> Result:
    if not re.fullmatch(r"[0-9]{1,12}", number):
        raise InvalidInput("a ticket number is a positive integer", "number")
    return _detail(*deps().tickets.get_by_number(int(number)))


@routes(
    f"/v1/tickets/{ID}/replies",
    "POST",
    summary="Reply to the customer (public)",
    body="ReplyIn",
    response="TicketOut",
    status=201,
    versioned=True,
)
def reply(call: Call, ticket_id: str) -> Result:
    data: schemas.ReplyIn = call.body
    files = deps().uploads.resolve(call.principal.agent.id, data.attachments) if data.attachments else []
    ticket = deps().tickets.reply(
        call.principal.actor, ticket_id, call.version or 0, data.body, None, data.status, attachments=files
    )
    observability.count("ReplySent")
    return _ticket(ticket)


@routes(
    "/v1/attachments",
    "POST",
    summary="Start an attachment upload: a presigned POST for one file, then name its key in a reply",
    body="AttachmentUploadIn",
    response="AttachmentUploadOut",
    status=201,
)
def start_upload(call: Call) -> schemas.AttachmentUploadOut:
    data: schemas.AttachmentUploadIn = call.body
    upload = deps().uploads.start(call.principal.agent.id, data.filename, data.content_type, data.size)
    return schemas.AttachmentUploadOut(
        key=upload.key, url=upload.url, fields=upload.fields, expires_at=upload.expires_at, max_bytes=upload.max_bytes
    )


@routes(
    f"/v1/tickets/{ID}/notes",
    "POST",
    summary="Add an internal note (never shown to customers)",
    body="NoteIn",
    response="TicketOut",
    status=201,
    versioned=True,
)
def add_note(call: Call, ticket_id: str) -> Result:
    data: schemas.NoteIn = call.body
    ticket = deps().tickets.note(call.principal.actor, ticket_id, call.version or 0, data.body)
    observability.count("NoteAdded")
    return _ticket(ticket)


@routes(
    f"/v1/tickets/{ID}",
    "PATCH",
    summary="Change status, priority, type, tags, team, assignee",
    body="UpdateTicketIn",
    response="TicketOut",
    versioned=True,
)
def update_ticket(call: Call, ticket_id: str) -> Result:
    data: schemas.UpdateTicketIn = call.body
    ticket = deps().tickets.update(call.principal.actor, ticket_id, call.version or 0, data.changes())
    observability.count("TicketUpdated")
    return _ticket(ticket)


@routes(
    f"/v1/tickets/{ID}/merge",
    "POST",
    summary="Merge this ticket into another",
    body="MergeIn",
    response="TicketOut",
    versioned=True,
)
def merge_ticket(call: Call, ticket_id: str) -> Result:
    data: schemas.MergeIn = call.body
    target = deps().relations.merge(call.principal.actor, ticket_id, data.target_id, call.version or 0)
    observability.count("TicketMerged")
    return _ticket(target)


@routes(
    f"/v1/tickets/{ID}/links",
    "POST",
    summary="Link a related ticket",
    body="LinkIn",
    response="TicketOut",
    versioned=True,
)
def link_ticket(call: Call, ticket_id: str) -> Result:
    data: schemas.LinkIn = call.body
    ticket = deps().relations.link(call.principal.actor, ticket_id, data.related_id, call.version or 0)
    observability.count("TicketLinked")
    return _ticket(ticket)


@routes(
    f"/v1/tickets/{ID}/escalate",
    "POST",
    summary="Escalate to the team's next tier, with a reason",
    body="EscalateIn",
    response="TicketOut",
    versioned=True,
)
def escalate_ticket(call: Call, ticket_id: str) -> Result:
    data: schemas.EscalateIn = call.body
    return _ticket(deps().tickets.escalate(call.principal.actor, ticket_id, call.version or 0, data.reason))


@routes(
    "/v1/customers/{customer_id}/tickets",
    "GET",
    summary="A customer's tickets on every channel",
    tag="customers",
    query="PageQuery",
    response="TicketPageOut",
)
def customer_tickets(call: Call, customer_id: str) -> schemas.TicketPageOut:
    query: schemas.PageQuery = call.query
    deps().customers.get(customer_id)
    scope = f"customer-tickets:{customer_id}:{query.include_solved}"
    view = View(ViewKind.REQUESTER, customer_id, not query.include_solved)
    page = deps().tickets.view(view, query.limit, start_key(query.cursor, scope))
    return schemas.TicketPageOut(
        items=[schemas.TicketOut.of(t) for t in page.items], next_cursor=next_cursor(page.next_key, scope)
    )


@routes(
    "/v1/organizations/{org_id}/tickets",
    "GET",
    summary="An organization's tickets",
    tag="customers",
    query="PageQuery",
    response="TicketPageOut",
)
def organization_tickets(call: Call, org_id: str) -> schemas.TicketPageOut:
    query: schemas.PageQuery = call.query
    deps().customers.get_organization(org_id)
    scope = f"org-tickets:{org_id}:{query.include_solved}"
    view = View(ViewKind.ORGANIZATION, org_id, not query.include_solved)
    page = deps().tickets.view(view, query.limit, start_key(query.cursor, scope))
    return schemas.TicketPageOut(
        items=[schemas.TicketOut.of(t) for t in page.items], next_cursor=next_cursor(page.next_key, scope)
    )


@routes(
    "/v1/customers/{customer_id}/merge",
    "POST",
    summary="Merge this customer into another: identities move now, tickets follow in batches (repeat while "
    "more_tickets)",
    tag="customers",
    body="chalicelib.people.schemas.CustomerMergeIn",
    response="chalicelib.people.schemas.CustomerMergeOut",
    versioned=True,
)
def merge_customer(call: Call, customer_id: str) -> object:
    from chalicelib.people.schemas import CustomerMergeOut, CustomerOut

    needs = deps()
    target = needs.customers.merge(customer_id, call.body.target_id, call.version or 0)
    moved = needs.requesters.move(call.principal.actor, customer_id, target)
    observability.count("CustomerMerged")
    return CustomerMergeOut(customer=CustomerOut.of(target), moved_tickets=moved.count, more_tickets=moved.more)
