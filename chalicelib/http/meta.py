"""Public routes: health and the OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response  # type: ignore[attr-defined]

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


# -- unknown paths ---------------------------------------------------------------------------------
# API Gateway (and ``chalice local``, which imitates it) answers a path no route declares with 403
# "Missing Authentication Token". These routes answer it with 404 in the error shape of every other route.
# One route per depth instead of one greedy ``/{proxy+}``: ``chalice local`` and ``chalice.test`` match a
# path segment by segment and never expand a greedy variable, so ``/{proxy+}`` would catch ``/nope`` but not
# ``/v1/nope``. Static segments win over variables (API Gateway prefers them; Chalice's matcher tries sorted
# routes, and ``{`` sorts after every letter), so no real route is shadowed. They are not endpoints: the
# OpenAPI document leaves them out.
CATCH_ALL_DEPTH = 8
CATCH_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CATCH_ALL_PATHS = ["".join(f"/{{p{n}}}" for n in range(1, d + 1)) for d in range(1, CATCH_ALL_DEPTH + 1)]


def _not_found(**segments: str) -> Response:
    from chalicelib.core.errors import NotFound
    from chalicelib.http.errors import error_body, status_for

    path = "/" + "/".join(segments[f"p{n}"] for n in range(1, len(segments) + 1))
    error = NotFound("route", f"{bp.current_request.method} {path}")
    response: Response = json_response(error_body(error), status_for(error))
    return response


for _path in CATCH_ALL_PATHS:
    bp.route(_path, methods=CATCH_ALL_METHODS, name=f"not_found_{_path.count('{')}")(_not_found)
