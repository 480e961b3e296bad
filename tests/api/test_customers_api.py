"""Customers (several identities each), organizations (claiming email domains), and their tickets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.contract import Api
from tests.api.support import Desk

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def identities(customer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["kind"], i["value"]) for i in customer["identities"]]


# -- customers -------------------------------------------------------------------------------------


def test_a_customer_is_created_with_emails_chat_ids_and_phones(admin_api: Api) -> None:
    reply = admin_api.post(
        "/v1/customers",
        json={
            "name": "Dana",
            "emails": ["Dana@Home.Example", "dana@work.example"],
            "chat_ids": ["visitor-9"],
            "phones": ["+1 (555) 010-0000"],
            "vip": True,
            "locale": "en-GB",
            "time_zone": "Europe/London",
        },
    )
    assert reply.status == 201
    customer = reply.json
    assert identities(customer) == [
        ("email", "dana@home.example"),
        ("email", "dana@work.example"),
        ("chat", "visitor-9"),
        ("phone", "+1 (555) 010-0000"),
    ]
    assert (customer["email"], customer["vip"], customer["locale"], customer["version"]) == (
        "dana@home.example",
        True,
        "en-GB",
        1,
    )
    assert admin_api.get(f"/v1/customers/{customer['id']}").json == customer


def test_a_customer_without_a_name_is_named_after_their_first_identity(desk: Desk) -> None:
    assert desk.customer(chat_ids=["visitor-77"])["name"] == "visitor-77"


def test_a_customer_needs_at_least_one_identity(admin_api: Api) -> None:
    reply = admin_api.post("/v1/customers", json={"name": "Nobody"})
    assert (reply.status, reply.error_fields) == (400, ["identities"])


@pytest.mark.parametrize(
    "taken",
    [{"emails": ["EVE@Example.com"]}, {"chat_ids": ["visitor-1"]}, {"phones": ["+15550100"]}],
    ids=["email-any-case", "chat-id", "phone"],
)
def test_an_identity_already_owned_by_another_customer_is_409(
    admin_api: Api, desk: Desk, taken: dict[str, Any]
) -> None:
    first = desk.customer(emails=["eve@example.com"], chat_ids=["visitor-1"], phones=["+15550100"])
    reply = admin_api.post("/v1/customers", json={"name": "Other", "emails": ["other@example.com"], **taken})
    assert (reply.status, reply.error_code, reply.error_fields) == (409, "already_exists", ["identity"])
    assert ids(admin_api.get("/v1/customers").json["items"]) == [first["id"]]
    # The refused customer's other identity was not claimed either.
    assert admin_api.get("/v1/customers/lookup", query={"email": "other@example.com"}).status == 404


def test_a_new_customer_joins_the_organization_that_claims_their_email_domain(admin_api: Api, desk: Desk) -> None:
    acme = desk.organization("Acme", "acme.example", "Acme-Corp.example")
    assert acme["domains"] == ["acme.example", "acme-corp.example"]
    assert desk.customer(emails=["wile@ACME.example"])["organization_id"] == acme["id"]
    assert desk.customer(emails=["road@acme-corp.example"])["organization_id"] == acme["id"]
    assert desk.customer(emails=["someone@elsewhere.example"])["organization_id"] is None
    assert desk.customer(chat_ids=["visitor-5"])["organization_id"] is None
    # A customer created by a ticket's requester_email is matched the same way.
    ticket = desk.ticket(requester_email="coyote@acme.example")
    assert ticket["organization_id"] == acme["id"]
    requester = admin_api.get(f"/v1/customers/{ticket['requester_id']}").json
    assert requester["organization_id"] == acme["id"]


def test_an_explicit_organization_wins_and_must_exist(admin_api: Api, desk: Desk) -> None:
    desk.organization("Acme", "acme.example")
    globex = desk.organization("Globex")
    assert desk.customer(emails=["x@acme.example"], organization_id=globex["id"])["organization_id"] == globex["id"]
    reply = admin_api.post("/v1/customers", json={"emails": ["y@acme.example"], "organization_id": UNKNOWN_ID})
    assert (reply.status, reply.error_code) == (404, "not_found")
    assert admin_api.get("/v1/customers/lookup", query={"email": "y@acme.example"}).status == 404


def test_lookup_by_email_ignores_case_and_is_404_for_an_unknown_address(admin_api: Api, desk: Desk) -> None:
    dana = desk.customer(emails=["dana@home.example"])
    found = admin_api.get("/v1/customers/lookup", query={"email": "DANA@Home.EXAMPLE"})
    assert (found.status, found.json["id"]) == (200, dana["id"])
    missing = admin_api.get("/v1/customers/lookup", query={"email": "dana@work.example"})
    assert (missing.status, missing.error_code) == (404, "not_found")
    invalid = admin_api.get("/v1/customers/lookup", query={"email": "not-an-address"})
    assert (invalid.status, invalid.error_fields) == (400, ["query.email"])


def test_an_unknown_customer_is_404(admin_api: Api) -> None:
    assert admin_api.get(f"/v1/customers/{UNKNOWN_ID}").status == 404
    assert admin_api.get(f"/v1/customers/{UNKNOWN_ID}/tickets").status == 404
    assert admin_api.patch(f"/v1/customers/{UNKNOWN_ID}", json={"version": 1, "name": "x"}).status == 404


def test_updating_emails_claims_the_new_ones_and_frees_the_removed_ones(admin_api: Api, desk: Desk) -> None:
    dana = desk.customer(name="Dana", emails=["dana@old.example", "dana@home.example"], chat_ids=["visitor-9"])
    reply = admin_api.patch(
        f"/v1/customers/{dana['id']}", json={"version": 1, "emails": ["dana@home.example", "Dana@New.example"]}
    )
    assert reply.status == 200
    updated = reply.json
    assert updated["version"] == 2
    assert identities(updated) == [("email", "dana@home.example"), ("email", "dana@new.example"), ("chat", "visitor-9")]
    assert admin_api.get("/v1/customers/lookup", query={"email": "dana@new.example"}).json["id"] == dana["id"]
    assert admin_api.get("/v1/customers/lookup", query={"email": "dana@old.example"}).status == 404

    someone = admin_api.post("/v1/customers", json={"emails": ["dana@old.example"]})
    assert someone.status == 201
    assert admin_api.get("/v1/customers/lookup", query={"email": "dana@old.example"}).json["id"] == someone.json["id"]


def test_a_stale_customer_update_is_409_and_changes_nothing(admin_api: Api, desk: Desk) -> None:
    dana = desk.customer(name="Dana", emails=["dana@home.example"])
    assert admin_api.patch(f"/v1/customers/{dana['id']}", json={"version": 1, "vip": True}).status == 200
    stale = admin_api.patch(f"/v1/customers/{dana['id']}", json={"version": 1, "emails": ["dana@new.example"]})
    assert (stale.status, stale.error_code) == (409, "conflict")
    current = admin_api.get(f"/v1/customers/{dana['id']}").json
    assert (current["version"], current["vip"], identities(current)) == (2, True, [("email", "dana@home.example")])
    assert admin_api.get("/v1/customers/lookup", query={"email": "dana@new.example"}).status == 404


def test_a_customer_update_needs_a_version(admin_api: Api, desk: Desk) -> None:
    dana = desk.customer(emails=["dana@home.example"])
    reply = admin_api.patch(f"/v1/customers/{dana['id']}", json={"name": "Dana"})
    assert (reply.status, reply.error_code) == (428, "precondition_required")


def test_taking_another_customers_email_in_an_update_is_409(admin_api: Api, desk: Desk) -> None:
    desk.customer(emails=["eve@example.com"])
    dana = desk.customer(emails=["dana@home.example"])
    reply = admin_api.patch(
        f"/v1/customers/{dana['id']}", json={"version": 1, "emails": ["dana@home.example", "eve@example.com"]}
    )
    assert (reply.status, reply.error_code) == (409, "already_exists")
    assert identities(admin_api.get(f"/v1/customers/{dana['id']}").json) == [("email", "dana@home.example")]


def test_removing_every_identity_is_409(admin_api: Api, desk: Desk) -> None:
    # Whether a change leaves an identity depends on the customer's state (another kind may remain): a conflict.
    dana = desk.customer(emails=["dana@home.example"])
    reply = admin_api.patch(f"/v1/customers/{dana['id']}", json={"version": 1, "emails": []})
    assert (reply.status, reply.error_code) == (409, "conflict")
    assert admin_api.get(f"/v1/customers/{dana['id']}").json["version"] == 1


def test_customers_are_listed_by_name_across_pages(desk: Desk) -> None:
    for name in ["mallory", "Alice", "carol", "Bob", "erin"]:
        desk.customer(name=name, emails=[f"{name.lower()}@example.com"])
    walked, pages = desk.walk("/v1/customers", limit=2)
    assert [c["name"] for c in walked] == ["Alice", "Bob", "carol", "erin", "mallory"]
    assert pages == 3


def test_a_customers_tickets_span_every_channel(admin_api: Api, desk: Desk) -> None:
    dana = desk.customer(emails=["dana@home.example"], chat_ids=["visitor-9"])
    mine = [desk.ticket(requester_id=dana["id"], channel=c) for c in ("email", "chat", "portal", "phone")]
    desk.ticket(requester_email="someone@else.example")
    solved = desk.patch_ticket(desk.ticket(requester_id=dana["id"], channel="email"), status="solved")

    active = admin_api.get(f"/v1/customers/{dana['id']}/tickets").json
    assert ids(active["items"]) == ids(mine)
    assert [t["channel"] for t in active["items"]] == ["email", "chat", "portal", "phone"]
    everything, pages = desk.walk(f"/v1/customers/{dana['id']}/tickets", include_solved=True, limit=2)
    assert ids(everything) == [*ids(mine), solved["id"]]
    assert pages == 3


# -- organizations ---------------------------------------------------------------------------------


def test_organizations_are_created_read_listed_and_updated(admin_api: Api, desk: Desk) -> None:
    created = admin_api.post("/v1/organizations", json={"name": "Initech", "domains": ["initech.example"], "vip": True})
    assert created.status == 201
    org = created.json
    assert (org["name"], org["domains"], org["vip"], org["version"]) == ("Initech", ["initech.example"], True, 1)
    assert admin_api.get(f"/v1/organizations/{org['id']}").json == org

    desk.organization("acme")
    desk.organization("Globex")
    walked, pages = desk.walk("/v1/organizations", limit=2)
    assert ([o["name"] for o in walked], pages) == (["acme", "Globex", "Initech"], 2)

    updated = admin_api.patch(
        f"/v1/organizations/{org['id']}",
        json={"version": 1, "name": "Initech LLC", "domains": ["initech.example", "INITECH-Mail.example"]},
    )
    assert updated.status == 200
    assert (updated.json["name"], updated.json["domains"], updated.json["version"]) == (
        "Initech LLC",
        ["initech.example", "initech-mail.example"],
        2,
    )
    assert desk.customer(emails=["peter@initech-mail.example"])["organization_id"] == org["id"]

    stale = admin_api.patch(f"/v1/organizations/{org['id']}", json={"version": 1, "vip": False})
    assert (stale.status, stale.error_code) == (409, "conflict")
    assert admin_api.get(f"/v1/organizations/{org['id']}").json["vip"] is True


def test_an_unknown_organization_is_404(admin_api: Api) -> None:
    assert admin_api.get(f"/v1/organizations/{UNKNOWN_ID}").status == 404
    assert admin_api.get(f"/v1/organizations/{UNKNOWN_ID}/tickets").status == 404
    assert admin_api.patch(f"/v1/organizations/{UNKNOWN_ID}", json={"version": 1, "vip": True}).status == 404


def test_a_domain_belongs_to_one_organization(admin_api: Api, desk: Desk) -> None:
    acme = desk.organization("Acme", "acme.example")
    globex = desk.organization("Globex", "globex.example")
    on_create = admin_api.post("/v1/organizations", json={"name": "Copycat", "domains": ["ACME.example"]})
    assert (on_create.status, on_create.error_code, on_create.error_fields) == (409, "already_exists", ["domain"])
    on_update = admin_api.patch(
        f"/v1/organizations/{globex['id']}", json={"version": 1, "domains": ["globex.example", "acme.example"]}
    )
    assert (on_update.status, on_update.error_code) == (409, "already_exists")
    assert admin_api.get(f"/v1/organizations/{globex['id']}").json["domains"] == ["globex.example"]

    # Released when Acme drops it.
    assert admin_api.patch(f"/v1/organizations/{acme['id']}", json={"version": 1, "domains": []}).status == 200
    retry = admin_api.patch(
        f"/v1/organizations/{globex['id']}", json={"version": 1, "domains": ["globex.example", "acme.example"]}
    )
    assert retry.status == 200
    assert desk.customer(emails=["wile@acme.example"])["organization_id"] == globex["id"]


def test_an_organizations_tickets_are_those_of_its_customers(admin_api: Api, desk: Desk) -> None:
    acme = desk.organization("Acme", "acme.example")
    urgent = desk.ticket(requester_email="wile@acme.example", priority="urgent")
    normal = desk.ticket(requester_email="road@acme.example")
    desk.ticket(requester_email="someone@elsewhere.example", priority="urgent")
    solved = desk.patch_ticket(desk.ticket(requester_email="wile@acme.example"), status="solved")

    listed = admin_api.get(f"/v1/organizations/{acme['id']}/tickets")
    assert ids(listed.json["items"]) == [urgent["id"], normal["id"]]
    with_solved, _ = desk.walk(f"/v1/organizations/{acme['id']}/tickets", include_solved=True, limit=1)
    assert ids(with_solved) == [urgent["id"], normal["id"], solved["id"]]


# -- explicit nulls --------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "vip"])
def test_a_null_for_a_required_customer_field_is_refused_or_ignored_and_the_customer_stays_readable(
    admin_api: Api, desk: Desk, field: str
) -> None:
    dana = desk.customer(name="Dana", emails=["dana@home.example"])
    reply = admin_api.patch(f"/v1/customers/{dana['id']}", json={"version": 1, field: None})
    assert reply.status in (200, 400), reply.body  # a 500 breaks the contract before this line
    after = admin_api.get(f"/v1/customers/{dana['id']}")
    assert (after.status, after.json[field]) == (200, dana[field])
    assert admin_api.get("/v1/customers").status == 200


@pytest.mark.parametrize("field", ["name", "vip", "domains"])
def test_a_null_for_a_required_organization_field_is_refused_or_ignored_and_the_organization_stays_readable(
    admin_api: Api, desk: Desk, field: str
) -> None:
    acme = desk.organization("Acme", "acme.example")
    reply = admin_api.patch(f"/v1/organizations/{acme['id']}", json={"version": 1, field: None})
    assert reply.status in (200, 400), reply.body
    after = admin_api.get(f"/v1/organizations/{acme['id']}")
    assert (after.status, after.json[field]) == (200, acme[field])
    assert admin_api.get("/v1/organizations").status == 200
