"""Hands every entry point what it needs: the HTTP framework's authenticator and each route module's
dependencies. Factories, not instances: each call asks the current container, which builds a part at first
use (and which tests replace with ``use()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.bootstrap.container import current

if TYPE_CHECKING:
    from chalice.app import Request


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
    surveys.deps.set(lambda: surveys.Needs(current().surveys.reports, current().surveys.settings))
    reports.deps.set(lambda: current().reports.queries)
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


def _portal_customer(request: Request) -> str | None:
    """The customer of the portal session the request's cookie proves, if any: a signed-in customer's chat is
    theirs (one person across mail, portal and chat), whatever name and address the form carries."""
    from chalicelib.portal.pages import SESSION_COOKIE
    from chalicelib.web.cookies import get_cookie, read_cookies

    token = get_cookie(read_cookies(request.headers.get("cookie")), SESSION_COOKIE)
    session = current().sessions.resume(token) if token is not None else None
    return session.customer_id if session is not None else None
