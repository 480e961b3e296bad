"""Portal pages: the home page, signing in (mail link or code) and out, the profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.portal.pages import (
    HOME,
    LOGIN,
    SIGN_IN_COOKIE,
    SIGN_IN_COOKIE_SECONDS,
    Visitor,
    checked_form,
    client_ip,
    deps,
    render,
    sign_in_first,
    signed_in,
    signed_out,
    visitor,
)
from chalicelib.web.cookies import get_cookie, set_cookie
from chalicelib.web.routes import safe_next
from chalicelib.web.views import PageRequest, flash_cookie, page_route

if TYPE_CHECKING:
    from chalicelib.domain.people import Customer

bp = Blueprint(__name__)
CODE_PAGE = "/portal/login/code"
PROFILE = "/portal/profile"


@page_route(bp, HOME, name="portal_home")
def home(request: PageRequest) -> Response:
    who = visitor(request)
    if who is None:
        from chalicelib.core.settings import get_settings

        context = {"support_address": get_settings().support_address}
        return render(request, "portal/home.html", context, None, personal=False, forms=False)
    from chalicelib.portal.rules import Scope, StatusFilter

    tickets = deps().portal.listed(who.customer, Scope.MINE, StatusFilter.OPEN)
    return render(request, "portal/dashboard.html", {"tickets": tickets[:10], "open_count": len(tickets)}, who)


@page_route(bp, LOGIN, name="portal_login")
def login(request: PageRequest) -> Response:
    if visitor(request) is not None:
        return request.redirect(safe_next(request.query("next")))
    context = {"next": safe_next(request.query("next")), "errors": {}, "email": ""}
    return render(request, "portal/login.html", context, None)


@page_route(bp, LOGIN, "POST", name="portal_login_send", form=True)
def send_sign_in(request: PageRequest) -> Response:
    from chalicelib.portal.forms import email_address, localized
    from chalicelib.web.forms import FormError

    form = checked_form(request, None)
    next_path = safe_next(form.get("next"))
    try:
        email = email_address(form)
    except FormError as error:
        context = {"next": next_path, "errors": localized(error, request.locale), "email": form.get("email") or ""}
        return render(request, "portal/login.html", context, None, status=400)
    attempt = deps().accounts.request_sign_in(email, client_ip(request), request.locale)
    cookie = set_cookie(SIGN_IN_COOKIE, attempt, max_age=SIGN_IN_COOKIE_SECONDS)
    return request.redirect(f"{CODE_PAGE}?next={next_path}", cookies=[cookie])


@page_route(bp, CODE_PAGE, name="portal_login_code")
def code_page(request: PageRequest) -> Response:
    context = {"next": safe_next(request.query("next")), "errors": {}, "asked": _attempt(request) is not None}
    return render(request, "portal/login_code.html", context, None)


@page_route(bp, CODE_PAGE, "POST", name="portal_login_with_code", form=True)
def sign_in_with_code(request: PageRequest) -> Response:
    from chalicelib.access.signins import SignInRefused
    from chalicelib.access.tokens import normal_code
    from chalicelib.portal.forms import code_text, refusal_text

    form = checked_form(request, None)
    next_path = safe_next(form.get("next"))
    code = normal_code(form.get("code"))
    try:
        if code is None:
            return _code_page(request, next_path, code_text(request.locale))
        started = deps().accounts.sign_in_with_code(_attempt(request), code, client_ip(request))
    except SignInRefused as refused:
        return _code_page(request, next_path, refusal_text(refused, request.locale))
    return signed_in(request, started, next_path)


def _code_page(request: PageRequest, next_path: str, error: str) -> Response:
    context = {"next": next_path, "errors": {"code": error}, "asked": _attempt(request) is not None}
    return render(request, "portal/login_code.html", context, None, status=400)


@page_route(bp, "/portal/login/link/{token}", name="portal_login_link")
def link_page(request: PageRequest, token: str) -> Response:
    """A mail scanner may open this: it shows a button and consumes nothing."""
    attempt = deps().accounts.signins.pending(token)
    if attempt is None:
        return render(request, "portal/login_link.html", {"email": None}, None, status=410)
    return render(request, "portal/login_link.html", {"email": _masked(attempt.email), "token": token}, None)


@page_route(bp, "/portal/login/link/{token}", "POST", name="portal_login_with_link", form=True)
def sign_in_with_link(request: PageRequest, token: str) -> Response:
    from chalicelib.access.signins import SignInRefused

    checked_form(request, None)
    try:
        started = deps().accounts.sign_in_with_link(token)
    except SignInRefused:
        return render(request, "portal/login_link.html", {"email": None}, None, status=410)
    return signed_in(request, started, HOME)


@page_route(bp, "/portal/logout", "POST", name="portal_logout", form=True)
def sign_out(request: PageRequest) -> Response:
    who = visitor(request)
    if who is not None:
        checked_form(request, who)
        deps().sessions.end(who.session)
    return signed_out(request, "signed_out")


@page_route(bp, PROFILE, name="portal_profile")
def profile(request: PageRequest) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    return _profile_page(request, who, who.customer, {})


@page_route(bp, PROFILE, "POST", name="portal_profile_save", form=True)
def save_profile(request: PageRequest) -> Response:
    from dataclasses import replace

    from chalicelib.portal.forms import localized, profile_of
    from chalicelib.web.forms import FormError

    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    form = checked_form(request, who)
    try:
        wanted = profile_of(form)
    except FormError as error:
        typed = replace(who.customer, name=form.get("name") or "")
        return _profile_page(request, who, typed, localized(error, request.locale), status=400)
    deps().portal.update_profile(who.customer, wanted)
    return request.redirect(PROFILE, cookies=[flash_cookie("profile_saved")])


@page_route(bp, "/portal/profile/sign-out-everywhere", "POST", name="portal_sign_out_everywhere", form=True)
def sign_out_everywhere(request: PageRequest) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    checked_form(request, who)
    deps().sessions.end_everywhere(who.session)
    return signed_out(request, "signed_out_everywhere")


# -- helpers -----------------------------------------------------------------------------------------


def _attempt(request: PageRequest) -> str | None:
    return get_cookie(request.cookies, SIGN_IN_COOKIE)


def _masked(email: str) -> str:
    """``m•••@example.com``: enough to recognise one's address on a shared screen, not to read it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _profile_page(
    request: PageRequest, who: Visitor, shown: Customer, errors: dict[str, str], status: int = 200
) -> Response:
    from chalicelib.core.errors import NotFound
    from chalicelib.domain.people import IdentityKind
    from chalicelib.portal.forms import profile_choices

    organization = None
    if shown.organization_id:
        try:
            organization = deps().customers.get_organization(shown.organization_id).name
        except NotFound:
            organization = None
    emails = [i.value for i in shown.identities if i.kind is IdentityKind.EMAIL]
    context = {"errors": errors, "profile": shown, "emails": emails, "organization": organization, **profile_choices()}
    return render(request, "portal/profile.html", context, who, status=status)
