"""The OpenAPI 3.1 document, built from the endpoint registry and the pydantic models.

Every route declared with ``endpoint`` is in it (a test compares it with Chalice's route table) and
every response is checked against it by the API tests.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.core.ids import ID_PATTERN
from chalicelib.http.framework import IF_MATCH_PATTERN, REGISTRY, RouteSpec
from chalicelib.http.schemas import ErrorOut, Out

REF = "#/components/schemas/{model}"
ERROR_STATUSES = {
    "400": "Bad input: the fields at fault are listed",
    "401": "No or invalid credentials",
    "403": "Not allowed for this caller",
    "404": "Unknown id",
    "409": "Conflict: stale version (with the changes since) or a taken unique value",
}
VERSION_RULE = (
    "A write of a versioned resource names the version it is based on: the If-Match header (the ETag of the "
    "resource's responses) or the body's 'version' (a delete: the 'version' query parameter); If-Match wins "
    "when both are sent. Neither: 428. A stale version: 409."
)
ETAG = {
    "description": "The resource's version, quoted: send it back as If-Match to write on top of it.",
    "required": True,
    "schema": {"type": "string", "pattern": r'^"[0-9]+"$'},
}


@cache
def document(version: str = "1.0.0") -> dict[str, Any]:
    from chalicelib.http import deferred

    deferred.load_all()  # every route module, in the app's order: REGISTRY then holds every route
    models: set[type[BaseModel]] = {ErrorOut}
    for spec in REGISTRY:
        models.update(m for m in (spec.model("body"), spec.model("response")) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, schemas = models_json_schema([(m, "validation") for m in ordered], ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for spec in REGISTRY:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
    components = {**schemas.get("$defs", {}), "TimeZone": _time_zones()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lambdesk agent API",
            "version": version,
            "description": "Help desk API. Authenticate with 'Authorization: Bearer <JWT or personal API token>'. "
            + VERSION_RULE,
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _time_zones() -> dict[str, Any]:
    from chalicelib.core.limits import time_zone_names

    # One alternation rather than an enum: exactly the same set, and tools sample it instead of walking it.
    names = "|".join(name.replace("+", r"\+") for name in time_zone_names())
    return {"type": "string", "pattern": f"^(?:{names})$", "description": "An IANA time zone.", "examples": ["UTC"]}


def _operation(spec: RouteSpec) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": spec.operation_id, "summary": spec.summary, "tags": [spec.tag]}
    if spec.versioned:
        op["description"] = VERSION_RULE
        op["x-lambdesk-versioned"] = True
    params = _parameters(spec)
    if params:
        op["parameters"] = params
    if spec.body is not None:
        op["requestBody"] = {"required": True, "content": _json(spec.body)}
    op["responses"] = _responses(spec)
    if spec.public:
        op["security"] = []
    return op


def _json(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model.rpartition(".")[2])}}}


def _parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(name)}
        for name in re.findall(r"{(\w+)}", spec.path)
    ]
    query = spec.model("query")
    if query is not None:
        schema = query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        if "oneOf" in schema:
            # Parameters that depend on each other: one object, each property its own query parameter.
            schema.pop("title", None)
            params.append({"name": "query", "in": "query", "style": "form", "explode": True, "schema": schema})
            return params + _if_match(spec)
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return params + _if_match(spec)


def _if_match(spec: RouteSpec) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    if spec.versioned:
        params.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
                "description": "The ETag (version) this change is based on.",
            }
        )
    return params


def _path_schema(name: str) -> dict[str, Any]:
    """Ids are ULIDs (another value names nothing: 404); a ticket number is digits (anything else: 400)."""
    if name == "number":
        return {"type": "string", "pattern": r"^[0-9]{1,12}$"}
    if name.endswith("_id"):
        return {"type": "string", "pattern": ID_PATTERN}
    return {"type": "string"}


def _responses(spec: RouteSpec) -> dict[str, Any]:
    responses: dict[str, Any] = {str(spec.status): {"description": spec.summary}}
    model = spec.model("response")
    content: dict[str, Any] = _json(spec.response) if spec.response is not None else {}
    for media_type in spec.file_types:  # a file; with a response model too, the route answers either (``format=``)
        text = media_type.startswith("text/")
        content[media_type] = {"schema": {"type": "string"} if text else {"type": "string", "format": "binary"}}
    if content:
        responses[str(spec.status)]["content"] = content
    if model is not None and issubclass(model, Out) and model.versioned_resource():
        responses[str(spec.status)]["headers"] = {"ETag": ETAG}
    error = {"content": _json("ErrorOut")}
    for status, description in ERROR_STATUSES.items():
        if not (spec.public and status in ("401", "403")):
            responses[status] = {"description": description, **error}
    if spec.produces is not None and spec.response is None:
        responses["413"] = {"description": "More than one response can carry: ask for less", **error}
    if spec.versioned:
        responses["428"] = {"description": "The write named no version (If-Match or 'version')", **error}
    if spec.body is not None:
        responses["413"] = {"description": "The body is larger than accepted", **error}
        responses["415"] = {"description": "The body is not application/json", **error}
    return responses
