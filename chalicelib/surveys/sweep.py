"""The per-minute survey sweep: surveys that fell due, read from the sparse ``due`` index only. Work per run:
one Query of the index and a fixed number of requests per due ticket (``SurveySender.run_due``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.core.resources import DUE_SURVEY

if TYPE_CHECKING:
    from chalicelib.surveys.sender import SurveySender


def sweep(sender: SurveySender) -> dict[str, Any]:
    from collections import Counter

    from chalicelib.events.due import each_due

    results = each_due(sender.work, sender.clock, DUE_SURVEY, sender.run_due, "survey failed")
    outcomes = Counter(outcome or "failed" for outcome in results)
    return {"due": len(results), "outcomes": dict(outcomes)}
