"""Public pages (no token): the site root, the language switcher, static assets.

The portal's home page (``/portal``) is the portal slice's (``chalicelib.portal.routes_account``). Importing
this module imports neither Jinja2 nor Babel (``tests/unit/test_cold_start.py``).
"""

from __future__ import annotations

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.core.errors import NotFound
from chalicelib.web import i18n, static
from chalicelib.web.cookies import set_cookie
from chalicelib.web.forms import NOT_ONE_OF, FormError, problem
from chalicelib.web.views import LANG_COOKIE, LANG_MAX_AGE, PageRequest, flash_cookie, page_route

bp = Blueprint(__name__)
HOME = "/portal"
LANGUAGE = "/portal/language"


@page_route(bp, "/", name="root")
def root(request: PageRequest) -> Response:
    return request.redirect(HOME, status=302)


@page_route(bp, LANGUAGE, name="choose_language")
def choose_language(request: PageRequest) -> Response:
    """A plain link (works without JavaScript): remember the language, go back to the page it was chosen on."""
    code = i18n.supported(request.query("lang"))
    if code is None:
        raise FormError([problem("lang", NOT_ONE_OF)])
    cookies = [set_cookie(LANG_COOKIE, code, max_age=LANG_MAX_AGE), flash_cookie("language_changed")]
    return request.redirect(safe_next(request.query("next")), cookies=cookies)


def safe_next(target: str | None) -> str:
    """``target`` if it is a path of this site's portal, else the portal home (no open redirect)."""
    if not target or not target.startswith(HOME) or "//" in target or "\\" in target:
        return HOME
    if target.startswith(LANGUAGE):
        return HOME
    if not target.isascii() or not target.isprintable():
        return HOME
    return target


@page_route(bp, "/portal/static/{name}", name="static_asset")
def static_asset(request: PageRequest, name: str) -> Response:
    found = static.find(name)
    if found is None:
        raise NotFound("asset", name)
    headers: dict[str, str | list[str]] = {
        "Content-Type": found.content_type,
        "Cache-Control": static.CACHE_FOREVER,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body=found.body, status_code=200, headers=headers)
