"""Hands every entry point what it needs: the HTTP framework's authenticator and each route module's
dependencies. Factories, not instances: each call asks the current container, which builds a part at first
use (and which tests replace with ``use()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.bootstrap.container import current

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalice.app import Request

    from chalicelib.domain.people import Agent


def install() -> None:
    from chalicelib.automations import routes as automations
    from chalicelib.chat import routes as chat
    from chalicelib.chat import websocket
    from chalicelib.config import routes as configuration
    from chalicelib.http import framework
    from chalicelib.kb import public_routes as kb_public
    from chalicelib.kb import routes as kb
    from chalicelib.people import admin_routes, customer_routes
    from chalicelib.portal import api_routes as portal_api
    from chalicelib.portal import pages as portal_pages
    from chalicelib.portal import routes_kb as portal_kb
    from chalicelib.reports import board_routes as report_board
    from chalicelib.reports import page as report_page
    from chalicelib.reports import routes as reports
    from chalicelib.routing import routes as routing
    from chalicelib.sla import routes as sla
    from chalicelib.surveys import pages as survey_pages
    from chalicelib.surveys import routes as surveys
    from chalicelib.tickets import routes as tickets
    from chalicelib.webhooks import routes as webhooks

    framework.authenticator.set(lambda: current().auth.authenticate)

    def ticket_needs() -> tickets.Needs:
        c = current()
        return tickets.Needs(
            c.tickets,
            c.ticket_relations,
            c.customers,
            c.objects,
            c.settings.bucket,
            c.ticket_requesters,
            c.agent_uploads,
        )

    tickets.deps.set(ticket_needs)
    customer_routes.deps.set(lambda: current().customers)
    admin_routes.deps.set(lambda: current().directory)
    webhooks.deps.set(
        lambda: webhooks.Needs(current().directory, current().signing_key, lambda: current().webhooks.forget())
    )
    configuration.deps.set(lambda: current().documents)
    routing.deps.set(lambda: current().documents)
    sla.deps.set(lambda: sla.Needs(current().documents, current().sla_status))
    automations.deps.set(lambda: automations.Needs(current().documents, current().macros))

    def portal_needs() -> portal_pages.Needs:
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

    portal_pages.deps.set(portal_needs)
    portal_api.deps.set(portal_needs)
    kb.deps.set(lambda: kb.Needs(current().kb, current().tickets))
    kb_public.deps.set(lambda: kb_public.Needs(current().kb))
    portal_kb.deps.set(lambda: current().kb)
    surveys.deps.set(lambda: surveys.Needs(current().surveys.reports, current().surveys.settings))
    reports.deps.set(lambda: current().reports.queries)
    report_board.deps.set(
        lambda: report_board.Board(
            current().ticket_repo, current().reports.repository, current().clock, current().settings.report_time_zone
        )
    )
    report_page.deps.set(
        lambda: report_page.Needs(
            current().reports.queries, report_board.deps(), _web_agent, _stash_report, _dimension_names
        )
    )
    survey_pages.deps.set(lambda: survey_pages.Needs(current().surveys.answers, current().signing_key))

    def chat_needs() -> chat.Needs:
        parts = current().chat
        return chat.Needs(
            parts.service, parts.router, current().settings.chat_ws_url, _portal_customer, parts.mail_transcript
        )

    chat.deps.set(chat_needs)
    from chalicelib.chat import console

    console.deps.set(
        lambda: console.Needs(
            current().chat.web_auth(),
            current().chat.service,
            current().settings.chat_ws_url,
            lambda: current().signing_key,
        )
    )
    websocket.deps.set(lambda: current().chat.sockets())


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
