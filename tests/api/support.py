"""Helpers for the API tier: the Chalice test client, and shortcuts that build state through the API."""

from __future__ import annotations

from typing import Any

from tests.api.contract import Api
from tests.conftest import ROOT

# A stage that .chalice/config.json does not define: the client adds only the app-wide environment, so
# the test settings (dev auth, the test signing keys) stay in force during requests.
STAGE = "test"


def chalice_client() -> Any:
    from chalice.test import Client

    from app import app

    return Client(app, stage_name=STAGE, project_dir=str(ROOT))


class Desk:
    """Shortcuts for building state through the API (each call is itself contract-checked)."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def ticket(self, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"subject": "Printer on fire", "body": "It is smoking.", **fields}
        if "requester_id" not in body:
            body.setdefault("requester_email", "bob@customer.example")
        reply = self.api.post("/v1/tickets", json=body)
        assert reply.status == 201, reply.json
        ticket: dict[str, Any] = reply.json["ticket"]
        return ticket

    def patch_ticket(self, ticket: dict[str, Any], **changes: Any) -> dict[str, Any]:
        reply = self.api.patch(f"/v1/tickets/{ticket['id']}", json={"version": ticket["version"], **changes})
        assert reply.status == 200, reply.json
        updated: dict[str, Any] = reply.json
        return updated

    def get_ticket(self, ticket_id: str) -> dict[str, Any]:
        reply = self.api.get(f"/v1/tickets/{ticket_id}")
        assert reply.status == 200, reply.json
        detail: dict[str, Any] = reply.json
        return detail

    def team(self, name: str = "Billing") -> dict[str, Any]:
        reply = self.api.post("/v1/teams", json={"name": name})
        assert reply.status == 201, reply.json
        team: dict[str, Any] = reply.json
        return team

    def customer(self, **fields: Any) -> dict[str, Any]:
        reply = self.api.post("/v1/customers", json=fields)
        assert reply.status == 201, reply.json
        customer: dict[str, Any] = reply.json
        return customer

    def organization(self, name: str, *domains: str) -> dict[str, Any]:
        reply = self.api.post("/v1/organizations", json={"name": name, "domains": list(domains)})
        assert reply.status == 201, reply.json
        org: dict[str, Any] = reply.json
        return org

    def walk(self, path: str, **query: Any) -> tuple[list[dict[str, Any]], int]:
        """Every item of a paginated list, following next_cursor; and the number of pages read."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        pages = 0
        while True:
            reply = self.api.get(path, query={**query, "cursor": cursor})
            assert reply.status == 200, reply.json
            items.extend(reply.json["items"])
            pages += 1
            cursor = reply.json["next_cursor"]
            if cursor is None:
                return items, pages
            assert pages < 100, "pagination does not end"
