"""The endpoint decorator: every route authenticates, parses its input, and reports errors the same way.

A route is declared with the names of the pydantic models of its body, query and response (looked up in
the route module's schema module, then in ``chalicelib.http.schemas``); the same declaration feeds the
OpenAPI document (``chalicelib/http/openapi.py``), so the document cannot miss a route. Models are named,
not imported, so importing ``app.py`` does not build them.

Who is calling is answered by ``authenticator``, which the composition root installs
(``chalicelib.bootstrap.install``): the framework knows how to ask, not how agents are stored.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response  # type: ignore[attr-defined]
from chalice.app import Request

from chalicelib.core.errors import DomainError, InvalidInput, NotFound, TooLarge
from chalicelib.core.limits import MAX_JSON_DEPTH, MAX_REQUEST_BYTES, json_depth_within
from chalicelib.core.providers import Provider
from chalicelib.domain.people import Principal, Role
from chalicelib.http.errors import PreconditionRequired, error_body, status_for, validation_error

if TYPE_CHECKING:
    from pydantic import BaseModel

JSON = "application/json"
# Files sent as bytes (the reports' XLSX export): app.py declares the type binary to API Gateway.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHARED_SCHEMAS = "chalicelib.http.schemas"

# Answers "who sends this Authorization header?" (raises Unauthenticated); installed by the composition root.
authenticator: Provider[Callable[[str | None], Principal]] = Provider("http.authenticator")


@dataclass(frozen=True)
class RouteSpec:
    path: str
    method: str
    summary: str
    tag: str
    operation_id: str
    body: str | None = None
    query: str | None = None
    response: str | None = None
    status: int = 200
    public: bool = False
    admin: bool = False
    versioned: bool = False
    schemas: str = SHARED_SCHEMAS
    # The media type(s) of a success body that is not a JSON model (e.g. "text/csv"); the view returns a Response.
    produces: str | tuple[str, ...] | None = None

    @property
    def file_types(self) -> tuple[str, ...]:
        if self.produces is None:
            return ()
        return (self.produces,) if isinstance(self.produces, str) else self.produces

    def model(self, role: str) -> type[BaseModel] | None:
        """The pydantic model of ``body``, ``query`` or ``response``: a name in the route's schema module or in
        the shared one, or a dotted path (``chalicelib.x.schemas.Name``)."""
        name = getattr(self, role)
        if name is None:
            return None
        import importlib

        module_name, _, class_name = name.rpartition(".")
        for candidate in (module_name,) if module_name else (self.schemas, SHARED_SCHEMAS):
            found = getattr(importlib.import_module(candidate), class_name, None)
            if found is not None:
                model: type[BaseModel] = found
                return model
        raise LookupError(f"{self.operation_id}: no schema {name!r} in {self.schemas}")


REGISTRY: list[RouteSpec] = []


@dataclass(frozen=True)
class Call:
    """What a view receives: the caller, the parsed input and the raw request."""

    principal: Principal
    request: Request
    body: Any = None
    query: Any = None
    # The version the write was based on (If-Match header or the body's ``version``).
    version: int | None = None


@dataclass(frozen=True)
class Result:
    # The response model, or its JSON value already built (``chalicelib.http.plain``: no pydantic on the path).
    body: BaseModel | dict[str, Any] | None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def endpoint(
    bp: Blueprint,
    path: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    body: str | None = None,
    query: str | None = None,
    response: str | None = None,
    status: int = 200,
    public: bool = False,
    admin: bool = False,
    versioned: bool = False,
    schemas: str = SHARED_SCHEMAS,
    produces: str | tuple[str, ...] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        spec = RouteSpec(
            path=path,
            method=method,
            summary=summary,
            tag=tag,
            operation_id=view.__name__,
            body=body,
            query=query,
            response=response,
            status=status,
            public=public,
            admin=admin,
            versioned=versioned,
            schemas=schemas,
            produces=produces,
        )
        REGISTRY.append(spec)

        @functools.wraps(view)
        def handler(**path_params: str) -> Response:
            return _handle(spec, view, bp.current_request, path_params)

        bp.route(path, methods=[method])(handler)
        return view

    return decorator


class Routes:
    """The routes of one module: its blueprint, its schema module and its default tag.

    ``@routes("/v1/things", "POST", summary=..., body="ThingIn", response="ThingOut")`` declares a route."""

    def __init__(self, name: str, schemas: str, tag: str) -> None:
        self.bp = Blueprint(name)
        self.schemas = schemas
        self.tag = tag

    def __call__(
        self, path: str, method: str = "GET", *, summary: str, tag: str | None = None, **options: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return endpoint(self.bp, path, method, summary=summary, tag=tag or self.tag, schemas=self.schemas, **options)


def _handle(spec: RouteSpec, view: Callable[..., Any], request: Request, path_params: dict[str, str]) -> Response:
    from chalicelib.core import observability

    try:
        principal = _principal(spec, request)
        _check_ids(path_params)
        parsed_body = _parse_body(spec, request)
        parsed_query = _parse_query(spec, request)
        call = Call(
            principal=principal,  # type: ignore[arg-type]
            request=request,
            body=parsed_body,
            query=parsed_query,
            version=_version(spec, request, parsed_body, parsed_query),
        )
        outcome = view(call, **path_params)
    except DomainError as error:
        status = status_for(error)
        if status >= 500:
            raise
        observability.logger().info("request refused", extra={"status": status, "code": error.code})
        return json_response(error_body(error), status)
    return _success(spec, outcome)


def _check_ids(path_params: dict[str, str]) -> None:
    """A path segment named ``*_id`` that is not an id (the document's pattern) names nothing: 404."""
    from chalicelib.core.ids import ID_PATTERN

    for name, value in path_params.items():
        if name.endswith("_id") and not re.fullmatch(ID_PATTERN, value):
            raise NotFound(name.removesuffix("_id"), value[:40])


def _principal(spec: RouteSpec, request: Request) -> Principal | None:
    if spec.public:
        return None
    principal = authenticator()(request.headers.get("authorization"))
    if spec.admin:
        principal.require(Role.ADMIN)
    from chalicelib.core import observability

    observability.logger().append_keys(agent_id=principal.agent.id)
    return principal


def _parse_body(spec: RouteSpec, request: Request) -> Any:
    model = spec.model("body")
    if model is None:
        return None
    from pydantic import ValidationError

    raw = request.raw_body or b""
    if len(raw) > MAX_REQUEST_BYTES:
        raise TooLarge(f"the body is {len(raw)} bytes; at most {MAX_REQUEST_BYTES} are accepted", "body")
    if not json_depth_within(raw):
        raise InvalidInput(f"the body nests objects or arrays deeper than {MAX_JSON_DEPTH} levels", "body")
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}", "body") from exc
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", "body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, "body") from exc


def _parse_query(spec: RouteSpec, request: Request) -> Any:
    model = spec.model("query")
    if model is None:
        return None
    from pydantic import ValidationError

    params = dict(request.query_params or {})
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise validation_error(exc, "query") from exc


# What an If-Match header may hold: a version number, quoted as the ETag is, weak or not.
IF_MATCH_PATTERN = r'^(W/)?("[0-9]{1,12}"|[0-9]{1,12})$'


def _version(spec: RouteSpec, request: Request, body: Any, query: Any) -> int | None:
    """The version a write of a versioned resource is based on: the If-Match header, else the ``version`` of
    the body (or, for a delete, of the query). One rule for every versioned resource; If-Match wins."""
    if not spec.versioned:
        return None
    header = request.headers.get("if-match")
    if header is not None:
        value = header.strip()
        if not re.fullmatch(IF_MATCH_PATTERN, value):
            raise InvalidInput("If-Match must be the resource's ETag, a version number", "If-Match")
        return int(value.removeprefix("W/").strip('"'))
    for given in (body, query):
        version = getattr(given, "version", None)
        if version is not None:
            return int(version)
    raise PreconditionRequired("name the version this change is based on: If-Match header or 'version'")


def _success(spec: RouteSpec, outcome: Any) -> Response:
    if isinstance(outcome, Response):
        return outcome
    result = outcome if isinstance(outcome, Result) else Result(outcome)
    status = result.status or spec.status
    if result.body is None:
        return Response(body="", status_code=status, headers=dict(result.headers))
    headers = dict(result.headers)
    if isinstance(result.body, dict):  # the route set its ETag header itself
        return json_response(result.body, status, headers)
    version = etag_version(result.body)
    if version is not None:
        headers.setdefault("ETag", f'"{version}"')
    return json_response(result.body.model_dump(mode="json"), status, headers)


def etag_version(body: BaseModel) -> int | None:
    """The version of the resource a response carries (its ETag): the model's ``etag()``, if it has one."""
    etag = getattr(body, "etag", None)
    version = etag() if callable(etag) else None
    return version if isinstance(version, int) else None


# Errors Chalice produces itself before a view runs, e.g. BadRequestError or UnsupportedMediaType.
_CHALICE_CODES = {
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequestError": "invalid_input",
    "MethodNotAllowedError": "method_not_allowed",
}


def uniform_errors(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: give Chalice's own error responses the Lambdesk error shape."""
    response = get_response(event)
    chalice_error = response.body if isinstance(response.body, dict) else None
    if 400 <= response.status_code < 500 and chalice_error is not None and set(chalice_error) == {"Code", "Message"}:
        code = _CHALICE_CODES.get(chalice_error.get("Code", ""), "invalid_request")
        body: dict[str, Any] = {"code": code, "message": chalice_error.get("Message", "")}
        if code == "unsupported_media_type":
            body["fields"] = [{"field": "Content-Type", "message": "send application/json"}]
        headers = {"Allow": _allowed(event)} if response.status_code == 405 else None
        return json_response({"error": body}, response.status_code, headers)
    return response


def _allowed(request: Request) -> str:
    """The methods a path serves (RFC 9110: a 405 names them)."""
    from chalicelib.http import deferred

    deferred.load_all()  # REGISTRY holds the routes of the modules imported so far
    path = (request.context or {}).get("resourcePath")
    return ", ".join(sorted({spec.method for spec in REGISTRY if spec.path == path}))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    all_headers: dict[str, str | list[str]] = {"Content-Type": JSON, **(headers or {})}
    return Response(body=json.dumps(body, separators=(",", ":")), status_code=status, headers=all_headers)
