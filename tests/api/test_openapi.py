"""The OpenAPI document matches the routes Chalice serves, is valid 3.1, and the contract check can fail."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.contract import Api, Contract, ContractViolation

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
PUBLIC = {("GET", "/health"), ("GET", "/openapi.json")}
# The knowledge base's reader side: customers search and read without signing in (docs/decisions/050).
PUBLIC |= {
    ("GET", "/v1/kb/search"),
    ("GET", "/v1/kb/suggest"),
    ("GET", "/v1/kb/categories"),
    ("GET", "/v1/kb/published/{slug}"),
    ("POST", "/v1/kb/articles/{article_id}/votes"),
    ("POST", "/v1/kb/deflections"),
    ("POST", "/v1/kb/clicks"),
    ("GET", "/v1/kb/solve-links/{token}"),
    ("POST", "/v1/kb/solve-links/{token}"),
}
# The chat's customer side needs no token (a conversation's own routes check its resume token instead).
CHAT_PUBLIC = {
    ("GET", "/v1/chat/availability"),
    ("POST", "/v1/chat/conversations"),
    ("POST", "/v1/chat/conversations/{conversation_id}/connect"),
    ("GET", "/v1/chat/conversations/{conversation_id}/events"),
    ("POST", "/v1/chat/conversations/{conversation_id}/messages"),
    ("POST", "/v1/chat/conversations/{conversation_id}/end"),
    ("POST", "/v1/chat/conversations/{conversation_id}/transcript"),
}
PUBLIC |= CHAT_PUBLIC
SOME_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def chalice_operations() -> set[tuple[str, str]]:
    """The API's routes: every route Chalice serves except the catch-all for unknown paths
    (``chalicelib/http/meta.py``) and the web pages (``chalicelib.web.views.PAGES``)."""
    from app import app
    from chalicelib.http.meta import CATCH_ALL_PATHS

    routes = app.routes.items()
    served = {(method.upper(), path) for path, entries in routes if path not in CATCH_ALL_PATHS for method in entries}
    return served - page_operations()


def page_operations() -> set[tuple[str, str]]:
    from chalicelib.http import deferred
    from chalicelib.web.views import PAGES

    deferred.load_all()  # PAGES lists the pages of the route modules imported so far
    return {(page.method, page.path) for page in PAGES}


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m.upper(), path) for path, ops in document["paths"].items() for m in ops if m in METHODS}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in document["paths"].items() for m, op in ops.items() if m in METHODS]


# -- the document and the route table agree ----------------------------------------------------------


def test_every_chalice_route_is_in_the_document(openapi_document: dict[str, Any]) -> None:
    missing = chalice_operations() - documented_operations(openapi_document)
    assert not missing, f"routes served but not documented: {sorted(missing)}"


def test_every_documented_operation_is_a_chalice_route(openapi_document: dict[str, Any]) -> None:
    phantom = documented_operations(openapi_document) - chalice_operations()
    assert not phantom, f"documented but not served: {sorted(phantom)}"


def test_web_pages_are_kept_out_of_the_api_document_and_live_under_the_portal(
    openapi_document: dict[str, Any],
) -> None:
    from app import app

    pages = page_operations()
    served = {(method.upper(), path) for path, entries in app.routes.items() for method in entries}
    assert ("GET", "/portal") in pages and pages <= served
    assert pages.isdisjoint(documented_operations(openapi_document))
    # Only the site root and /portal/... may be pages: an API route cannot hide from the document as one.
    assert {path for _, path in pages if path != "/" and not path.startswith("/portal")} == set()


def test_operation_ids_are_unique(openapi_document: dict[str, Any]) -> None:
    ids = Counter(op.get("operationId") for _, _, op in operations(openapi_document))
    assert None not in ids
    assert [name for name, n in ids.items() if n > 1] == []


# -- structure -------------------------------------------------------------------------------------


def test_document_is_a_structurally_valid_openapi_3_1_document(openapi_document: dict[str, Any]) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    doc = openapi_document
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["paths"]
    for method, path, op in operations(doc):
        assert op["responses"], f"{method} {path} declares no responses"
        assert all("description" in r for r in op["responses"].values()), f"{method} {path}"
        templated = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert templated == declared, f"{method} {path}: path parameters {declared} != {templated}"
        assert all(p["required"] for p in op.get("parameters", []) if p["in"] == "path")
    try:
        validate(doc)
    except OpenAPIValidationError as exc:
        pytest.fail(f"not a valid OpenAPI 3.1 document: {exc}")


def test_every_schema_is_valid_draft_2020_12_and_every_ref_resolves(openapi_document: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    for schema in openapi_document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    refs = re.findall(r'"\$ref": ?"([^"]+)"', json.dumps(openapi_document))
    assert refs, "no $ref found: the pattern is wrong"
    dangling = {
        r for r in refs if r.removeprefix("#/components/schemas/") not in openapi_document["components"]["schemas"]
    }
    assert dangling == set()


def test_only_health_the_openapi_document_the_kb_reader_side_and_the_chats_customer_side_are_public(
    openapi_document: dict[str, Any],
) -> None:
    assert openapi_document["security"] == [{"bearer": []}]
    public = {(m, p) for m, p, op in operations(openapi_document) if op.get("security") == []}
    assert public == PUBLIC


def test_health_answers_without_credentials(api: Api) -> None:
    health = api.get("/health")
    assert (health.status, health.json) == (200, {"status": "ok", "stage": "test"})


def test_the_openapi_route_serves_the_document_and_declares_its_json_body(
    api: Api, openapi_document: dict[str, Any]
) -> None:
    # Served without credentials; the 200 must declare application/json content, or the contract check
    # cannot cover the one response every client generator reads.
    reply = api.get("/openapi.json")
    assert reply.status == 200
    assert reply.json == openapi_document


def test_every_other_route_refuses_a_request_without_credentials(api: Api, openapi_document: dict[str, Any]) -> None:
    refused = []
    for method, path, _ in operations(openapi_document):
        if (method, path) in PUBLIC:
            continue
        reply = api.request(method, re.sub(r"{\w+}", SOME_ID, path), json_body={})
        refused.append((method, path, reply.status, reply.error_code))
    assert refused, "no protected routes"
    assert {(s, c) for _, _, s, c in refused} == {(401, "unauthenticated")}, refused


def test_a_response_echoes_the_callers_correlation_id(api: Api, agent: Any) -> None:
    reply = api.as_(agent).get("/v1/me", headers={"X-Correlation-Id": "trace-123"})
    assert (reply.status, reply.header("X-Correlation-Id")) == (200, "trace-123")


# -- the contract check itself ----------------------------------------------------------------------


def agent_body() -> dict[str, Any]:
    return {
        "id": SOME_ID,
        "email": "ada@example.com",
        "name": "Ada",
        "role": "admin",
        "teams": [],
        "skills": [],
        "capacity": 20,
        "availability": "online",
        "time_zone": "UTC",
        "active": True,
        "working_hours": {"mon": [["09:00", "17:00"]]},
        "created_at": "2026-11-02T09:00:00Z",
        "version": 1,
    }


def check(contract: Contract, body: Any, status: int = 200, path: str = "/v1/me") -> list[str]:
    return contract.problems("GET", path, status, {"Content-Type": "application/json"}, json.dumps(body).encode())


def test_contract_check_accepts_a_body_that_matches_the_schema(contract: Contract) -> None:
    assert check(contract, agent_body()) == []


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda b: b.pop("email"), "'email' is a required property"),
        (lambda b: b.update(role="superuser"), "'superuser' is not one of"),
        (lambda b: b.update(version="1"), "'1' is not of type 'integer'"),
        (lambda b: b.update(created_at="yesterday"), "is not a 'date-time'"),
        (lambda b: b.update(token_hash="abc"), "Additional properties are not allowed ('token_hash'"),
    ],
    ids=["missing-field", "bad-enum", "wrong-type", "bad-date-time", "undocumented-field"],
)
def test_contract_check_rejects_a_body_that_breaks_the_schema(contract: Contract, breakage: Any, expected: str) -> None:
    body = agent_body()
    breakage(body)
    problems = check(contract, body)
    assert problems and expected in problems[0], problems


def test_contract_check_rejects_an_undeclared_status_and_an_undocumented_path(contract: Contract) -> None:
    assert "status not declared" in check(contract, agent_body(), status=418)[0]
    assert "not a documented path" in check(contract, agent_body(), path="/v1/nowhere")[0]
    assert "not documented" in contract.problems("PUT", "/v1/me", 200, {}, b"")[0]


def test_contract_check_rejects_a_body_on_a_response_that_declares_none(contract: Contract) -> None:
    path = f"/v1/webhooks/{SOME_ID}"
    assert contract.problems("DELETE", path, 204, {}, b"") == []
    assert "declares no content" in contract.problems("DELETE", path, 204, {}, b'{"ok":true}')[0]


def test_error_bodies_are_checked_against_the_error_schema(contract: Contract) -> None:
    assert check(contract, {"error": {"code": "not_found", "message": "no"}}, status=404) == []
    assert check(contract, {"code": "not_found", "message": "no"}, status=404) != []


@dataclass
class CannedResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes


class WrongBodyHttp:
    """A stand-in for ``Client.http`` that answers every request with a body the document does not allow."""

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> CannedResponse:
        return CannedResponse(200, {"Content-Type": "application/json"}, b'{"id": 7}')


def test_every_request_through_the_api_helper_fails_on_a_response_that_breaks_the_contract(
    contract: Contract,
) -> None:
    with pytest.raises(ContractViolation, match="'email' is a required property"):
        Api(WrongBodyHttp(), contract).get("/v1/me")
