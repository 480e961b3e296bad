"""The knowledge base's signals counted per local day of the desk (decision 060): searches, impressions,
zero-result searches, clicks, views and explicit deflections.

They have no ticket, so they are not facts of the event path: each is added where it is seen, in the request
that saw it, with one ``ADD`` on the day's ``kb`` item (``REPORT#kb#<yyyy-mm>`` / ``<day>#all``). No
transaction touches that item, so these writes never cancel the aggregator's; a request is not delivered
again by the platform, so no marker is needed (a client that sends the same click twice counts twice, as
the EMF metric of the same signal does). A failed count never fails the reader's request: it is logged and
counted (``ReportKbCountFailed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chalicelib.domain.reports import ALL, KB, Tally
from chalicelib.reports.rollup import local_day

if TYPE_CHECKING:
    from chalicelib.core.clock import Clock
    from chalicelib.storage.slice_ports import ReportRepository

# Counter names on the ``kb`` items (``chalicelib.kb.signals`` adds them).
SEARCHES, IMPRESSIONS, ZERO_RESULTS = "kb_searches", "kb_impressions", "kb_zero_results"
CLICKS, VIEWS, DEFLECTIONS = "kb_clicks", "kb_views", "kb_deflections"


class KbCounter:
    """``counter({"kb_clicks": 1})`` adds to today's ``kb`` item (today in the desk's report zone)."""

    def __init__(self, reports: ReportRepository, zone: ZoneInfo, clock: Clock) -> None:
        self.reports = reports
        self.zone = zone
        self.clock = clock

    def __call__(self, counts: Mapping[str, int]) -> None:
        kept = {name: n for name, n in counts.items() if n}
        if not kept:
            return
        try:
            self.reports.bump(Tally(KB, ALL, local_day(self.clock(), self.zone), kept))
        except Exception:  # noqa: BLE001 - a reader's search never fails for a report counter: logged, counted
            from chalicelib.core import observability

            observability.logger().exception("knowledge base report counter not added", extra={"counts": kept})
            observability.count("ReportKbCountFailed")
