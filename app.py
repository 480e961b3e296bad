"""Lambdesk: the Chalice app. A table of contents: blueprints, event sources, schedules. Nothing else.

What each event source does is read in ``chalicelib/bootstrap/handlers.py``; how the parts are built and
wired, in ``chalicelib/bootstrap/container.py``.
"""

from __future__ import annotations

import os
from typing import Any

from chalice import Chalice  # type: ignore[attr-defined]
from chalice.app import SQSEvent, WebsocketEvent

from chalicelib import bootstrap
from chalicelib.core import observability, resources
from chalicelib.core.settings import stage
from chalicelib.http import deferred
from chalicelib.http.framework import XLSX, uniform_errors

# The app uses no pydantic plugin: without this, building the first model reads the entry points of every
# installed distribution (tens of milliseconds of a cold start) to look for some.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
app = Chalice(app_name=resources.APP_NAME, configure_logs=False)
# Chalice 1.34 still marks WebSocket handlers experimental: packaging refuses them without this opt-in.
app.experimental_feature_flags.update(["WEBSOCKETS"])
# Files sent as bytes (the reports' XLSX export): Chalice base64-encodes these bodies and declares the types to
# API Gateway (x-amazon-apigateway-binary-media-types), which decodes them for the client.
app.api.binary_types.append(XLSX)
names = resources.Names(stage())

bootstrap.install()
observability.install(app)
app.middleware("http")(uniform_errors)
# The route modules, in the order their routes register. Each is imported at the first request of one of its
# routes; the routes themselves are registered now, from chalicelib/http/routes.json (see deferred.py).
AREAS = (
    "chalicelib.http.meta",
    "chalicelib.tickets.routes",
    "chalicelib.people.customer_routes",
    "chalicelib.people.admin_routes",
    "chalicelib.webhooks.routes",
    "chalicelib.config.routes",
    "chalicelib.routing.routes",
    "chalicelib.sla.routes",
    "chalicelib.automations.routes",
    "chalicelib.surveys.routes",
    "chalicelib.reports.routes",
    "chalicelib.reports.board_routes",
    "chalicelib.web.routes",
    "chalicelib.portal.routes_account",
    "chalicelib.portal.routes_tickets",
    "chalicelib.portal.routes_links",
    "chalicelib.portal.api_routes",
    "chalicelib.portal.routes_kb",
    "chalicelib.kb.routes",
    "chalicelib.kb.public_routes",
    "chalicelib.surveys.pages",
    "chalicelib.chat.routes",
    "chalicelib.chat.console",
    "chalicelib.reports.page",
)
routes = deferred.install(app, AREAS)


@app.lambda_function(name=resources.FUNCTION_STREAM_RELAY)
def stream_relay(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Table stream -> events topic (the stream source is attached in infra/)."""
    return bootstrap.handlers.relay(event)


@app.on_sqs_message(queue=names.queue("webhooks"), batch_size=10, name=resources.FUNCTION_WEBHOOKS)
def deliver_webhooks(event: SQSEvent) -> dict[str, Any]:
    return bootstrap.handlers.consume("webhooks", event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue(resources.INBOUND_QUEUE), batch_size=5, name=resources.FUNCTION_INGEST_MAIL)
def ingest_mail(event: SQSEvent) -> dict[str, Any]:
    """SES raw mail in S3 (notified through SNS) -> tickets."""
    return bootstrap.handlers.ingest_mail(event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("outbound"), batch_size=10, name=resources.FUNCTION_SEND_MAIL)
def send_mail(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> replies, acknowledgements and notifications sent with SESv2."""
    return bootstrap.handlers.consume("outbound", event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue(resources.FEEDBACK_QUEUE), batch_size=10, name=resources.FUNCTION_MAIL_FEEDBACK)
def mail_feedback(event: SQSEvent) -> dict[str, Any]:
    """SES bounce and complaint notifications -> the suppression list."""
    return bootstrap.handlers.mail_feedback(event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("routing"), batch_size=10, name=resources.FUNCTION_ROUTE)
def route_tickets(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> routing rules, sticky and strategy assignment, agents' loads."""
    return bootstrap.handlers.consume("routing", event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("sla"), batch_size=10, name=resources.FUNCTION_TRACK_SLA)
def track_sla(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> SLA policy and due times in the sparse due index; alerts to the ops topic."""
    return bootstrap.handlers.consume("sla", event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("automations"), batch_size=10, name=resources.FUNCTION_TRIGGERS)
def run_triggers(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> event triggers (each at most once per causing event), automation timers, surveys due."""
    return bootstrap.handlers.consume("automations", event.to_dict(), event.context)


@app.on_sqs_message(
    queue=names.queue("kb"), batch_size=10, maximum_batching_window_in_seconds=2, name=resources.FUNCTION_KB_INDEX
)
def build_kb_index(event: SQSEvent) -> dict[str, Any]:
    """Article changes -> the knowledge base's search index rebuilt into S3 (one build covers a burst)."""
    return bootstrap.handlers.consume("kb", event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("chat"), batch_size=10, name=resources.FUNCTION_CHAT_EVENTS)
def push_chat(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> chat sockets: public replies on a chat's ticket; a solved ticket ends its chat."""
    return bootstrap.handlers.consume("chat", event.to_dict(), event.context)


@app.on_ws_connect()
def websocket_connect(event: WebsocketEvent) -> dict[str, Any]:
    """A chat socket opens: single-use connect token, allowed Origin."""
    return bootstrap.handlers.chat_socket("connect", event.to_dict())


@app.on_ws_message()
def websocket_message(event: WebsocketEvent) -> dict[str, Any]:
    """A chat frame: send, resume, typing, ping, accept, end."""
    return bootstrap.handlers.chat_socket("message", event.to_dict())


@app.on_ws_disconnect()
def websocket_disconnect(event: WebsocketEvent) -> dict[str, Any]:
    return bootstrap.handlers.chat_socket("disconnect", event.to_dict())


@app.schedule(resources.SWEEP_SCHEDULE, name=resources.FUNCTION_CHAT_SWEEP)
def chat_sweep(event: Any) -> dict[str, Any]:
    """Every minute: chat rings that ran out, idle chats, the waiting line (reads only the due index)."""
    return bootstrap.handlers.chat_sweep()


@app.on_sqs_message(queue=names.queue("reports"), batch_size=10, name=resources.FUNCTION_REPORTS)
def count_reports(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> metric facts added into daily report items (each event once)."""
    return bootstrap.handlers.consume("reports", event.to_dict(), event.context)


@app.schedule(resources.SWEEP_SCHEDULE, name=resources.FUNCTION_SLA_SWEEP)
def sla_sweep(event: Any) -> dict[str, Any]:
    """Every minute: SLA warnings and breaches that fell due (reads only the due index)."""
    return bootstrap.handlers.sla_sweep()


@app.schedule(resources.SWEEP_SCHEDULE, name=resources.FUNCTION_TIMERS)
def run_timers(event: Any) -> dict[str, Any]:
    """Every minute: auto-close, pending reminders, auto-solve (reads only the due index)."""
    return bootstrap.handlers.timers_sweep()


@app.schedule(resources.SWEEP_SCHEDULE, name=resources.FUNCTION_SURVEY_SWEEP)
def survey_sweep(event: Any) -> dict[str, Any]:
    """Every minute: satisfaction surveys that fell due (reads only the due index)."""
    return bootstrap.handlers.survey_sweep()


@app.schedule(resources.SWEEP_SCHEDULE, name=resources.FUNCTION_DRAIN_QUEUES)
def drain_queues(event: Any) -> dict[str, Any]:
    """Every minute: team queues, for agents whose working hours started (and as a safety net)."""
    return bootstrap.handlers.drain_queues()
