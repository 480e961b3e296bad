"""One table per event queue: event type -> the handlers that act on it, in order.

The tables are written in one place (``chalicelib.bootstrap.handlers``), so "what happens on
``ticket.solved``" is read there, not collected from five consumers. A table is built per batch of messages:
handlers that keep per-batch state (the router's agent listing) start fresh for each batch, as a Lambda
invocation would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Event = dict[str, Any]
Handler = Callable[[Event], object]
Table = Mapping[str, Sequence[Handler]]
# Handlers that take every event of the queue, whatever its type.
ANY = "*"


@dataclass(frozen=True)
class Consumer:
    """A queue's consumer: ``build()`` gives the table for one batch; ``report`` logs what a handler did."""

    name: str
    build: Callable[[], Table]
    report: Callable[[Event, object], None] | None = None

    def batch(self, raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        from chalicelib.events.batch import sqs_batch

        table = self.build()
        return sqs_batch(raw_event, lambda record: self.handle(table, json.loads(record.body)), context)

    def handle(self, table: Table, event: Event) -> list[object]:
        from chalicelib.core import observability

        observability.logger().set_correlation_id(event.get("id"))
        results = []
        for handler in (*table.get(str(event.get("type", "")), ()), *table.get(ANY, ())):
            outcome = handler(event)
            if self.report is not None:
                self.report(event, outcome)
            results.append(outcome)
        return results


def subscribed(table: Table) -> frozenset[str] | None:
    """The event types a table acts on (None: every type)."""
    return None if ANY in table else frozenset(table)
