"""The local ticker: calls the app's scheduled functions on their schedule (moto never fires schedules)."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from devtools.worker import FakeContext

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass
class Job:
    name: str
    handler: Any
    every_seconds: float
    next_at: float


def interval(expression: str) -> float:
    """Seconds between runs: rate(...) exactly; cron(...) is checked every minute."""
    match = _RATE.match(expression.strip())
    if match:
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]
    return 60.0


def scheduled_jobs(app_module: Any, now: float | None = None) -> list[Job]:
    from chalice.app import ScheduledEventConfig

    start = time.monotonic() if now is None else now
    jobs = []
    for source in app_module.app.event_sources:
        if isinstance(source, ScheduledEventConfig):
            schedule = source.schedule_expression
            expression = schedule.to_string() if hasattr(schedule, "to_string") else schedule
            handler = getattr(app_module, source.handler_string.rsplit(".", 1)[1])
            jobs.append(Job(source.name, handler, interval(str(expression)), start))
    return jobs


def scheduled_event(name: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"local-{time.time_ns()}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{name}"],
        "detail": {},
    }


def tick(jobs: list[Job], now: float) -> list[str]:
    """Run the jobs that are due; return their names."""
    ran = []
    for job in jobs:
        if now >= job.next_at:
            job.handler(scheduled_event(job.name), FakeContext(job.name))
            job.next_at = now + job.every_seconds
            ran.append(job.name)
    return ran


def run_forever(jobs: list[Job], stop: threading.Event, resolution: float = 1.0) -> None:
    from chalicelib.core import observability

    while not stop.is_set():
        try:
            tick(jobs, time.monotonic())
        except Exception:  # noqa: BLE001 - a failing job is logged; the ticker keeps the others running
            observability.logger().exception("scheduled job failed")
        stop.wait(resolution)
