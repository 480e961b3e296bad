"""Public routes: health and the OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.core.lazy import lazy_module
from chalicelib.core.settings import stage
from chalicelib.http.framework import SHARED_SCHEMAS, Call, Routes, json_response

if TYPE_CHECKING:
    from chalicelib.http import schemas
else:
    schemas = lazy_module("chalicelib.http.schemas")

routes = Routes(__name__, SHARED_SCHEMAS, tag="meta")
bp = routes.bp


@routes("/health", "GET", summary="Liveness (no database call)", tag="meta", response="HealthOut", public=True)
def health(call: Call) -> schemas.HealthOut:
    return schemas.HealthOut(status="ok", stage=stage())


@routes(
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3.1 document",
    tag="meta",
    response="OpenApiDocumentOut",
    public=True,
)
def openapi_document(call: Call) -> object:
    from chalicelib.http.openapi import document

    return json_response(document())
