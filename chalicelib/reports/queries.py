"""Report queries: read the daily items of the days asked (one Query per month touched per dimension), add
them up per group, and compute the figures. Cost grows with days x groups, never with tickets.

Daily items are kept in the desk's zone (``report_time_zone``). A query in another zone is answered when that
zone starts every day of the range at the same instants as the desk's zone (same offsets: e.g. Europe/Berlin
for a Europe/Paris desk); otherwise it is refused (400 naming ``tz``): its days cut the desk's days apart and
no sum of whole days would answer it truly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chalicelib.core.errors import FieldError
from chalicelib.domain.reports import ALL, KB
from chalicelib.reports.figures import Figures, figures, merged

if TYPE_CHECKING:
    from chalicelib.domain.reports import DayCounts
    from chalicelib.storage.slice_ports import ReportRepository

MAX_DAYS = 366


@dataclass(frozen=True)
class Group:
    key: str
    figures: Figures


@dataclass(frozen=True)
class Day:
    day: date
    figures: Figures


def _midnights(zone: ZoneInfo, first: date, last: date) -> list[datetime]:
    days = (last - first).days + 2
    return [datetime.combine(first + timedelta(days=n), time(0), zone).astimezone(UTC) for n in range(days)]


class ReportQueries:
    def __init__(self, reports: ReportRepository, desk_zone: str) -> None:
        self.reports = reports
        self.zone = ZoneInfo(desk_zone)
        self.desk_zone = desk_zone

    def check(self, first: date, last: date, tz: str | None) -> None:
        """Refuse a range the items cannot answer (``FieldError`` naming ``to`` or ``tz``)."""
        if last < first:
            raise FieldError("to", "must be on or after from")
        if (last - first).days + 1 > MAX_DAYS:
            raise FieldError("to", f"a report covers at most {MAX_DAYS} days")
        if tz is not None and tz != self.desk_zone and not self._same_days(ZoneInfo(tz), first, last):
            raise FieldError(
                "tz",
                f"reports are kept by day in {self.desk_zone}; days in {tz} start at other instants in this "
                f"range: ask in {self.desk_zone} or a zone with the same offsets",
            )

    def _same_days(self, zone: ZoneInfo, first: date, last: date) -> bool:
        return _midnights(zone, first, last) == _midnights(self.zone, first, last)

    def summary(self, first: date, last: date, tz: str | None, group_by: str | None) -> list[Group]:
        """One group per value of ``group_by`` seen in the range (``all`` alone without it)."""
        self.check(first, last, tz)
        per_key: defaultdict[str, list[Mapping[str, int]]] = defaultdict(list)
        for item in self._items(first, last, group_by):
            per_key[item.key].append(item.counts)
        desk = group_by is None
        return [Group(key, figures(merged(counts), desk)) for key, counts in sorted(per_key.items())]

    def _items(self, first: date, last: date, group_by: str | None) -> list[DayCounts]:
        """The daily items of the dimension; for the whole desk, its knowledge base items too (key ``all``,
        one more Query per month)."""
        items = self.reports.days(group_by or ALL, first, last)
        return items if group_by else items + self.reports.days(KB, first, last)

    def series(self, first: date, last: date, tz: str | None, group_by: str | None, key: str | None) -> list[Day]:
        """Every day of the range (empty days too), for one group (the whole desk by default)."""
        self.check(first, last, tz)
        wanted = key if group_by else ALL
        per_day: defaultdict[date, list[Mapping[str, int]]] = defaultdict(list)
        for item in self._items(first, last, group_by):
            if item.key == wanted:
                per_day[item.day].append(item.counts)
        count = (last - first).days + 1
        days = [first + timedelta(days=n) for n in range(count)]
        return [Day(d, figures(merged(per_day.get(d, [])), group_by is None)) for d in days]
