"""What every portal page shares: its dependencies, who is visiting, the page language and time zone, CSRF, and
how a page is rendered. The route modules (``routes_*``) are built on it.

Importing this module imports neither Jinja2 nor Babel nor the services (app.py imports the route modules).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chalicelib.core.errors import NotFound
from chalicelib.core.providers import Provider
from chalicelib.portal import flash as _flash  # noqa: F401  (every portal page shows the portal's flash messages)
from chalicelib.web import i18n
from chalicelib.web.cookies import clear_cookie, get_cookie, set_cookie
from chalicelib.web.csrf import PRESESSION_COOKIE, check_csrf, issue_token, presession
from chalicelib.web.rendering import add_templates
from chalicelib.web.views import LANG_COOKIE, PageRequest, browser_zone, flash_cookie

if TYPE_CHECKING:
    from chalice import Response  # type: ignore[attr-defined]

    from chalicelib.access.links import TicketLinks
    from chalicelib.access.sessions import Sessions, Started
    from chalicelib.domain.access import Session
    from chalicelib.domain.people import Customer
    from chalicelib.people.customers import CustomerService
    from chalicelib.portal.accounts import Accounts
    from chalicelib.portal.service import PortalService
    from chalicelib.portal.uploads import Uploads
    from chalicelib.web.forms import Form

HOME = "/portal"
LOGIN = "/portal/login"
SESSION_COOKIE = "session"
SIGN_IN_COOKIE = "signin"
SIGN_IN_COOKIE_SECONDS = 15 * 60
SESSION_COOKIE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Needs:
    portal: PortalService
    accounts: Accounts
    sessions: Sessions
    links: TicketLinks
    uploads: Uploads
    customers: CustomerService
    signing_key: bytes
    portal_url: str | None


deps: Provider[Needs] = Provider("portal.routes")
add_templates(Path(__file__).parent / "templates")  # pages find "portal/<name>.html"


@dataclass(frozen=True)
class Visitor:
    """A signed-in customer and their session."""

    customer: Customer
    session: Session

    @property
    def binding(self) -> str:
        """What this browser's forms and uploads are bound to."""
        return f"session:{self.session.id_hash}"


def visitor(request: PageRequest) -> Visitor | None:
    """The signed-in customer, if the session cookie proves one."""
    token = get_cookie(request.cookies, SESSION_COOKIE)
    if token is None:
        return None
    needs = deps()
    session = needs.sessions.resume(token)
    if session is None:
        return None
    try:
        return Visitor(needs.customers.get(session.customer_id), session)
    except NotFound:
        return None


def localized(request: PageRequest, customer: Customer | None) -> PageRequest:
    """The page language: the switcher's cookie, else the customer's profile, else the browser's."""
    if customer is None or not customer.locale or get_cookie(request.cookies, LANG_COOKIE):
        return request
    return replace(request, locale=i18n.supported(customer.locale) or request.locale)


def sign_in_first(request: PageRequest) -> Response:
    """Anonymous on a page that needs a customer: to the sign-in page, and back here afterwards."""
    return request.redirect(f"{LOGIN}?next={quote(request.path, safe='/')}")


def client_ip(request: PageRequest) -> str:
    identity = request.request.context.get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def site_url(request: PageRequest) -> str:
    """This site's base URL: the configured portal URL, else what the request reached (for S3's redirects)."""
    configured = deps().portal_url
    if configured:
        return configured
    from chalicelib.web.cookies import plain_http

    host = request.request.headers.get("host") or "localhost"
    return f"{'http' if plain_http() else 'https'}://{host}{request.base_path}"


def binding_of(request: PageRequest, who: Visitor | None) -> tuple[str, str | None]:
    """``(CSRF binding, Set-Cookie)``: the session when signed in, else the pre-session cookie (set if new)."""
    if who is not None:
        return who.binding, None
    return presession(request.cookies)


def checked_form(request: PageRequest, who: Visitor | None) -> Form:
    """The posted form, refused (403 page) unless its CSRF token was issued to this browser."""
    form = request.form()
    binding = who.binding if who is not None else get_cookie(request.cookies, PRESESSION_COOKIE)
    check_csrf(form, binding, deps().signing_key)
    return form


def render(
    request: PageRequest,
    template: str,
    context: dict[str, Any],
    who: Visitor | None,
    *,
    status: int = 200,
    cookies: list[str] | None = None,
    form_origins: tuple[str, ...] = (),
    personal: bool = True,
    forms: bool = True,
) -> Response:
    """A portal page: the visitor, a fresh CSRF token, the customer's time zone and language. A page of an
    anonymous visitor without forms (``forms=False``) sets no pre-session cookie."""
    binding, new_cookie = binding_of(request, who) if who is not None or forms else ("", None)
    customer = who.customer if who else None
    browsers = browser_zone(request.cookies)
    shown = {
        "visitor": customer,
        "csrf_token": issue_token(deps().signing_key, binding) if binding else "",
        # The profile's zone, else the browser's (portal.js tells it), else UTC.
        "timezone": (customer.time_zone if customer else None) or browsers or "UTC",
        "browser_zone": browsers,
        **context,
    }
    all_cookies = [*(cookies or []), *([new_cookie] if new_cookie else [])]
    return localized(request, customer).page(
        template, shown, status=status, cookies=all_cookies, form_origins=form_origins, personal=personal
    )


def signed_in(request: PageRequest, started: Started, next_path: str) -> Response:
    """After a sign-in: the session cookie, the attempt cookie gone, on to the page the customer wanted."""
    cookies = [
        set_cookie(SESSION_COOKIE, started.token, max_age=SESSION_COOKIE_SECONDS),
        clear_cookie(SIGN_IN_COOKIE),
        flash_cookie("signed_in"),
    ]
    return request.redirect(next_path, cookies=cookies)


def signed_out(request: PageRequest, flash: str) -> Response:
    return request.redirect(HOME, cookies=[clear_cookie(SESSION_COOKIE), flash_cookie(flash)])
