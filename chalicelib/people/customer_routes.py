"""Agent API: customers and organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.core import observability
from chalicelib.core.errors import NotFound
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.domain.people import Identity, IdentityKind
from chalicelib.http.framework import Call, Routes
from chalicelib.http.paging import next_cursor, start_key

if TYPE_CHECKING:
    from chalicelib.people import schemas
    from chalicelib.people.customers import CustomerService
else:
    schemas = lazy_module("chalicelib.people.schemas")

deps: Provider[CustomerService] = Provider("people.customer_routes")
routes = Routes(__name__, "chalicelib.people.schemas", tag="customers")
bp = routes.bp


def _identities(emails: list[str], chat_ids: list[str], phones: list[str]) -> list[Identity]:
    return (
        [Identity.of(IdentityKind.EMAIL, e) for e in emails]
        + [Identity.of(IdentityKind.CHAT, c) for c in chat_ids]
        + [Identity.of(IdentityKind.PHONE, p) for p in phones]
    )


@routes(
    "/v1/customers",
    "POST",
    summary="Create a customer",
    body="CustomerIn",
    response="CustomerOut",
    status=201,
)
def create_customer(call: Call) -> schemas.CustomerOut:
    data: schemas.CustomerIn = call.body
    customer = deps().create(
        data.name,
        _identities(data.emails, data.chat_ids, data.phones),
        data.organization_id,
        data.vip,
        data.locale,
        data.time_zone,
    )
    observability.count("CustomerCreated")
    return schemas.CustomerOut.of(customer)


@routes("/v1/customers", "GET", summary="List customers by name", query="PageQuery", response="CustomerPageOut")
def list_customers(call: Call) -> schemas.CustomerPageOut:
    query: schemas.PageQuery = call.query
    page = deps().list_customers(query.limit, start_key(query.cursor, "customers"))
    return schemas.CustomerPageOut(
        items=[schemas.CustomerOut.of(c) for c in page.items], next_cursor=next_cursor(page.next_key, "customers")
    )


@routes(
    "/v1/customers/lookup",
    "GET",
    summary="Find a customer by email address",
    query="CustomerLookupQuery",
    response="CustomerOut",
)
def lookup_customer(call: Call) -> schemas.CustomerOut:
    query: schemas.CustomerLookupQuery = call.query
    customer = deps().find(Identity.of(IdentityKind.EMAIL, query.email))
    if customer is None:
        raise NotFound("customer with email", query.email)
    return schemas.CustomerOut.of(customer)


@routes("/v1/customers/{customer_id}", "GET", summary="One customer", response="CustomerOut")
def get_customer(call: Call, customer_id: str) -> schemas.CustomerOut:
    return schemas.CustomerOut.of(deps().get(customer_id))


@routes(
    "/v1/customers/{customer_id}",
    "PATCH",
    summary="Update a customer",
    body="CustomerUpdateIn",
    response="CustomerOut",
    versioned=True,
)
def update_customer(call: Call, customer_id: str) -> schemas.CustomerOut:
    data: schemas.CustomerUpdateIn = call.body
    sent = {k: v for k, v in data.changes().items() if k not in ("emails", "chat_ids", "phones")}
    if {"emails", "chat_ids", "phones"} & data.model_fields_set:
        current = deps().get(customer_id)

        def kept(kind: IdentityKind, given: list[str] | None) -> list[str]:
            return given if given is not None else [i.value for i in current.identities if i.kind is kind]

        sent["identities"] = _identities(
            kept(IdentityKind.EMAIL, data.emails),
            kept(IdentityKind.CHAT, data.chat_ids),
            kept(IdentityKind.PHONE, data.phones),
        )
    return schemas.CustomerOut.of(deps().update(customer_id, call.version or 0, sent))


@routes(
    "/v1/organizations",
    "POST",
    summary="Create an organization",
    body="OrganizationIn",
    response="OrganizationOut",
    status=201,
)
def create_organization(call: Call) -> schemas.OrganizationOut:
    data: schemas.OrganizationIn = call.body
    return schemas.OrganizationOut.of(deps().create_organization(data.name, data.domains, data.vip))


@routes(
    "/v1/organizations",
    "GET",
    summary="List organizations by name",
    query="PageQuery",
    response="OrganizationPageOut",
)
def list_organizations(call: Call) -> schemas.OrganizationPageOut:
    query: schemas.PageQuery = call.query
    page = deps().list_organizations(query.limit, start_key(query.cursor, "orgs"))
    return schemas.OrganizationPageOut(
        items=[schemas.OrganizationOut.of(o) for o in page.items], next_cursor=next_cursor(page.next_key, "orgs")
    )


@routes(
    "/v1/organizations/{org_id}/attach-customers",
    "POST",
    summary="Attach the customers of the organization's domains who have none (bounded; repeat while next_cursor)",
    body="AttachIn",
    response="AttachOut",
)
def attach_customers(call: Call, org_id: str) -> schemas.AttachOut:
    data: schemas.AttachIn = call.body
    scope = f"org-attach:{org_id}"
    done = deps().attach_domain_customers(deps().get_organization(org_id), start_key(data.cursor, scope))
    return schemas.AttachOut(attached=done.attached, next_cursor=next_cursor(done.next_key, scope))


@routes("/v1/organizations/{org_id}", "GET", summary="One organization", response="OrganizationOut")
def get_organization(call: Call, org_id: str) -> schemas.OrganizationOut:
    return schemas.OrganizationOut.of(deps().get_organization(org_id))


@routes(
    "/v1/organizations/{org_id}",
    "PATCH",
    summary="Update an organization",
    body="OrganizationUpdateIn",
    response="OrganizationOut",
    versioned=True,
)
def update_organization(call: Call, org_id: str) -> schemas.OrganizationOut:
    data: schemas.OrganizationUpdateIn = call.body
    changes = data.changes()
    return schemas.OrganizationOut.of(deps().update_organization(org_id, call.version or 0, changes))
