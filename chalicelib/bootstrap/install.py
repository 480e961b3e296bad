"""Hands every entry point what it needs: the HTTP framework's authenticator and each route module's
dependencies. Factories, not instances: each call asks the current container, which builds a part at first
use (and which tests replace with ``use()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.bootstrap.container import current

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalice.app import Request

    from chalicelib.automations import routes as automations
    from chalicelib.chat import console
    from chalicelib.chat import routes as chat
    from chalicelib.domain.people import Agent
    from chalicelib.kb import public_routes as kb_public
    from chalicelib.kb import routes as kb
    from chalicelib.people.customers import CustomerService
    from chalicelib.portal import pages as portal_pages
    from chalicelib.reports import board_routes as report_board
    from chalicelib.reports import page as report_page
    from chalicelib.sla import routes as sla
    from chalicelib.storage.objects import ObjectStore
    from chalicelib.surveys import pages as survey_pages
    from chalicelib.surveys import routes as surveys
    from chalicelib.tickets import routes as tickets
    from chalicelib.tickets.relations import TicketRelations
    from chalicelib.tickets.requesters import RequesterMove
    from chalicelib.tickets.service import TicketService
    from chalicelib.tickets.uploads import Uploads
    from chalicelib.webhooks import routes as webhooks


def install() -> None:
    """Fill every provider by name: no route module is imported here (each loads at its first request)."""
    from chalicelib.core.providers import provide

    provide("http.authenticator", lambda: current().auth.authenticate)
    provide("tickets.routes", _ticket_needs)
    provide("people.customer_routes", lambda: current().customers)
    provide("people.admin_routes", lambda: current().directory)
    provide("webhooks.routes", _webhook_needs)
    provide("config.routes", lambda: current().documents)
    provide("routing.routes", lambda: current().documents)
    provide("sla.routes", _sla_needs)
    provide("automations.routes", _automation_needs)
    provide("portal.routes", _portal_needs)
    provide("portal.api_routes", _portal_needs)
    provide("kb.routes", _kb_needs)
    provide("kb.public_routes", _kb_public_needs)
    provide("portal.kb", lambda: current().kb)
    provide("surveys.routes", _survey_needs)
    provide("reports.routes", lambda: current().reports.queries)
    provide("reports.board_routes", _report_board)
    provide("reports.page", _report_page_needs)
    provide("surveys.pages", _survey_page_needs)
    provide("chat.routes", _chat_needs)
    provide("chat.console", _console_needs)
    provide("chat.websocket", lambda: current().chat.sockets())


class _TicketNeeds:
    """``tickets.Needs`` read through to the container, which builds each part at its first use: a GET of a
    ticket does not build (or import) the relations, requester moves, uploads or object store."""

    @property
    def tickets(self) -> TicketService:
        return current().tickets

    @property
    def relations(self) -> TicketRelations:
        return current().ticket_relations

    @property
    def customers(self) -> CustomerService:
        return current().customers

    @property
    def attachments(self) -> ObjectStore:
        return current().objects

    @property
    def bucket(self) -> str:
        return current().settings.bucket

    @property
    def requesters(self) -> RequesterMove:
        return current().ticket_requesters

    @property
    def uploads(self) -> Uploads:
        return current().agent_uploads


def _ticket_needs() -> tickets.Needs:
    return _TicketNeeds()


def _webhook_needs() -> webhooks.Needs:
    from chalicelib.webhooks import routes as webhooks

    return webhooks.Needs(current().directory, current().signing_key, lambda: current().webhooks.forget())


def _sla_needs() -> sla.Needs:
    from chalicelib.sla import routes as sla

    return sla.Needs(current().documents, current().sla_status)


def _automation_needs() -> automations.Needs:
    from chalicelib.automations import routes as automations

    return automations.Needs(current().documents, current().macros)


def _portal_needs() -> portal_pages.Needs:
    from chalicelib.portal import pages as portal_pages

    c = current()
    return portal_pages.Needs(
        c.portal,
        c.accounts,
        c.sessions,
        c.ticket_links,
        c.uploads,
        c.customers,
        c.signing_key,
        c.settings.portal_base,
    )


def _kb_needs() -> kb.Needs:
    from chalicelib.kb import routes as kb

    return kb.Needs(current().kb, current().tickets)


def _kb_public_needs() -> kb_public.Needs:
    from chalicelib.kb import public_routes as kb_public

    return kb_public.Needs(current().kb)


def _survey_needs() -> surveys.Needs:
    from chalicelib.surveys import routes as surveys

    return surveys.Needs(current().surveys.reports, current().surveys.settings)


def _report_board() -> report_board.Board:
    from chalicelib.reports import board_routes as report_board

    c = current()
    return report_board.Board(c.ticket_repo, c.reports.repository, c.clock, c.settings.report_time_zone)


def _report_page_needs() -> report_page.Needs:
    from chalicelib.reports import page as report_page

    return report_page.Needs(current().reports.queries, _report_board(), _web_agent, _stash_report, _dimension_names)


def _survey_page_needs() -> survey_pages.Needs:
    from chalicelib.surveys import pages as survey_pages

    return survey_pages.Needs(current().surveys.answers, current().signing_key)


def _chat_needs() -> chat.Needs:
    from chalicelib.chat import routes as chat

    parts = current().chat
    return chat.Needs(
        parts.service, parts.router, current().settings.chat_ws_url, _portal_customer, parts.mail_transcript
    )


def _console_needs() -> console.Needs:
    from chalicelib.chat import console

    return console.Needs(
        current().chat.web_auth(),
        current().chat.service,
        current().settings.chat_ws_url,
        lambda: current().signing_key,
    )


def _web_agent(cookies: Mapping[str, str]) -> Agent:
    """The agent signed in to agent pages (the chat console's session cookie); raises Unauthenticated."""
    from chalicelib.chat.console import SESSION_COOKIE
    from chalicelib.web.cookies import get_cookie

    return current().chat.web_auth().session(get_cookie(dict(cookies), SESSION_COOKIE))


def _stash_report(filename: str, body: bytes, media_type: str) -> str:
    """A report file in the bucket (``REPORT_EXPORT_PREFIX``, expired after a day) -> a 5-minute download URL."""
    import secrets

    from chalicelib.core.resources import REPORT_EXPORT_PREFIX

    c = current()
    key = f"{REPORT_EXPORT_PREFIX}{secrets.token_urlsafe(16)}/{filename}"
    c.objects.put(c.settings.bucket, key, body, media_type)
    return c.upload_store.download_url(c.settings.bucket, key, filename, media_type, 300)


def _dimension_names(dimension: str) -> dict[str, str]:
    """Agent or team id -> name, for the reports page (one Query per 100 agents or teams)."""
    from chalicelib.domain.views import every

    directory = current().directory_repo
    if dimension == "agent":
        return {a.id: a.name for a in every(directory.list_agents)}
    if dimension == "team":
        return {t.id: t.name for t in every(directory.list_teams)}
    return {}


def _portal_customer(request: Request) -> str | None:
    """The customer of the portal session the request's cookie proves, if any: a signed-in customer's chat is
    theirs (one person across mail, portal and chat), whatever name and address the form carries."""
    from chalicelib.portal.pages import SESSION_COOKIE
    from chalicelib.web.cookies import get_cookie, read_cookies

    token = get_cookie(read_cookies(request.headers.get("cookie")), SESSION_COOKIE)
    session = current().sessions.resume(token) if token is not None else None
    return session.customer_id if session is not None else None
