"""Agent API: the desk's configuration (admins), its audit trail, and a ticket's SLA."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint  # type: ignore[attr-defined]

from chalicelib.bootstrap import services
from chalicelib.config import store as config
from chalicelib.core.lazy import lazy_module
from chalicelib.core.resources import DUE_SLA
from chalicelib.http.errors import PreconditionRequired
from chalicelib.http.framework import Call, Result, endpoint
from chalicelib.http.paging import next_cursor, start_key

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.config import schemas as ds
    from chalicelib.http import schemas
else:
    ds = lazy_module("chalicelib.config.schemas")
    schemas = lazy_module("chalicelib.http.schemas")

bp = Blueprint(__name__)
TAG = "configuration"
# path segment -> (document kind, body model)
KINDS = {
    "routing-rules": (config.RULE, "RoutingRuleIn"),
    "sla-policies": (config.POLICY, "SlaPolicyIn"),
    "calendars": (config.CALENDAR, "CalendarIn"),
    "triggers": (config.TRIGGER, "TriggerIn"),
    "macros": (config.MACRO, "MacroIn"),
}


def _body(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude={"version"}, exclude_none=True)


def _register(segment: str, kind: str, model: str) -> None:
    """Five routes per kind: list, create, read, replace (with the version), delete (``?version=``)."""
    noun = segment.replace("-", " ")
    path, item = f"/v1/{segment}", f"/v1/{segment}/{{doc_id}}"

    def list_docs(call: Call) -> ds.ConfigListOut:
        return ds.ConfigListOut(items=[ds.ConfigOut.of(d) for d in services().desk.documents(kind)])

    def create_doc(call: Call) -> Result:
        doc = services().desk.create(call.principal.agent.id, kind, _body(call.body))
        return Result(ds.ConfigOut.of(doc), 201)

    def get_doc(call: Call, doc_id: str) -> ds.ConfigOut:
        return ds.ConfigOut.of(services().desk.get(kind, doc_id))

    def replace_doc(call: Call, doc_id: str) -> ds.ConfigOut:
        if call.body.version is None:
            raise PreconditionRequired("name the version this change is based on: 'version'")
        doc = services().desk.replace(call.principal.agent.id, kind, doc_id, call.body.version, _body(call.body))
        return ds.ConfigOut.of(doc)

    def delete_doc(call: Call, doc_id: str) -> Result:
        services().desk.delete(call.principal.agent.id, kind, doc_id, call.query.version)
        return Result(None, 204)

    for view in (list_docs, create_doc, get_doc, replace_doc, delete_doc):
        view.__name__ = f"{view.__name__}_{segment.replace('-', '_')}"
    endpoint(bp, path, "GET", summary=f"List {noun}", response="desk_schemas.ConfigListOut", tag=TAG, admin=True)(
        list_docs
    )
    endpoint(
        bp,
        path,
        "POST",
        summary=f"Create one of the {noun}",
        body=f"desk_schemas.{model}",
        response="desk_schemas.ConfigOut",
        status=201,
        tag=TAG,
        admin=True,
    )(create_doc)
    endpoint(bp, item, "GET", summary=f"One of the {noun}", response="desk_schemas.ConfigOut", tag=TAG, admin=True)(
        get_doc
    )
    endpoint(
        bp,
        item,
        "PUT",
        summary=f"Replace one of the {noun} (a new version)",
        body=f"desk_schemas.{model}",
        response="desk_schemas.ConfigOut",
        tag=TAG,
        admin=True,
    )(replace_doc)
    endpoint(
        bp,
        item,
        "DELETE",
        summary=f"Delete one of the {noun}",
        query="desk_schemas.DeleteQuery",
        status=204,
        tag=TAG,
        admin=True,
    )(delete_doc)


for _segment, (_kind, _model) in KINDS.items():
    _register(_segment, _kind, _model)


@endpoint(
    bp,
    "/v1/audit",
    "GET",
    summary="Configuration changes, newest first",
    tag=TAG,
    query="PageQuery",
    response="desk_schemas.AuditPageOut",
    admin=True,
)
def list_audit(call: Call) -> ds.AuditPageOut:
    query: schemas.PageQuery = call.query
    page = services().desk.audit_trail(query.limit, start_key(query.cursor, "audit"))
    return ds.AuditPageOut(
        items=[ds.AuditOut.of(r) for r in page.items], next_cursor=next_cursor(page.next_key, "audit")
    )


@endpoint(
    bp,
    "/v1/tickets/{ticket_id}/sla",
    "GET",
    summary="The ticket's SLA policy and clocks",
    tag="tickets",
    response="desk_schemas.SlaOut",
)
def ticket_sla(call: Call, ticket_id: str) -> ds.SlaOut:
    svc = services()
    svc.ticket_repo.get(ticket_id)  # 404 for an unknown ticket
    item = svc.work_repo.get_due(DUE_SLA, ticket_id)
    state = item.state if item else {}
    return ds.SlaOut(
        policy_id=state.get("policy_id"),
        policy_version=state.get("policy_version"),
        policy_name=state.get("policy_name"),
        next_due_at=item.due_at if item else None,
        metrics={m: ds.SlaClockOut.model_validate(v) for m, v in (state.get("metrics") or {}).items()},
    )
