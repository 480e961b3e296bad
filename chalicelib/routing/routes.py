"""Agent API (admins): routing rules."""

from __future__ import annotations

from chalicelib.config.routes import register
from chalicelib.config.store import DocumentStore
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Routes
from chalicelib.routing.config import RULE

deps: Provider[DocumentStore] = Provider("routing.routes")
routes = Routes(__name__, "chalicelib.routing.schemas", tag="configuration")
bp = routes.bp

register(routes, "routing-rules", RULE, "RoutingRuleIn", deps)
