"""Portal pages of a signed-in customer: their requests (and a manager's organization's), a new request, one
request with its conversation, replying, solving, reopening, and downloading its files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.core.errors import NotFound
from chalicelib.core.ids import new_id
from chalicelib.portal.pages import checked_form, deps, render, sign_in_first, visitor
from chalicelib.portal.routes_kb import asked
from chalicelib.portal.ticket_page import Draft, Place, attached, download, ticket_page, upload_box
from chalicelib.web.views import PageRequest, flash_cookie, page_route

if TYPE_CHECKING:
    from chalicelib.portal.pages import Visitor
    from chalicelib.portal.service import Opened
    from chalicelib.portal.uploads import FileRef

bp = Blueprint(__name__)
TICKETS = "/portal/tickets"
NEW = "/portal/tickets/new"
ONE = "/portal/tickets/{number}"


@page_route(bp, TICKETS, name="portal_tickets")
def tickets(request: PageRequest) -> Response:
    from chalicelib.portal import rules

    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    scopes = rules.scopes(who.customer)
    scope = next((s for s in scopes if s == request.query("scope")), rules.Scope.MINE)
    status = next((s for s in rules.StatusFilter if s == request.query("status")), rules.StatusFilter.OPEN)
    query = (request.query("q") or "").strip()[:100]
    found = deps().portal.listed(who.customer, scope, status, query)
    context = {"tickets": found, "scopes": scopes, "scope": scope, "status": status, "q": query}
    return render(request, "portal/tickets.html", context, who)


@page_route(bp, NEW, name="portal_new_ticket")
def new_ticket(request: PageRequest) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    files, errors = attached(request, who.binding)
    return _new_page(request, who, {}, files, errors)


@page_route(bp, NEW, "POST", name="portal_create_ticket", form=True)
def create_ticket(request: PageRequest) -> Response:
    from chalicelib.portal.forms import MAX_MESSAGE, MAX_SUBJECT, localized, request_type
    from chalicelib.web.forms import FormError

    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    form = checked_form(request, who)
    needs = deps()
    files: list[FileRef] = []
    try:
        files = needs.uploads.files(who.binding, form.getlist("file"))
        subject = form.text("subject", max_length=MAX_SUBJECT)
        text = form.text("message", max_length=MAX_MESSAGE)
        kind = request_type(form)
    except FormError as error:
        typed = {k: form.get(k) or "" for k in ("subject", "message", "type")}
        return _new_page(request, who, typed, files, localized(error, request.locale))
    kept = needs.uploads.keep(files, who.customer.id)
    submission = form.get("submission") or new_id()
    ticket = needs.portal.create(who.customer, subject, text, kind, kept, submission[:64])
    asked(request, who)
    return request.redirect(f"{TICKETS}/{ticket.number}", cookies=[flash_cookie("request_sent")])


@page_route(bp, ONE, name="portal_ticket")
def ticket(request: PageRequest, number: str) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    return ticket_page(request, who, _open(who, number), _place(who, number))


@page_route(bp, ONE + "/reply", "POST", name="portal_reply", form=True)
def reply(request: PageRequest, number: str) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    form = checked_form(request, who)
    opened = _open(who, number)
    return post_reply(request, who, opened, _place(who, number), form)


@page_route(bp, ONE + "/solve", "POST", name="portal_solve", form=True)
def solve(request: PageRequest, number: str) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    checked_form(request, who)
    deps().portal.solve(who.customer, _open(who, number).ticket)
    return request.redirect(f"{TICKETS}/{number}", cookies=[flash_cookie("solved")])


@page_route(bp, ONE + "/reopen", "POST", name="portal_reopen", form=True)
def reopen(request: PageRequest, number: str) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    checked_form(request, who)
    deps().portal.reopen(who.customer, _open(who, number).ticket)
    return request.redirect(f"{TICKETS}/{number}", cookies=[flash_cookie("reopened")])


@page_route(bp, ONE + "/files/{entry_id}/{index}", name="portal_file")
def file(request: PageRequest, number: str, entry_id: str, index: str) -> Response:
    who = visitor(request)
    if who is None:
        return sign_in_first(request)
    return _to_file(download(_open(who, number), entry_id, index))


# -- shared with the ticket-link pages -----------------------------------------------------------------


def post_reply(request: PageRequest, who: Visitor | None, opened: Opened, place: Place, form: object) -> Response:
    """A reply from a ticket's page (signed in or through its link); a refused form shows the page again."""
    from chalicelib.portal.forms import MAX_MESSAGE, localized
    from chalicelib.web.forms import Form, FormError

    assert isinstance(form, Form)
    needs = deps()
    files: list[FileRef] = []
    try:
        files = needs.uploads.files(place.binding, form.getlist("file"))
        text = form.text("message", max_length=MAX_MESSAGE)
    except FormError as error:
        draft = Draft(form.get("message") or "", tuple(files), localized(error, request.locale))
        return ticket_page(request, who, opened, place, draft)
    kept = needs.uploads.keep(files, place.customer.id)
    submission = (form.get("submission") or new_id())[:64]
    needs.portal.reply(place.customer, opened.ticket, text, kept, submission)
    return request.redirect(place.base + "#latest", cookies=[flash_cookie("reply_sent")])


def _to_file(url: str) -> Response:
    return Response(body="", status_code=303, headers={"Location": url, "Cache-Control": "no-store"})


def _open(who: Visitor, number: str) -> Opened:
    if not number.isascii() or not number.isdigit() or len(number) > 12:
        raise NotFound("ticket", number)
    return deps().portal.open(who.customer, int(number))


def _place(who: Visitor, number: str) -> Place:
    return Place(f"{TICKETS}/{number}", who.customer, who.binding)


def _new_page(
    request: PageRequest, who: Visitor, typed: dict[str, str], files: list[FileRef], errors: dict[str, str]
) -> Response:
    from chalicelib.portal.forms import REQUEST_TYPES

    form = upload_box(request, who.binding, NEW, files)
    context = {
        "typed": typed,
        "files": files,
        "errors": errors,
        "upload": form,
        "request_types": REQUEST_TYPES,
        "submission": new_id(),
    }
    status = 400 if errors else 200
    return render(request, "portal/new.html", context, who, status=status, form_origins=(form.origin,))
