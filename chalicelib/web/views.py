"""Page routes: the request as a page sees it, and domain errors turned into HTML error pages.

``page_route`` is the HTML counterpart of the API's ``endpoint``: it registers the route (form posts with
the url-encoded content type), builds a ``PageRequest`` (cookies, negotiated language, the stage prefix) and
renders any ``DomainError`` as an error page with the right status. Page routes are listed in ``PAGES``;
they are not part of the agent API's OpenAPI document. Rendering (Jinja2, Babel) loads at the first page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response  # type: ignore[attr-defined]
from chalice.app import Request

from chalicelib.core.errors import DomainError
from chalicelib.web import i18n
from chalicelib.web.cookies import clear_cookie, get_cookie, read_cookies, set_cookie
from chalicelib.web.forms import FORM_CONTENT_TYPE, Form, parse_form

LANG_COOKIE = "lang"
LANG_MAX_AGE = 365 * 24 * 3600
# The browser's time zone, as portal.js reads it (``Intl``) and writes it, ``/`` spelled ``~`` (a cookie value).
TZ_COOKIE = "tz"
FLASH_COOKIE = "flash"
FLASH_MAX_AGE = 120


@dataclass(frozen=True)
class PageSpec:
    path: str
    method: str
    name: str


PAGES: list[PageSpec] = []


@dataclass(frozen=True)
class PageRequest:
    request: Request
    cookies: dict[str, str]
    locale: str
    base_path: str
    path: str
    flash: str | None = None
    extra_headers: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, request: Request, params: Mapping[str, str]) -> PageRequest:
        cookies = read_cookies(request.headers.get("cookie"))
        locale = i18n.negotiate(
            cookie=get_cookie(cookies, LANG_COOKIE), accept_language=request.headers.get("accept-language")
        )
        path = _concrete_path(request.path, params)
        return cls(request, cookies, locale, _base_path(request, path), path, get_cookie(cookies, FLASH_COOKIE))

    def url(self, path: str) -> str:
        return self.base_path + path

    def query(self, name: str) -> str | None:
        params = self.request.query_params
        return params.get(name) if params else None

    def form(self) -> Form:
        raw = self.request.raw_body
        body = raw if isinstance(raw, bytes) else raw.encode()
        return parse_form(body, self.request.headers.get("content-type"))

    def context(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The layout's context for this request, plus the page's own ``extra``."""
        from chalicelib.web import messages

        shown = messages.flash_message(self.flash, self.locale)
        return {
            "base_path": self.base_path,
            "current_path": self.path,
            "messages": [shown] if shown else [],
            **(extra or {}),
        }

    def page(
        self,
        template: str,
        extra: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        cookies: list[str] | None = None,
        personal: bool = True,
        form_origins: tuple[str, ...] = (),
    ) -> Response:
        """Render ``template`` in this request's language; a shown flash message is cleared. ``form_origins``:
        origins the page's forms may post to besides this site (CSP ``form-action``)."""
        from chalicelib.web.rendering import page

        set_cookies = list(cookies or [])
        if self.flash:
            set_cookies.append(clear_cookie(FLASH_COOKIE))
        headers: dict[str, str | list[str]] = {"Set-Cookie": set_cookies} if set_cookies else {}
        context = self.context(extra)
        return page(
            template,
            context,
            locale=self.locale,
            status=status,
            headers=headers,
            personal=personal,
            form_origins=form_origins,
        )

    def redirect(self, path: str, *, status: int = 303, cookies: list[str] | None = None) -> Response:
        headers: dict[str, str | list[str]] = {"Location": self.url(path), "Cache-Control": "no-store"}
        if cookies:
            headers["Set-Cookie"] = list(cookies)
        return Response(body="", status_code=status, headers=headers)


def flash_cookie(key: str) -> str:
    """A ``Set-Cookie`` value that shows the message ``key`` (of ``messages.FLASH``) on the next page."""
    return set_cookie(FLASH_COOKIE, key, max_age=FLASH_MAX_AGE)


def _concrete_path(route: str, params: Mapping[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: params.get(m.group(1), m.group(0)), route)


def _base_path(request: Request, concrete: str) -> str:
    """API Gateway's stage prefix ('/api' on an execute-api URL): the full path less the route's path."""
    full = str(request.context.get("path") or concrete)
    if concrete == "/":
        return full.rstrip("/")
    return full[: -len(concrete)].rstrip("/") if full.endswith(concrete) else ""


def page_route(
    bp: Blueprint, path: str, method: str = "GET", *, name: str, form: bool = False
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register ``view(request: PageRequest, **path_params) -> Response`` as a page route on ``bp``."""

    def decorator(view: Callable[..., Response]) -> Callable[..., Response]:
        PAGES.append(PageSpec(path, method, name))

        @functools.wraps(view)
        def handler(**params: str) -> Response:
            request = PageRequest.of(bp.current_request, params)
            try:
                return view(request, **params)
            except DomainError as error:
                from chalicelib.web.messages import error_page

                return error_page(request, error)

        options: dict[str, Any] = {"content_types": [FORM_CONTENT_TYPE]} if form else {}
        bp.route(path, methods=[method], **options)(handler)
        return view

    return decorator


def browser_zone(cookies: dict[str, str]) -> str | None:
    """The time zone the browser said it is in (``TZ_COOKIE``), when it is one this Python knows."""
    value = get_cookie(cookies, TZ_COOKIE)
    if not value or not re.fullmatch(r"[A-Za-z]+(~[A-Za-z0-9_-]+){1,2}", value):
        return None
    from chalicelib.web.formatting import zone

    name = value.replace("~", "/")
    try:
        zone(name)
    except ValueError:
        return None
    return name
