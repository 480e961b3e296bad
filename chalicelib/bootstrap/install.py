"""Hands every entry point what it needs: the HTTP framework's authenticator and each route module's
dependencies. Factories, not instances: each call asks the current container, which builds a part at first
use (and which tests replace with ``use()``)."""

from __future__ import annotations

from chalicelib.bootstrap.container import current


def install() -> None:
    from chalicelib.automations import routes as automations
    from chalicelib.config import routes as configuration
    from chalicelib.http import framework
    from chalicelib.people import admin_routes, customer_routes
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
        return tickets.Needs(c.tickets, c.ticket_relations, c.customers, c.objects, c.settings.bucket)

    tickets.deps.set(ticket_needs)
    customer_routes.deps.set(lambda: current().customers)
    admin_routes.deps.set(lambda: current().directory)
    webhooks.deps.set(lambda: webhooks.Needs(current().directory, current().signing_key))
    configuration.deps.set(lambda: current().documents)
    routing.deps.set(lambda: current().documents)
    sla.deps.set(lambda: sla.Needs(current().documents, current().sla_status))
    automations.deps.set(lambda: automations.Needs(current().documents, current().macros))
    surveys.deps.set(lambda: surveys.Needs(current().surveys.reports, current().surveys.settings))
    reports.deps.set(lambda: current().reports.queries)
    survey_pages.deps.set(lambda: survey_pages.Needs(current().surveys.answers, current().signing_key))
