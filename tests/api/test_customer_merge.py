"""Two identities of one person become one customer; an organization gathers the customers of its domains."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.contract import Api
from tests.api.support import Desk


def merge(api: Api, source: dict[str, Any], target: dict[str, Any]) -> Any:
    return api.post(
        f"/v1/customers/{source['id']}/merge", json={"target_id": target["id"]}, headers={"If-Match": '"1"'}
    )


def test_a_merge_moves_identities_and_tickets_and_mail_then_reaches_the_target(admin_api: Api, desk: Desk) -> None:
    by_mail = desk.customer(emails=["dana@home.example"])
    by_phone = desk.customer(phones=["+371 2000 0001"], name="Dana Phone")
    ticket = desk.ticket(requester_id=by_mail["id"])
    merged = merge(admin_api, by_mail, by_phone)
    assert merged.status == 200, merged.json
    assert (merged.json["moved_tickets"], merged.json["more_tickets"]) == (1, False)
    kept = merged.json["customer"]
    assert sorted((i["kind"], i["value"]) for i in kept["identities"]) == [
        ("email", "dana@home.example"),
        ("phone", "+371 2000 0001"),
    ]
    assert admin_api.get("/v1/customers/lookup", query={"email": "dana@home.example"}).json["id"] == by_phone["id"]
    pointer = admin_api.get(f"/v1/customers/{by_mail['id']}").json
    assert (pointer["merged_into_id"], pointer["identities"]) == (by_phone["id"], [])
    assert desk.get_ticket(ticket["id"])["ticket"]["requester_id"] == by_phone["id"]
    moved = admin_api.get(f"/v1/customers/{by_phone['id']}/tickets").json["items"]
    assert [t["id"] for t in moved] == [ticket["id"]]
    # New mail from the merged address is the target's.
    again = desk.ticket(requester_email="dana@home.example")
    assert again["requester_id"] == by_phone["id"]


def test_a_merge_is_idempotent(admin_api: Api, desk: Desk) -> None:
    source, target = desk.customer(emails=["a@x.example"]), desk.customer(emails=["b@x.example"])
    first, second = merge(admin_api, source, target), merge(admin_api, source, target)
    assert (first.status, second.status) == (200, 200)
    assert second.json["customer"]["version"] == first.json["customer"]["version"] == 2
    assert second.json["moved_tickets"] == 0


@pytest.mark.parametrize("case", ["itself", "unknown", "stale"])
def test_a_merge_that_cannot_be_is_refused(admin_api: Api, desk: Desk, case: str) -> None:
    source, target = desk.customer(emails=["a@x.example"]), desk.customer(emails=["b@x.example"])
    if case == "itself":
        reply = merge(admin_api, source, source)
        assert (reply.status, reply.error_fields) == (400, ["target_id"])
    elif case == "unknown":
        reply = merge(admin_api, source, {"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
        assert reply.status == 404
    else:
        reply = admin_api.post(f"/v1/customers/{source['id']}/merge", json={"target_id": target["id"], "version": 3})
        assert reply.status == 409
    assert admin_api.get("/v1/customers/lookup", query={"email": "a@x.example"}).json["id"] == source["id"]


def test_tickets_follow_in_bounded_batches(admin_api: Api, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.tickets import requesters

    monkeypatch.setattr(requesters, "MOVE_BATCH", 2)
    source, target = desk.customer(emails=["a@x.example"]), desk.customer(emails=["b@x.example"])
    tickets = [desk.ticket(requester_id=source["id"]) for _ in range(3)]
    first = merge(admin_api, source, target)
    assert (first.json["moved_tickets"], first.json["more_tickets"]) == (2, True)
    rest = merge(admin_api, source, target)
    assert (rest.json["moved_tickets"], rest.json["more_tickets"]) == (1, False)
    assert {desk.get_ticket(t["id"])["ticket"]["requester_id"] for t in tickets} == {target["id"]}


def test_a_new_organization_attaches_the_customers_of_its_domains(admin_api: Api, desk: Desk) -> None:
    early = desk.customer(emails=["ann@initech.example"])
    other = desk.customer(emails=["bob@elsewhere.example"])
    org = desk.organization("Initech", "initech.example")
    assert admin_api.get(f"/v1/customers/{early['id']}").json["organization_id"] == org["id"]
    assert admin_api.get(f"/v1/customers/{other['id']}").json["organization_id"] is None


def test_a_customer_of_another_organization_stays_there(admin_api: Api, desk: Desk) -> None:
    first = desk.organization("Initech", "initech.example")
    ann = desk.customer(emails=["ann@globex.example"], organization_id=first["id"])
    desk.organization("Globex", "globex.example")
    assert admin_api.get(f"/v1/customers/{ann['id']}").json["organization_id"] == first["id"]


def test_attaching_goes_on_in_bounded_passes(admin_api: Api, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.people import customers

    monkeypatch.setattr(customers, "ATTACH_BATCH", 2)
    people = [desk.customer(emails=[f"p{n}@initech.example"]) for n in range(3)]
    org = desk.organization("Initech", "initech.example")  # the first pass attaches two
    orgs = [admin_api.get(f"/v1/customers/{p['id']}").json["organization_id"] for p in people]
    assert orgs.count(org["id"]) == 2
    path = f"/v1/organizations/{org['id']}/attach-customers"
    cursor, attached = None, 0
    for _ in range(5):
        step = admin_api.post(path, json={"cursor": cursor} if cursor else {})
        assert step.status == 200, step.json
        attached, cursor = attached + step.json["attached"], step.json["next_cursor"]
        if cursor is None:
            break
    assert attached == 1
    assert {admin_api.get(f"/v1/customers/{p['id']}").json["organization_id"] for p in people} == {org["id"]}


def test_adding_a_domain_to_an_organization_attaches_its_customers(admin_api: Api, desk: Desk) -> None:
    org = desk.organization("Initech", "initech.example")
    ann = desk.customer(emails=["ann@initech-mail.example"])
    reply = admin_api.patch(
        f"/v1/organizations/{org['id']}",
        json={"domains": ["initech.example", "initech-mail.example"]},
        headers={"If-Match": '"1"'},
    )
    assert reply.status == 200
    assert admin_api.get(f"/v1/customers/{ann['id']}").json["organization_id"] == org["id"]
