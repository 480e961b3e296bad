"""Agent API (admins): configuration documents in general, calendars, and the audit trail of changes.

Every feature declares the routes of its own documents with ``register`` (routing rules in
``routing.routes``, SLA policies in ``sla.routes``, triggers and macros in ``automations.routes``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.config.calendars import CALENDAR
from chalicelib.config.store import DocumentStore
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Result, Routes
from chalicelib.http.paging import next_cursor, start_key

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.config import schemas as ds
    from chalicelib.http import schemas
else:
    ds = lazy_module("chalicelib.config.schemas")
    schemas = lazy_module("chalicelib.http.schemas")

SCHEMAS = "chalicelib.config.schemas"
TAG = "configuration"
deps: Provider[DocumentStore] = Provider("config.routes")
routes = Routes(__name__, SCHEMAS, tag=TAG)
bp = routes.bp


def _body(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude={"version"}, exclude_none=True)


def register(
    routes: Routes,
    segment: str,
    kind: str,
    model: str,
    store: Callable[[], DocumentStore],
    agents_read: bool = False,
) -> None:
    """Five routes for a kind of document, declared in the owning feature's routes module: list, create, read,
    replace (with the version), delete (``?version=``); ``model`` is the body's model in that module. Only
    admins write; with ``agents_read`` every agent may list and read (macros: agents apply them)."""
    noun = segment.replace("-", " ")
    path, item = f"/v1/{segment}", f"/v1/{segment}/{{doc_id}}"

    def list_docs(call: Call) -> ds.ConfigListOut:
        return ds.ConfigListOut(items=[ds.ConfigOut.of(d) for d in store().documents(kind)])

    def create_doc(call: Call) -> Result:
        doc = store().create(call.principal.agent.id, kind, _body(call.body))
        return Result(ds.ConfigOut.of(doc), 201)

    def get_doc(call: Call, doc_id: str) -> ds.ConfigOut:
        return ds.ConfigOut.of(store().get(kind, doc_id))

    def replace_doc(call: Call, doc_id: str) -> ds.ConfigOut:
        doc = store().replace(call.principal.agent.id, kind, doc_id, call.version or 0, _body(call.body))
        return ds.ConfigOut.of(doc)

    def delete_doc(call: Call, doc_id: str) -> Result:
        store().delete(call.principal.agent.id, kind, doc_id, call.version or 0)
        return Result(None, 204)

    for view in (list_docs, create_doc, get_doc, replace_doc, delete_doc):
        view.__name__ = f"{view.__name__}_{segment.replace('-', '_')}"
    readers_admin = not agents_read
    routes(path, "GET", summary=f"List {noun}", response=f"{SCHEMAS}.ConfigListOut", admin=readers_admin, tag=TAG)(
        list_docs
    )
    routes(
        path,
        "POST",
        summary=f"Create one of the {noun}",
        body=model,
        response=f"{SCHEMAS}.ConfigOut",
        status=201,
        admin=True,
        tag=TAG,
    )(create_doc)
    routes(item, "GET", summary=f"One of the {noun}", response=f"{SCHEMAS}.ConfigOut", admin=readers_admin, tag=TAG)(
        get_doc
    )
    routes(
        item,
        "PUT",
        summary=f"Replace one of the {noun} (a new version)",
        body=model,
        response=f"{SCHEMAS}.ConfigOut",
        admin=True,
        versioned=True,
        tag=TAG,
    )(replace_doc)
    routes(
        item,
        "DELETE",
        summary=f"Delete one of the {noun}",
        query=f"{SCHEMAS}.DeleteQuery",
        status=204,
        admin=True,
        versioned=True,
        tag=TAG,
    )(delete_doc)


register(routes, "calendars", CALENDAR, "CalendarIn", deps)


@routes(
    "/v1/audit",
    "GET",
    summary="Configuration changes, newest first",
    query="PageQuery",
    response="AuditPageOut",
    admin=True,
)
def list_audit(call: Call) -> ds.AuditPageOut:
    query: schemas.PageQuery = call.query
    page = deps().audit_trail(query.limit, start_key(query.cursor, "audit"))
    return ds.AuditPageOut(
        items=[ds.AuditOut.of(r) for r in page.items], next_cursor=next_cursor(page.next_key, "audit")
    )
