"""Logging, metrics and (optional) tracing, from one module, wired through Chalice middleware.

powertools Logger emits JSON with a correlation id per request and per message; Metrics emits EMF with one
business metric per operation. Both are created at first use. The X-Ray SDK is imported only when
``LAMBDESK_TRACING`` is on, so a cold start does not pay 300-400 ms for a tracer nobody reads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics
    from chalice.app import Chalice, Request, Response

SERVICE = "lambdesk"
NAMESPACE = "Lambdesk"


@cache
def logger() -> Logger:
    from aws_lambda_powertools import Logger

    from chalicelib.core.settings import get_settings

    return Logger(service=SERVICE, level=get_settings().log_level)


@cache
def metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service=SERVICE)


@cache
def tracer() -> Any:
    """The powertools Tracer when tracing is on, else None (the X-Ray SDK is never imported)."""
    from chalicelib.core.settings import get_settings

    if not get_settings().tracing:
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """Record one business metric (EMF), e.g. ``count("TicketCreated", channel="email")``."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    if not dimensions:
        metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)
        return
    # A dimensioned metric is emitted on its own so its dimensions do not stick to the others.
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        for key, dim in dimensions.items():
            metric.add_dimension(name=key, value=dim)


def flush() -> None:
    m = metrics()
    if m.metric_set:
        m.flush_metrics()


def install(app: Chalice) -> None:
    """Register the middleware: correlation ids and request logs for HTTP, flushing metrics for all."""

    @app.middleware("http")
    def http_context(event: Request, get_response: Callable[[Request], Response]) -> Response:
        log = logger()
        tracer()  # when tracing is on, the first request creates the Tracer (it patches botocore)
        context = event.context or {}
        correlation = event.headers.get("x-correlation-id") or context.get("requestId") or ""
        log.set_correlation_id(correlation)
        log.append_keys(path=context.get("resourcePath"), method=event.method)
        try:
            response = get_response(event)
        finally:
            flush()
            log.remove_keys(["path", "method", "agent_id", "ticket_number"])
        response.headers["X-Correlation-Id"] = correlation
        log.info("request", extra={"status": response.status_code})
        return response

    def flush_after(event: Any, get_response: Callable[[Any], Any]) -> Any:
        try:
            return get_response(event)
        finally:
            flush()

    for event_type in ("sqs", "scheduled", "pure_lambda"):
        app.middleware(event_type)(flush_after)
