"""Probable deflections of the knowledge base (docs/kb-metrics.md): a reader viewed an article in the portal
and neither opened a ticket there nor said an article answered them within 30 minutes.

Each portal view by a known reader (their keyed viewer hash) puts one pending item, ``KBVIEW#<viewer>``, on
the sparse ``due`` index, due 30 minutes later, with the view's local day and a TTL of a day. A later view
replaces it (one probable deflection per reading session, the window restarting at the last view). A
ticket from the portal's new-request form and an explicit deflection by the same reader delete it. The
per-minute sweep counts each pending item still there when due: one transaction deletes it (condition: the
same ``due_at``, the marker that makes a second sweep or a replaced view add nothing) and adds
``kb_probable`` on the view's day ``kb`` item.

Cost: one PutItem per view, one DeleteItem per portal ticket or explicit deflection (per viewer id the
reader has), one Query per sweep plus one TransactWriteItems per due item. A failed write never fails the
reader's request: it is logged and counted (``ReportKbCountFailed``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.domain.reports import PendingView
from chalicelib.reports.rollup import local_day

if TYPE_CHECKING:
    from chalicelib.core.clock import Clock
    from chalicelib.storage.slice_ports import ReportRepository

WINDOW = timedelta(minutes=30)
KEEP = timedelta(days=1)  # TTL of a pending view the sweep never reached
BATCH = 200  # due items per sweep run (the rest waits a minute)


class ProbableDeflections:
    def __init__(self, reports: ReportRepository, zone: ZoneInfo, clock: Clock) -> None:
        self.reports = reports
        self.zone = zone
        self.clock = clock

    def viewed(self, viewer: str) -> None:
        """A reader (their viewer hash) viewed an article: their window starts (again) now."""
        now = self.clock()
        view = PendingView(viewer, local_day(now, self.zone), now + WINDOW)
        _guarded(lambda: self.reports.hold_view(view, now + KEEP), viewer)

    def settled(self, viewer: str) -> None:
        """The reader opened a ticket or said an article answered them: their pending view is no deflection."""
        _guarded(lambda: self.reports.drop_view(viewer), viewer)

    def sweep(self) -> dict[str, Any]:
        """Count the pending views that fell due; one that fails stays pending for the next run."""
        from botocore.exceptions import BotoCoreError, ClientError

        from chalicelib.core import observability

        due = self.reports.due_views(self.clock(), BATCH)
        counted = failed = 0
        for view in due:
            try:
                counted += self.reports.count_view(view)
            except (BotoCoreError, ClientError, RuntimeError):
                observability.logger().exception("probable deflection not counted", extra={"day": str(view.day)})
                failed += 1
        observability.count("KbProbableDeflections", counted)
        return {"due": len(due), "counted": counted, "failed": failed}


def _guarded(write: Any, viewer: str) -> None:
    try:
        write()
    except Exception:  # noqa: BLE001 - a reader's page never fails for a report counter: logged, counted
        from chalicelib.core import observability

        observability.logger().exception("probable deflection not tracked", extra={"viewer": viewer})
        observability.count("ReportKbCountFailed")
