"""Agent API of the portal: revoke a ticket's links (a forwarded mail, a leaked link)."""

from __future__ import annotations

from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Result, Routes
from chalicelib.portal.pages import Needs

deps: Provider[Needs] = Provider("portal.api_routes")
routes = Routes(__name__, "chalicelib.http.schemas", tag="tickets")
bp = routes.bp


@routes(
    "/v1/tickets/{ticket_id}/portal-links",
    "DELETE",
    summary="Revoke every portal link of a ticket (the next mail to the customer carries a new one)",
    status=204,
)
def revoke_portal_links(call: Call, ticket_id: str) -> Result:
    needs = deps()
    needs.portal.ticket_repo.get(ticket_id)  # 404 for an unknown ticket
    needs.links.revoke(ticket_id)
    return Result(None, 204)
