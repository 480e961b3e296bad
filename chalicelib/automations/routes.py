"""Agent API: triggers and macros (admins), and applying a macro to a ticket (agents)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.automations.config import MACRO, TRIGGER
from chalicelib.config.routes import register
from chalicelib.config.store import DocumentStore
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Result, Routes

if TYPE_CHECKING:
    from chalicelib.automations.macros import MacroApplier
    from chalicelib.tickets import schemas as ticket_schemas
else:
    ticket_schemas = lazy_module("chalicelib.tickets.schemas")


@dataclass(frozen=True)
class Needs:
    documents: DocumentStore
    macros: MacroApplier


deps: Provider[Needs] = Provider("automations.routes")
routes = Routes(__name__, "chalicelib.automations.schemas", tag="configuration")
bp = routes.bp

register(routes, "triggers", TRIGGER, "TriggerIn", lambda: deps().documents)
# Agents list and read the macros they may apply; only admins write them.
register(routes, "macros", MACRO, "MacroIn", lambda: deps().documents, agents_read=True)


@routes(
    "/v1/tickets/{ticket_id}/macros/{macro_id}",
    "POST",
    summary="Apply a macro: its reply and field changes",
    tag="tickets",
    body="ApplyMacroIn",
    response="chalicelib.tickets.schemas.TicketOut",
    versioned=True,
)
def apply_macro(call: Call, ticket_id: str, macro_id: str) -> Result:
    ticket = deps().macros.apply(
        call.principal.actor, ticket_id, call.version or 0, macro_id, call.principal.agent.name
    )
    return Result(ticket_schemas.TicketOut.of(ticket), None, {"ETag": f'"{ticket.version}"'})
