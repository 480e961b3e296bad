"""Agent API: SLA policies (admins) and a ticket's SLA clocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.config.routes import register
from chalicelib.config.store import DocumentStore
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Routes
from chalicelib.sla.config import POLICY

if TYPE_CHECKING:
    from chalicelib.sla import schemas
    from chalicelib.sla.status import SlaStatus
else:
    schemas = lazy_module("chalicelib.sla.schemas")


@dataclass(frozen=True)
class Needs:
    documents: DocumentStore
    status: SlaStatus


deps: Provider[Needs] = Provider("sla.routes")
routes = Routes(__name__, "chalicelib.sla.schemas", tag="configuration")
bp = routes.bp

register(routes, "sla-policies", POLICY, "SlaPolicyIn", lambda: deps().documents)


@routes(
    "/v1/tickets/{ticket_id}/sla", "GET", summary="The ticket's SLA policy and clocks", tag="tickets", response="SlaOut"
)
def ticket_sla(call: Call, ticket_id: str) -> schemas.SlaOut:
    sla = deps().status.of(ticket_id)
    return schemas.SlaOut(
        policy_id=sla.policy_id,
        policy_version=sla.policy_version,
        policy_name=sla.policy_name,
        next_due_at=sla.next_due_at,
        metrics={m: schemas.SlaClockOut.model_validate(v) for m, v in sla.metrics.items()},
    )
