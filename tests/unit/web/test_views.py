"""What a page route sees: the stage prefix of API Gateway URLs, safe redirects after the switcher."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.web.routes import safe_next
from chalicelib.web.views import PageRequest


def request(resource: str, path: str | None, cookie: str = "", accept: str = "") -> Any:
    context = {"resourcePath": resource, **({"path": path} if path is not None else {})}
    headers = {"cookie": cookie, "accept-language": accept}
    return SimpleNamespace(path=resource, context=context, headers=headers, query_params=None)


@pytest.mark.parametrize(
    ("resource", "params", "full", "base", "concrete"),
    [
        ("/portal", {}, "/api/portal", "/api", "/portal"),  # execute-api URL: the stage is in the path
        ("/portal", {}, "/portal", "", "/portal"),  # custom domain, chalice local
        ("/", {}, "/api/", "/api", "/"),
        ("/", {}, "/", "", "/"),
        ("/portal/static/{name}", {"name": "a.css"}, "/api/portal/static/a.css", "/api", "/portal/static/a.css"),
        ("/portal", {}, None, "", "/portal"),  # the test client sends no path
        ("/portal/static/{name}", {"name": "a/b"}, "/api/portal/static/a%2Fb", "", "/portal/static/a/b"),
    ],
)
def test_the_stage_prefix_is_what_the_full_path_adds_to_the_route(
    resource: str, params: dict[str, str], full: str | None, base: str, concrete: str
) -> None:
    page = PageRequest.of(request(resource, full), params)
    assert (page.base_path, page.path) == (base, concrete)
    assert page.url("/portal") == base + "/portal"


def test_the_language_comes_from_the_cookie_before_the_browser(https: None) -> None:
    page = PageRequest.of(request("/portal", None, cookie="__Host-lang=ru", accept="en"), {})
    assert page.locale == "ru"
    assert PageRequest.of(request("/portal", None, accept="ru-RU,en;q=0.5"), {}).locale == "ru"
    assert PageRequest.of(request("/portal", None), {}).locale == "en"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/portal/tickets/12?tab=all", "/portal/tickets/12?tab=all"),
        ("/portal", "/portal"),
        (None, "/portal"),
        ("https://evil.example/portal", "/portal"),
        ("//evil.example/portal", "/portal"),
        ("/portal//evil.example", "/portal"),
        ("/portal\\..\\x", "/portal"),
        ("/v1/tickets", "/portal"),
        ("/portal/language?lang=ru", "/portal"),
        ("/portal/\r\nSet-Cookie: x=1", "/portal"),
        ("/portal/é", "/portal"),
    ],
)
def test_after_switching_language_only_portal_pages_are_returned_to(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
