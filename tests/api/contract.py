"""The API tier's client: every response it receives is checked against the app's own OpenAPI document.

``Contract`` holds the document (as served by ``GET /openapi.json``) and validates one response: its status
must be declared for the path and method, and its JSON body must match the declared schema (Draft 2020-12,
with ``#/components/schemas`` resolvable through a ``referencing`` registry). Objects may not carry fields
the schema does not name: an undocumented field is a contract break too (a leaked hash, a stray key).

``Api`` wraps ``chalice.test.Client.http``; every request made through it is checked, so every API test is
also a contract test.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:lambdesk:openapi"
_MISSING: Any = object()


class ContractViolation(AssertionError):
    """A response the OpenAPI document does not allow."""


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _closed(node: Any) -> Any:
    """A copy of a schema tree where objects that list their properties allow no others."""
    if isinstance(node, list):
        return [_closed(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _closed(v) if k not in ("properties", "$defs") else {n: _closed(s) for n, s in v.items()}
        for k, v in node.items()
    }
    if "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        closed = copy.deepcopy(document)
        closed["components"]["schemas"] = _closed(closed["components"]["schemas"])
        for operations in closed["paths"].values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    for media in response.get("content", {}).values():
                        if "schema" in media:
                            media["schema"] = _closed(media["schema"])
        self.registry: Registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(closed))
        # Literal segments beat templated ones, as API Gateway routes them.
        self._templates = sorted(
            ((t, re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(t)) + "$")) for t in document["paths"]),
            key=lambda pair: pair[0].count("{"),
        )

    def template_for(self, path: str) -> str | None:
        plain = urlsplit(path).path
        return next((t for t, pattern in self._templates if pattern.match(plain)), None)

    def schema_validator(self, pointer: str) -> Draft202012Validator:
        """A validator for the schema at ``pointer`` inside the (closed) document."""
        return Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#{pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def component(self, name: str) -> Draft202012Validator:
        return self.schema_validator(_pointer("components", "schemas", name))

    def problems(self, method: str, path: str, status: int, headers: dict[str, str], body: bytes) -> list[str]:
        template = self.template_for(path)
        if template is None:
            return [f"{path} is not a documented path"]
        operation = self.document["paths"][template].get(method.lower())
        if operation is None:
            return [f"{method.upper()} {template} is not documented"]
        where = f"{method.upper()} {template} -> {status}"
        response = operation["responses"].get(str(status))
        if response is None:
            return [f"{where}: status not declared (declared: {sorted(operation['responses'])})"]
        content = response.get("content")
        if not content:
            return [f"{where}: the response has a body but declares no content"] if body else []
        media_type = _header(headers, "content-type").split(";")[0].strip()
        if media_type not in content:
            return [f"{where}: content type {media_type!r} not declared ({sorted(content)})"]
        if media_type != "application/json":  # a file (CSV, XLSX): declared as a string, any text or bytes is one
            schema = content[media_type].get("schema", {})
            return [] if schema.get("type") == "string" else [f"{where}: no string schema"]
        try:
            data = json.loads(body)
        except ValueError:
            return [f"{where}: body is not JSON: {body[:200]!r}"]
        pointer = _pointer("paths", template, method.lower(), "responses", str(status), "content", media_type, "schema")
        return [
            f"{where}: {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
            for e in self.schema_validator(pointer).iter_errors(data)
        ]

    def check(self, method: str, path: str, status: int, headers: dict[str, str], body: bytes) -> None:
        found = self.problems(method, path, status, headers, body)
        if found:
            raise ContractViolation("response breaks the OpenAPI document:\n  " + "\n  ".join(found))


def _header(headers: dict[str, str], name: str) -> str:
    return next((str(v) for k, v in headers.items() if k.lower() == name.lower()), "")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str:
        return _header(self.headers, name)

    @property
    def error_code(self) -> str | None:
        code = (self.json or {}).get("error", {}).get("code")
        return str(code) if code is not None else None

    @property
    def error_fields(self) -> list[str]:
        return [f["field"] for f in ((self.json or {}).get("error", {}).get("fields") or [])]


def bearer(credential: Any) -> dict[str, str]:
    """Authorization header for an agent (a dev JWT is minted) or a raw token string."""
    if credential is None:
        return {}
    if isinstance(credential, str):
        return {"Authorization": f"Bearer {credential}"}
    from tests.conftest import make_token

    return {"Authorization": f"Bearer {make_token(credential)}"}


@dataclass
class Api:
    """``chalice.test.Client.http`` with authentication and the contract check on every response."""

    http: Any
    contract: Contract
    auth: dict[str, str] = field(default_factory=dict)
    seen: list[tuple[str, str, int]] = field(default_factory=list)

    def as_(self, credential: Any) -> Api:
        return Api(self.http, self.contract, bearer(credential), self.seen)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = _MISSING,
        raw: bytes | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {**self.auth, **(headers or {})}
        body = b""
        if json_body is not _MISSING:
            body = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        elif raw is not None:
            body = raw
            sent.setdefault("Content-Type", "application/json")
        if query:
            path = f"{path}?{urlencode({k: _query_value(v) for k, v in query.items() if v is not None})}"
        response = self.http.request(method, path, headers=sent, body=body)
        reply = Reply(response.status_code, dict(response.headers), response.body or b"")
        self.contract.check(method, path, reply.status, reply.headers, reply.body)
        self.seen.append((method.upper(), urlsplit(path).path, reply.status))
        return reply

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = _MISSING, **kwargs: Any) -> Reply:
        return self.request("POST", path, json_body=json, **kwargs)

    def patch(self, path: str, json: Any = _MISSING, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, json_body=json, **kwargs)

    def put(self, path: str, json: Any = _MISSING, **kwargs: Any) -> Reply:
        return self.request("PUT", path, json_body=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
