"""Metric facts as rows of the data lake: S3 through Firehose as Parquet, queried with Athena (decision 060).

Every fact the reports consumer derives is also one row of the ``metric_facts`` table, partitioned by the
desk zone's day of the fact (the same day the daily items count it under). A row's ``id`` is
``<entry id>:<n>``, the fact's place among the facts of its timeline entry: the same entry always gives the
same facts in the same order, so a redelivered event ships rows with the same ids and every query keeps one
row per id (``row_number() OVER (PARTITION BY id)``, see ``infra/queries/``). The table's columns are defined
here once: the Glue table (``infra/stacks/lake.py``) and the local Parquet files (``devtools/lake.py``) read
``COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from typing import Protocol
from zoneinfo import ZoneInfo

from chalicelib.reports.facts import Fact
from chalicelib.reports.rollup import local_day

# The table's name, unqualified: the named queries run in the lake's database (Athena) or next to a view of
# this name over the local Parquet files (DuckDB).
TABLE = "metric_facts"
# Column -> Hive/Glue type (the partition key ``day`` is not a column of the files).
COLUMNS: Mapping[str, str] = {
    "id": "string",  # <entry id>:<n>: the same on every delivery of the event; de-duplicate on it
    "entry_id": "string",  # the timeline entry (event id) the fact arose on
    "ticket_id": "string",
    "fact": "string",  # created, first_reply, reply, solved, fcr, fcr_retracted, reopened, csat, sla
    "at": "timestamp",  # UTC
    "assignee_id": "string",  # the ticket's after the entry; null: unassigned
    "team_id": "string",  # null: no team
    "channel": "string",
    "priority": "string",
    "seconds": "bigint",  # durations: whole calendar seconds
    "business_seconds": "bigint",  # whole business seconds on the calendar of the SLA policy in force
    "rating": "int",  # csat: the answer's rating
    "previous_rating": "int",  # csat: the rating it replaces (null: a first answer)
    "policy_id": "string",  # sla: the policy and target whose outcome changed
    "target": "string",
    "achieved": "int",  # sla: change in targets achieved / breached (may be negative)
    "breached": "int",
}
PARTITION = "day"  # yyyy-MM-dd in the desk's report zone
# Firehose's JSON deserializer reads timestamps in java.sql.Timestamp's format.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

Row = dict[str, object]


class LakeSink(Protocol):
    """Where rows go (Firehose in AWS, Parquet files locally). ``put`` returns once every row was accepted, or
    raises: the SQS message then fails and is delivered again, rows and all."""

    def put(self, rows: Sequence[Row]) -> None: ...


def rows_of(ticket_id: str, entry_id: str, facts: Iterable[Fact], zone: ZoneInfo) -> list[Row]:
    """One row per fact, each with its stable id and the desk-zone day it counts under."""
    return [_row(ticket_id, entry_id, n, fact, zone) for n, fact in enumerate(facts)]


def _row(ticket_id: str, entry_id: str, n: int, fact: Fact, zone: ZoneInfo) -> Row:
    m = fact.moment
    return {
        "id": f"{entry_id}:{n}",
        "entry_id": entry_id,
        "ticket_id": ticket_id,
        "fact": fact.name,
        "at": fact.at.astimezone(UTC).strftime(TIMESTAMP_FORMAT),
        "assignee_id": m.assignee_id,
        "team_id": m.team_id,
        "channel": m.channel,
        "priority": m.priority,
        "seconds": fact.seconds,
        "business_seconds": fact.business_seconds,
        "rating": fact.rating,
        "previous_rating": fact.previous_rating,
        "policy_id": fact.policy_id,
        "target": fact.metric,
        "achieved": fact.achieved,
        "breached": fact.breached,
        PARTITION: local_day(fact.at, zone).isoformat(),
    }
