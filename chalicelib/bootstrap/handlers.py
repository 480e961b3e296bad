"""What each queue and each schedule does: the one place to read what happens on an event.

Every event queue has a table of event type -> handlers (``chalicelib.events.dispatch``), built per batch
from the container. Inbound mail and SES feedback are not ticket events: their queues have a handler each.
"""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap.container import Container, current
from chalicelib.core.resources import AGENT_AVAILABLE, KB_ARTICLE_CHANGED, ROUTING_CHANGES
from chalicelib.events.dispatch import ANY, Consumer, Table

SLA_ALERTS = ("sla.warning", "sla.breached")


def routing_table(c: Container) -> Table:
    router = c.router()
    return {
        "ticket.created": (router.on_created,),
        **{kind: (router.on_changed,) for kind in ROUTING_CHANGES},
        AGENT_AVAILABLE: (router.on_agent_available,),
    }


def sla_table(c: Container) -> Table:
    tracker = c.sla_tracker()
    return {
        ANY: (tracker.on_event,),
        **{kind: (c.ops_forwarder.forward,) for kind in SLA_ALERTS},
    }


def automations_table(c: Container) -> Table:
    from chalicelib.automations.keeper import SeenTickets
    from chalicelib.surveys.keeper import STATUS_EVENTS, SurveyKeeper

    seen = SeenTickets(c.ticket_repo)  # what the survey keeper reads, the timer keeper need not read again
    surveys = SurveyKeeper(seen, c.work_repo, c.survey_config)  # type: ignore[arg-type]
    triggers, timers = c.trigger_runner(), c.timer_keeper(seen)
    return {
        ANY: (triggers.on_event, timers.on_event),
        # A solve (or a reopen, close or merge) keeps the ticket's survey in the due index.
        **{kind: (surveys.on_change,) for kind in STATUS_EVENTS},
    }


def outbound_table(c: Container) -> Table:
    from chalicelib.portal.accounts import SIGN_IN_EVENT

    return {ANY: (c.outbound().handle,), SIGN_IN_EVENT: (lambda event: c.sign_in_mail().on_sign_in(event),)}


def webhooks_table(c: Container) -> Table:
    from chalicelib.webhooks.consumer import deliver

    return {ANY: (lambda event: deliver(c.webhooks, event),)}


def kb_table(c: Container) -> Table:
    builder = c.kb.builder()
    return {KB_ARTICLE_CHANGED: (builder.on_changed,)}


def chat_table(c: Container) -> Table:
    relay = c.chat.relay()
    return {"message.added": (relay.on_message,), "ticket.updated": (relay.on_updated,)}


def reports_table(c: Container) -> Table:
    from chalicelib.core.resources import REPORT_EVENTS

    aggregator = c.reports.aggregator()
    return {kind: (aggregator.on_event,) for kind in REPORT_EVENTS}


def _reports_report(event: dict[str, Any], outcome: object) -> None:
    from chalicelib.reports.aggregator import report

    report(event, outcome)


def _routing_report(event: dict[str, Any], outcome: object) -> None:
    from chalicelib.routing.consumer import report

    report(event, outcome)


def _triggers_report(event: dict[str, Any], outcome: object) -> None:
    from chalicelib.automations.consumer import report

    report(event, outcome)


def _kb_report(event: dict[str, Any], outcome: object) -> None:
    from chalicelib.kb.builder import report

    report(event, outcome)


CONSUMERS = {
    "routing": Consumer("routing", lambda: routing_table(current()), _routing_report),
    "sla": Consumer("sla", lambda: sla_table(current())),
    "automations": Consumer("automations", lambda: automations_table(current()), _triggers_report),
    "outbound": Consumer("outbound", lambda: outbound_table(current())),
    "webhooks": Consumer("webhooks", lambda: webhooks_table(current())),
    "kb": Consumer("kb", lambda: kb_table(current()), _kb_report),
    "chat": Consumer("chat", lambda: chat_table(current())),
    "reports": Consumer("reports", lambda: reports_table(current()), _reports_report),
}


def consume(queue: str, raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """An event queue's SQS batch (partial batch response)."""
    return CONSUMERS[queue].batch(raw_event, context)


def ingest_mail(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.mailflow.inbound import ingest_batch

    return ingest_batch(current().mail_ingest, raw_event, context)


def mail_feedback(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.mailflow.feedback import feedback_batch

    return feedback_batch(current().mail_repo, raw_event, context)


def relay(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.events.relay import handle_stream

    settings = current().settings
    return handle_stream(event, settings.events_topic_arn or "", settings.relay_dead_letter_url)


def chat_socket(kind: str, event: dict[str, Any]) -> dict[str, Any]:
    """API Gateway's WebSocket events ($connect, frames, $disconnect)."""
    from chalicelib.chat import websocket

    handler = {"connect": websocket.connect, "message": websocket.message, "disconnect": websocket.disconnect}[kind]
    return handler(event)


# -- schedules ---------------------------------------------------------------------------------------


def sla_sweep() -> dict[str, Any]:
    from chalicelib.sla.sweep import sweep

    return sweep(current().sla_tracker())


def timers_sweep() -> dict[str, Any]:
    """Automation timers, then the knowledge base's probable deflections that fell due (both from the
    sparse ``due`` index; one schedule, so no function of its own)."""
    from chalicelib.automations.sweep import sweep

    c = current()
    result = sweep(c.timer_keeper())
    if c.repos.reports is not None:
        result = {**result, "kb_probable": c.reports.kb_probable().sweep()}
    return result


def survey_sweep() -> dict[str, Any]:
    from chalicelib.surveys.sweep import sweep

    return sweep(current().surveys.sender())


def drain_queues() -> dict[str, Any]:
    """Team queues: an agent whose working hours started picks up waiting tickets; a safety net besides."""
    return {"assigned_from_queues": current().router().drain_all().assigned}


def chat_sweep() -> dict[str, Any]:
    """Rings that ran out, idle chats, the waiting line."""
    from chalicelib.chat.sweep import sweep

    parts = current().chat
    return sweep(parts.service, parts.router)
