"""Lambdesk: the Chalice app. A table of contents: blueprints, event sources, middleware. Nothing else."""

from __future__ import annotations

from typing import Any

from chalice import Chalice  # type: ignore[attr-defined]
from chalice.app import SQSEvent

from chalicelib import observability, resources
from chalicelib.api import admin, customers, desk, meta, tickets
from chalicelib.api.framework import uniform_errors
from chalicelib.settings import stage
from chalicelib.web import routes as web_pages

app = Chalice(app_name=resources.APP_NAME, configure_logs=False)
names = resources.Names(stage())

observability.install(app)
app.middleware("http")(uniform_errors)
app.register_blueprint(meta.bp)
app.register_blueprint(tickets.bp)
app.register_blueprint(customers.bp)
app.register_blueprint(admin.bp)
app.register_blueprint(desk.bp)
app.register_blueprint(web_pages.bp)


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


@app.on_sqs_message(queue=names.queue(resources.INBOUND_QUEUE), batch_size=5, name=resources.FUNCTION_INGEST_MAIL)
def ingest_mail(event: SQSEvent) -> dict[str, Any]:
    """SES raw mail in S3 (notified through SNS) -> tickets."""
    from chalicelib.mailflow.inbound import ingest_batch

    return ingest_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("outbound"), batch_size=10, name=resources.FUNCTION_SEND_MAIL)
def send_mail(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> replies, acknowledgements and notifications sent with SESv2."""
    from chalicelib.mailflow.outbound import send_batch

    return send_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue(resources.FEEDBACK_QUEUE), batch_size=10, name=resources.FUNCTION_MAIL_FEEDBACK)
def mail_feedback(event: SQSEvent) -> dict[str, Any]:
    """SES bounce and complaint notifications -> the suppression list."""
    from chalicelib.mailflow.feedback import feedback_batch

    return feedback_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("routing"), batch_size=10, name=resources.FUNCTION_ROUTE)
def route_tickets(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> routing rules, sticky and strategy assignment, agents' loads."""
    from chalicelib.routing.consumer import route_batch

    return route_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("sla"), batch_size=10, name=resources.FUNCTION_TRACK_SLA)
def track_sla(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> SLA policy, due times and automation timers in the sparse due index."""
    from chalicelib.sla.consumer import track_batch

    return track_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=names.queue("automations"), batch_size=10, name=resources.FUNCTION_TRIGGERS)
def run_triggers(event: SQSEvent) -> dict[str, Any]:
    """Ticket events -> event triggers (conditions -> actions), each at most once per causing event."""
    from chalicelib.automations.consumer import trigger_batch

    return trigger_batch(event.to_dict(), event.context)


@app.schedule(resources.SWEEP_SCHEDULE, name=resources.FUNCTION_SLA_SWEEP)
def sla_sweep(event: Any) -> dict[str, Any]:
    """Every minute: SLA warnings and breaches that fell due (reads only the due index)."""
    from chalicelib.sla.sweep import sweep

    return sweep()


@app.schedule(resources.SWEEP_SCHEDULE, name=resources.FUNCTION_TIMERS)
def run_timers(event: Any) -> dict[str, Any]:
    """Every minute: auto-close, pending reminders, queue draining (reads only the due index)."""
    from chalicelib.automations.timers_sweep import sweep

    return sweep()
