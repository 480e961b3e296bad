"""Agent API: customers and organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint  # type: ignore[attr-defined]

from chalicelib.bootstrap import services
from chalicelib.core import observability
from chalicelib.core.errors import NotFound
from chalicelib.core.lazy import lazy_module
from chalicelib.domain.people import Identity, IdentityKind
from chalicelib.domain.views import View, ViewKind
from chalicelib.http.framework import Call, endpoint
from chalicelib.http.paging import next_cursor, start_key

if TYPE_CHECKING:
    from chalicelib.http import schemas
else:
    schemas = lazy_module("chalicelib.http.schemas")

bp = Blueprint(__name__)
TAG = "customers"


def _identities(emails: list[str], chat_ids: list[str], phones: list[str]) -> list[Identity]:
    return (
        [Identity.of(IdentityKind.EMAIL, e) for e in emails]
        + [Identity.of(IdentityKind.CHAT, c) for c in chat_ids]
        + [Identity.of(IdentityKind.PHONE, p) for p in phones]
    )


@endpoint(
    bp,
    "/v1/customers",
    "POST",
    summary="Create a customer",
    tag=TAG,
    body="CustomerIn",
    response="CustomerOut",
    status=201,
)
def create_customer(call: Call) -> schemas.CustomerOut:
    data: schemas.CustomerIn = call.body
    customer = services().customers.create(
        data.name,
        _identities(data.emails, data.chat_ids, data.phones),
        data.organization_id,
        data.vip,
        data.locale,
        data.time_zone,
    )
    observability.count("CustomerCreated")
    return schemas.CustomerOut.of(customer)


@endpoint(
    bp, "/v1/customers", "GET", summary="List customers by name", tag=TAG, query="PageQuery", response="CustomerPageOut"
)
def list_customers(call: Call) -> schemas.CustomerPageOut:
    query: schemas.PageQuery = call.query
    page = services().customers.list_customers(query.limit, start_key(query.cursor, "customers"))
    return schemas.CustomerPageOut(
        items=[schemas.CustomerOut.of(c) for c in page.items], next_cursor=next_cursor(page.next_key, "customers")
    )


@endpoint(
    bp,
    "/v1/customers/lookup",
    "GET",
    summary="Find a customer by email address",
    tag=TAG,
    query="CustomerLookupQuery",
    response="CustomerOut",
)
def lookup_customer(call: Call) -> schemas.CustomerOut:
    query: schemas.CustomerLookupQuery = call.query
    customer = services().customers.find(Identity.of(IdentityKind.EMAIL, query.email))
    if customer is None:
        raise NotFound("customer with email", query.email)
    return schemas.CustomerOut.of(customer)


@endpoint(bp, "/v1/customers/{customer_id}", "GET", summary="One customer", tag=TAG, response="CustomerOut")
def get_customer(call: Call, customer_id: str) -> schemas.CustomerOut:
    return schemas.CustomerOut.of(services().customers.get(customer_id))


@endpoint(
    bp,
    "/v1/customers/{customer_id}",
    "PATCH",
    summary="Update a customer",
    tag=TAG,
    body="CustomerUpdateIn",
    response="CustomerOut",
)
def update_customer(call: Call, customer_id: str) -> schemas.CustomerOut:
    data: schemas.CustomerUpdateIn = call.body
    sent = {k: v for k, v in data.changes().items() if k not in ("emails", "chat_ids", "phones")}
    if {"emails", "chat_ids", "phones"} & data.model_fields_set:
        current = services().customers.get(customer_id)

        def kept(kind: IdentityKind, given: list[str] | None) -> list[str]:
            return given if given is not None else [i.value for i in current.identities if i.kind is kind]

        sent["identities"] = _identities(
            kept(IdentityKind.EMAIL, data.emails),
            kept(IdentityKind.CHAT, data.chat_ids),
            kept(IdentityKind.PHONE, data.phones),
        )
    return schemas.CustomerOut.of(services().customers.update(customer_id, data.version, sent))


@endpoint(
    bp,
    "/v1/customers/{customer_id}/tickets",
    "GET",
    summary="A customer's tickets on every channel",
    tag=TAG,
    query="PageQuery",
    response="TicketPageOut",
)
def customer_tickets(call: Call, customer_id: str) -> schemas.TicketPageOut:
    query: schemas.PageQuery = call.query
    services().customers.get(customer_id)
    scope = f"customer-tickets:{customer_id}:{query.include_solved}"
    view = View(ViewKind.REQUESTER, customer_id, not query.include_solved)
    page = services().tickets.view(view, query.limit, start_key(query.cursor, scope))
    return schemas.TicketPageOut(
        items=[schemas.TicketOut.of(t) for t in page.items], next_cursor=next_cursor(page.next_key, scope)
    )


@endpoint(
    bp,
    "/v1/organizations",
    "POST",
    summary="Create an organization",
    tag=TAG,
    body="OrganizationIn",
    response="OrganizationOut",
    status=201,
)
def create_organization(call: Call) -> schemas.OrganizationOut:
    data: schemas.OrganizationIn = call.body
    return schemas.OrganizationOut.of(services().customers.create_organization(data.name, data.domains, data.vip))


@endpoint(
    bp,
    "/v1/organizations",
    "GET",
    summary="List organizations by name",
    tag=TAG,
    query="PageQuery",
    response="OrganizationPageOut",
)
def list_organizations(call: Call) -> schemas.OrganizationPageOut:
    query: schemas.PageQuery = call.query
    page = services().customers.list_organizations(query.limit, start_key(query.cursor, "orgs"))
    return schemas.OrganizationPageOut(
        items=[schemas.OrganizationOut.of(o) for o in page.items], next_cursor=next_cursor(page.next_key, "orgs")
    )


@endpoint(bp, "/v1/organizations/{org_id}", "GET", summary="One organization", tag=TAG, response="OrganizationOut")
def get_organization(call: Call, org_id: str) -> schemas.OrganizationOut:
    return schemas.OrganizationOut.of(services().customers.get_organization(org_id))


@endpoint(
    bp,
    "/v1/organizations/{org_id}",
    "PATCH",
    summary="Update an organization",
    tag=TAG,
    body="OrganizationUpdateIn",
    response="OrganizationOut",
)
def update_organization(call: Call, org_id: str) -> schemas.OrganizationOut:
    data: schemas.OrganizationUpdateIn = call.body
    changes = data.changes()
    return schemas.OrganizationOut.of(services().customers.update_organization(org_id, data.version, changes))


@endpoint(
    bp,
    "/v1/organizations/{org_id}/tickets",
    "GET",
    summary="An organization's tickets",
    tag=TAG,
    query="PageQuery",
    response="TicketPageOut",
)
def organization_tickets(call: Call, org_id: str) -> schemas.TicketPageOut:
    query: schemas.PageQuery = call.query
    services().customers.get_organization(org_id)
    scope = f"org-tickets:{org_id}:{query.include_solved}"
    view = View(ViewKind.ORGANIZATION, org_id, not query.include_solved)
    page = services().tickets.view(view, query.limit, start_key(query.cursor, scope))
    return schemas.TicketPageOut(
        items=[schemas.TicketOut.of(t) for t in page.items], next_cursor=next_cursor(page.next_key, scope)
    )
