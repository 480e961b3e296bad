"""Lambdesk: the Chalice app. A table of contents: blueprints, event sources, middleware. Nothing else."""

from __future__ import annotations

from typing import Any

from chalice import Chalice  # type: ignore[attr-defined]
from chalice.app import SQSEvent

from chalicelib import observability, resources
from chalicelib.api import admin, customers, meta, tickets
from chalicelib.api.framework import uniform_errors
from chalicelib.settings import stage

app = Chalice(app_name=resources.APP_NAME, configure_logs=False)
names = resources.Names(stage())

observability.install(app)
app.middleware("http")(uniform_errors)
app.register_blueprint(meta.bp)
app.register_blueprint(tickets.bp)
app.register_blueprint(customers.bp)
app.register_blueprint(admin.bp)


@app.lambda_function(name=resources.FUNCTION_STREAM_RELAY)
def stream_relay(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Table stream -> events topic (the stream source is attached in infra/)."""
    from chalicelib.events.relay import handle_stream
    from chalicelib.settings import get_settings

    return handle_stream(event, get_settings().events_topic_arn or "")


@app.on_sqs_message(queue=names.queue("webhooks"), batch_size=10, name=resources.FUNCTION_WEBHOOKS)
def deliver_webhooks(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.events.consumers import deliver_webhooks as deliver

    return deliver(event.to_dict(), event.context)
