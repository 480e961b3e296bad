"""The same API flows on the DynamoDB repositories (moto in server mode): the fakes are not the only backend
the API is proven on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.people import Role
from tests.api.contract import Api, Contract
from tests.api.support import Desk, chalice_client


@pytest.fixture
def dynamo_api(dynamo_svc: Any, contract: Contract) -> Iterator[Api]:
    admin = dynamo_svc.directory.create_agent("ada@example.com", "Ada Admin", Role.ADMIN)
    with chalice_client() as client:
        yield Api(client.http, contract).as_(admin)


@pytest.fixture
def dynamo_desk(dynamo_api: Api) -> Desk:
    return Desk(dynamo_api)


class TestOnDynamoDB:
    def test_create_and_read_back_by_id_and_number(self, dynamo_api: Api, dynamo_desk: Desk) -> None:
        ticket = dynamo_desk.ticket(requester_email="Bob@Customer.Example", tags=["Printer"])
        assert (ticket["number"], ticket["status"], ticket["tags"]) == (1, "new", ["printer"])
        by_id = dynamo_desk.get_ticket(ticket["id"])
        by_number = dynamo_api.get("/v1/tickets/by-number/1").json
        assert by_id == by_number
        assert [e["event"] for e in by_id["timeline"]] == ["ticket.created", "message.added"]
        customer = dynamo_api.get("/v1/customers/lookup", query={"email": "bob@customer.example"}).json
        assert customer["id"] == ticket["requester_id"]
        again = dynamo_desk.ticket(requester_email="bob@customer.example")
        assert (again["number"], again["requester_id"]) == (2, ticket["requester_id"])

    def test_reply_opens_the_ticket_and_a_stale_write_is_409_with_changes_since(
        self, dynamo_api: Api, dynamo_desk: Desk
    ) -> None:
        ticket = dynamo_desk.ticket()
        replied = dynamo_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "On it", "version": 1})
        assert replied.status == 201
        assert (replied.json["status"], replied.json["version"]) == ("open", 2)
        assert replied.json["first_response_at"] is not None

        stale = dynamo_api.patch(f"/v1/tickets/{ticket['id']}", json={"version": 1, "priority": "high"})
        assert (stale.status, stale.json["error"]["current_version"]) == (409, 2)
        since = stale.json["error"]["changes_since"]
        assert sorted(c["event"] for c in since) == ["message.added", "ticket.updated"]
        assert [ch for c in since for ch in c.get("changes", [])] == [{"field": "status", "old": "new", "new": "open"}]
        timeline = dynamo_desk.get_ticket(ticket["id"])["timeline"]
        assert [e["event"] for e in timeline] == ["ticket.created", "message.added", "message.added", "ticket.updated"]

    def test_views_order_active_then_priority_then_age_across_pages(self, dynamo_desk: Desk) -> None:
        low = dynamo_desk.ticket(priority="low")
        urgent = dynamo_desk.ticket(priority="urgent")
        normal_old = dynamo_desk.ticket()
        normal_new = dynamo_desk.ticket()
        solved = dynamo_desk.patch_ticket(dynamo_desk.ticket(priority="urgent"), status="solved")
        requester = low["requester_id"]

        walked, pages = dynamo_desk.walk(
            "/v1/tickets", view="requester", requester_id=requester, include_solved=True, limit=2
        )
        assert [t["id"] for t in walked] == [urgent["id"], normal_old["id"], normal_new["id"], low["id"], solved["id"]]
        assert pages == 3
        unassigned, _ = dynamo_desk.walk("/v1/tickets", view="unassigned", limit=3)
        assert [t["id"] for t in unassigned] == [urgent["id"], normal_old["id"], normal_new["id"], low["id"]]

    def test_me_reflects_the_agents_own_write_at_once(self, dynamo_api: Api, dynamo_svc: Any) -> None:
        # The container keeps its default caches: what an agent reads about themselves is what they just wrote.
        ben = dynamo_svc.directory.create_agent("ben@example.com", "Ben Agent")
        as_ben = dynamo_api.as_(ben)
        assert as_ben.get("/v1/me").json["availability"] == "offline"
        written = as_ben.patch(f"/v1/agents/{ben.id}", json={"availability": "online"}, headers={"If-Match": '"1"'})
        assert written.status == 200, written.json
        me = as_ben.get("/v1/me")
        assert (me.json["availability"], me.json["version"], me.header("ETag")) == ("online", 2, '"2"')
        admin_view = dynamo_api.get(f"/v1/agents/{ben.id}")
        assert (admin_view.json["availability"], admin_view.header("ETag")) == ("online", '"2"')
