"""Ticket-link pages (``/portal/t/<token>``, the link in the desk's mail): one ticket without signing in.

The link lets its holder read the ticket's public conversation, reply and mark it solved; nothing else (no
other ticket, no profile, no reopening a solved ticket: that needs signing in). A revoked, expired or unknown
link is a page saying so, with the way to sign in. Also here: where S3 sends the browser after an upload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.portal.pages import checked_form, deps, render, visitor
from chalicelib.portal.routes_tickets import post_reply
from chalicelib.portal.ticket_page import Place, download, ticket_page
from chalicelib.web.views import PageRequest, flash_cookie, page_route

if TYPE_CHECKING:
    from chalicelib.domain.access import TicketLink
    from chalicelib.portal.service import Opened

bp = Blueprint(__name__)
LINK = "/portal/t/{token}"


@page_route(bp, LINK, name="portal_ticket_link")
def linked_ticket(request: PageRequest, token: str) -> Response:
    link = deps().links.open(token)
    if link is None:
        return _gone(request)
    opened, place = _linked(link, token)
    return ticket_page(request, visitor(request), opened, place)


@page_route(bp, LINK + "/reply", "POST", name="portal_link_reply", form=True)
def linked_reply(request: PageRequest, token: str) -> Response:
    who = visitor(request)
    form = checked_form(request, who)
    link = deps().links.open(token)
    if link is None:
        return _gone(request)
    opened, place = _linked(link, token)
    return post_reply(request, who, opened, place, form)


@page_route(bp, LINK + "/solve", "POST", name="portal_link_solve", form=True)
def linked_solve(request: PageRequest, token: str) -> Response:
    checked_form(request, visitor(request))
    link = deps().links.open(token)
    if link is None:
        return _gone(request)
    opened, place = _linked(link, token)
    deps().portal.solve(place.customer, opened.ticket)
    return request.redirect(place.base, cookies=[flash_cookie("solved")])


@page_route(bp, LINK + "/files/{entry_id}/{index}", name="portal_link_file")
def linked_file(request: PageRequest, token: str, entry_id: str, index: str) -> Response:
    link = deps().links.open(token)
    if link is None:
        return _gone(request)
    opened, _ = _linked(link, token)
    url = download(opened, entry_id, index)
    return Response(body="", status_code=303, headers={"Location": url, "Cache-Control": "no-store"})


@page_route(bp, "/portal/uploads/done", name="portal_upload_done")
def upload_done(request: PageRequest) -> Response:
    """S3 stored a file and sent the browser here: check it, then back to the page with the file attached."""
    from urllib.parse import quote

    from chalicelib.portal.forms import localized
    from chalicelib.web.forms import FormError

    uploads, note = deps().uploads, request.query("u") or ""
    try:
        back, file = uploads.received(note, request.query("key") or "")
    except FormError as error:
        context = {"problems": list(localized(error, request.locale).values()), "back": uploads.back(note) or "/portal"}
        return render(request, "portal/upload_refused.html", context, visitor(request), status=400)
    joiner = "&" if "?" in back else "?"
    target = f"{back}{joiner}file={quote(file.ref, safe='')}#attachments"
    return request.redirect(target, cookies=[flash_cookie("file_attached")])


def _linked(link: TicketLink, token: str) -> tuple[Opened, Place]:
    from chalicelib.access.tokens import digest

    needs = deps()
    opened = needs.portal.open_linked(link.ticket_id, link.customer_id)
    customer = needs.customers.get(link.customer_id)
    return opened, Place(f"/portal/t/{token}", customer, f"link:{digest(token)}", by_link=True)


def _gone(request: PageRequest) -> Response:
    return render(request, "portal/link_gone.html", {}, visitor(request), status=404)
