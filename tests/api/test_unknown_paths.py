"""A path no route declares answers 404 in the API's error shape, not API Gateway's 403."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib.http.meta import CATCH_ALL_DEPTH, CATCH_ALL_PATHS
from tests.conftest import make_token

SOME_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def raw(client: Any, method: str, path: str, token: str | None = None) -> tuple[int, str, Any]:
    """Straight through the Chalice client: the contract-checked helper refuses undocumented paths."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    response = client.http.request(method, path, headers=headers, body=b"{}" if method != "GET" else b"")
    return response.status_code, response.headers.get("Content-Type", ""), json.loads(response.body or b"null")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("GET", "/v1/nope"),
        ("POST", "/v2/tickets"),
        ("DELETE", "/v1/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV/nope"),
        ("PATCH", "/v1/agents/x/tokens/y/z"),
        ("PUT", "/a/b/c/d/e/f/g/h"),
    ],
)
def test_an_unknown_path_answers_404_naming_the_method_and_path(client: Any, method: str, path: str) -> None:
    status, content_type, body = raw(client, method, path)
    assert (status, content_type) == (404, "application/json")
    assert body == {"error": {"code": "not_found", "message": f"route {method} {path} not found"}}


def test_an_unknown_path_answers_404_with_or_without_credentials(client: Any, agent: Any) -> None:
    assert raw(client, "GET", "/v1/nope", make_token(agent))[0] == 404
    assert raw(client, "GET", "/v1/nope")[0] == 404


def test_real_routes_are_not_shadowed(client: Any, agent: Any) -> None:
    assert raw(client, "GET", "/health")[0] == 200
    assert raw(client, "GET", "/openapi.json")[2]["openapi"].startswith("3.1")
    assert raw(client, "GET", "/v1/tickets")[2]["error"]["code"] == "unauthenticated"
    status, _, body = raw(client, "GET", f"/v1/tickets/{SOME_ID}", make_token(agent))
    # The ticket route answered (an unknown id), not the catch-all (an unknown route).
    assert status == 404 and body["error"]["message"] != f"route GET /v1/tickets/{SOME_ID} not found"


def test_every_documented_path_reaches_its_own_route(client: Any, openapi_document: dict[str, Any]) -> None:
    # Without credentials every documented operation answers from its own route: 401 where it needs
    # credentials; a public one (no security in the document) answers as it will, never the catch-all's 404.
    answers = {}
    for path, operations in openapi_document["paths"].items():
        for method, operation in operations.items():
            status, _, body = raw(client, method.upper(), re.sub(r"{\w+}", SOME_ID, path))
            answers[(method.upper(), path)] = (status, operation.get("security") == [])
            assert not (status == 404 and body["error"]["message"].startswith("route ")), (method, path)
    assert answers and all(status in {200, 401} for status, public in answers.values() if not public), answers


def test_the_catch_all_routes_are_not_in_the_openapi_document(openapi_document: dict[str, Any]) -> None:
    assert not set(CATCH_ALL_PATHS) & set(openapi_document["paths"])


def test_the_catch_all_is_deeper_than_every_real_route(openapi_document: dict[str, Any]) -> None:
    deepest = max(path.count("/") for path in openapi_document["paths"])
    assert deepest + 2 <= CATCH_ALL_DEPTH
