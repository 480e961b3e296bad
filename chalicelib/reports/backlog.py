"""Backlog now: the unsolved tickets by status and by age (time since creation), read from the ticket views.

One paged Query per unsolved status on the ``by_status`` index (its sort key puts unsolved tickets first:
``A#``), never a Scan. Cost is bounded: at most ``MAX_PER_STATUS`` tickets are read per status, in pages of
``PAGE`` (so at most 4 x 4 Queries of at most 1 MB each); a status with more unsolved tickets than that is
counted up to the cap and the answer says ``complete: false``. Within the cap the cost grows with the backlog,
never with the table (solved and closed tickets are not read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain.tickets import Status
from chalicelib.domain.views import View, ViewKind

if TYPE_CHECKING:
    from chalicelib.storage.ports import TicketRepository

UNSOLVED = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
HOUR = 3600
# (name, upper bound of the age in seconds, exclusive; None: no bound)
BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under_1h", HOUR),
    ("1h_8h", 8 * HOUR),
    ("8h_24h", 24 * HOUR),
    ("1d_3d", 72 * HOUR),
    ("3d_7d", 168 * HOUR),
    ("over_7d", None),
)
PAGE = 500
MAX_PER_STATUS = 2000


@dataclass(frozen=True)
class Backlog:
    as_of: datetime
    # status -> bucket name -> tickets (every status of UNSOLVED and every bucket present, zeros too)
    counts: dict[str, dict[str, int]]
    complete: bool
    queries: int

    @property
    def total(self) -> int:
        return sum(sum(ages.values()) for ages in self.counts.values())

    def by_age(self) -> dict[str, int]:
        return {name: sum(ages[name] for ages in self.counts.values()) for name, _ in BUCKETS}


def age_bucket(age_s: float) -> str:
    for name, upper in BUCKETS:
        if upper is None or age_s < upper:
            return name
    raise AssertionError("the last bucket has no bound")  # pragma: no cover


def backlog(tickets: TicketRepository, clock: Callable[[], datetime]) -> Backlog:
    """Count the unsolved tickets now, per status and age bucket."""
    now, complete, queries = clock(), True, 0
    counts: dict[str, dict[str, int]] = {}
    for status in UNSOLVED:
        ages = dict.fromkeys((name for name, _ in BUCKETS), 0)
        start, seen = None, 0
        while True:
            page = tickets.list_view(View(ViewKind.STATUS, str(status)), PAGE, start)
            queries += 1
            for ticket in page.items:
                ages[age_bucket((now - ticket.created_at).total_seconds())] += 1
            seen, start = seen + len(page.items), page.next_key
            if start is None:
                break
            if seen >= MAX_PER_STATUS:
                complete = False
                break
        counts[str(status)] = ages
    return Backlog(now, counts, complete, queries)
