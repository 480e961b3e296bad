"""The data lake's named queries (the SQL Athena runs, ``infra/queries``) run in DuckDB over Parquet files laid out
as Firehose writes them (``day=YYYY-MM-DD/``), and agree with the daily report items on the golden fixture:
the recomputed daily aggregates equal every item exactly, the per-agent, per-team and per-channel queries
equal the reports' figures, and the SQL's exact median is the brute-force one, which the histogram's is
within its bound of. Events arrive shuffled and a tenth of them twice: their rows reach the lake twice, and
every query counts them once (the stable row id)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.bootstrap.reports import sla_judge
from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.reports import DIMENSIONS
from chalicelib.reports.facts import facts_at
from chalicelib.reports.histogram import RELATIVE_ERROR
from chalicelib.reports.lake import COLUMNS, PARTITION, rows_of
from chalicelib.reports.queries import ReportQueries
from chalicelib.reports.rollup import tallies
from devtools.lake import LocalLake, named_queries
from tests.fakes.memory_reports import InMemoryReportRepository
from tests.unit.reports.brute import truth
from tests.unit.reports.golden import DESK_ZONE, POLICIES, fixture
from tests.unit.reports.script import Script

ZONE = ZoneInfo(DESK_ZONE)
# The fixture's own range (tickets created in November 2026, their stories running into December).
FIRST, LAST = date(2026, 11, 1), date(2026, 12, 31)
WEEK = (date(2026, 11, 9), date(2026, 11, 15))
SQL = named_queries()
# The counters the daily-aggregates query recomputes (histogram buckets and per-rating / per-target counters
# are left to the other queries).
RECOMPUTED = [
    "created",
    "solved",
    "reopened",
    "replies",
    "fcr",
    "fr_n",
    "fr_s",
    "fr_bs",
    "nr_n",
    "nr_s",
    "nr_bs",
    "rs_n",
    "rs_s",
    "rs_bs",
    "sla_a",
    "sla_b",
    "csat_n",
]


@dataclass
class Lake:
    scripts: list[Script]
    repo: InMemoryReportRepository
    queries: ReportQueries
    local: LocalLake
    shipped: int

    def run(self, name: str, first: date = FIRST, last: date = LAST) -> list[dict[str, object]]:
        return self.local.run(SQL[name], first.isoformat(), last.isoformat())


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    scripts = fixture()
    judge = sla_judge(lambda: POLICIES)
    events = [(s, e) for s in scripts for e in s.timeline if e.event in REPORT_EVENTS]
    rng = random.Random(15)
    rng.shuffle(events)
    deliveries = events + rng.sample(events, len(events) // 10)
    repo, local = InMemoryReportRepository(), LocalLake(tmp_path_factory.mktemp("lake") / "facts")
    shipped = 0
    for n, (script, entry) in enumerate(deliveries, start=1):
        facts = facts_at(script.ticket, script.timeline, entry.id, judge)
        repo.add(entry.id, tallies(facts, ZONE), entry.at)
        rows = rows_of(script.ticket.id, entry.id, facts, ZONE)  # shipped on every delivery, as the consumer does
        local.put(rows)
        shipped += len(rows)
        if n % 1000 == 0:
            local.flush()  # several files per day, as Firehose's buffers make
    local.flush()
    return Lake(scripts, repo, ReportQueries(repo, DESK_ZONE), local, shipped)


def test_the_files_are_parquet_by_local_day_with_the_tables_columns_and_redeliveries_in_them(lake: Lake) -> None:
    days = sorted(p.name for p in lake.local.directory.iterdir())
    assert days and all(d.startswith(f"{PARTITION}=") and date.fromisoformat(d.split("=")[1]) for d in days)
    assert all(FIRST.isoformat() <= d.split("=")[1] <= LAST.isoformat() for d in days)
    one = next(lake.local.directory.glob("*/*.parquet"))
    with lake.local.connect() as con:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{one}', hive_partitioning = false)").fetchall()
        total, distinct = con.execute("SELECT count(*), count(DISTINCT id) FROM metric_facts").fetchone() or (0, 0)
    assert [c[0] for c in described] == list(COLUMNS)  # the day is the directory, not a column
    assert total == lake.shipped > distinct > 4000  # the redelivered events' rows are there twice


@pytest.mark.parametrize(("first", "last"), [(FIRST, LAST), WEEK])
def test_the_recomputed_daily_aggregates_equal_every_daily_item(lake: Lake, first: date, last: date) -> None:
    got = {
        (r["dimension"], r["group_key"], date.fromisoformat(str(r["day"]))): {k: r[k] for k in RECOMPUTED if r[k] != 0}
        for r in lake.run("daily_aggregates", first, last)
    }
    want = {
        (item.dimension, item.key, item.day): {k: n for k, n in item.counts.items() if k in RECOMPUTED and n != 0}
        for dimension in DIMENSIONS
        for item in lake.repo.days(dimension, first, last)
    }
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}
    assert {day for _, _, day in got} <= {first + timedelta(days=n) for n in range((last - first).days + 1)}
    assert len(got) > (300 if first == FIRST else 50)


def test_first_reply_by_agent_equals_the_reports_and_its_exact_median_the_brute_force_one(lake: Lake) -> None:
    rows = {r["agent"]: r for r in lake.run("first_reply_median_by_agent")}
    reports = {g.key: g.figures.first_reply_time for g in lake.queries.summary(FIRST, LAST, None, "agent")}
    brute = truth(lake.scripts, "agent", FIRST, LAST, ZONE)
    assert set(rows) == {k for k, d in reports.items() if d.count}
    for agent, row in rows.items():
        durations = reports[agent]
        assert (row["first_replies"], row["total_s"], row["business_total_s"]) == (
            durations.count,
            durations.total_s,
            durations.business_total_s,
        ), agent
        pairs = brute[agent].durations["fr"]
        for column, values, estimate in (
            ("median_s", [p[0] for p in pairs], durations.median_s),
            ("business_median_s", [p[1] for p in pairs], durations.business_median_s),
        ):
            exact = sorted(values)[math.ceil(len(values) / 2) - 1]
            assert row[column] == exact, (agent, column)
            assert estimate is not None and abs(estimate - exact) <= RELATIVE_ERROR * exact + 0.5, (agent, column)


def test_sla_compliance_by_team_equals_the_reports(lake: Lake) -> None:
    rows = {r["team"]: r for r in lake.run("sla_compliance_by_team")}
    reports = {g.key: g.figures for g in lake.queries.summary(FIRST, LAST, None, "team")}
    with_outcomes = {k: f for k, f in reports.items() if f.sla_achieved or f.sla_breached}
    assert set(rows) == set(with_outcomes) and len(rows) == 4  # three teams and none
    for team, f in with_outcomes.items():
        row = rows[team]
        assert (row["achieved"], row["breached"]) == (f.sla_achieved, f.sla_breached), team
        assert round(float(str(row["compliance"])), 4) == f.sla_compliance, team  # figures keep 4 places


def test_csat_by_channel_equals_the_reports(lake: Lake) -> None:
    rows = {r["channel"]: r for r in lake.run("csat_by_channel")}
    reports = {g.key: g.figures for g in lake.queries.summary(FIRST, LAST, None, "channel")}
    answered = {k: f for k, f in reports.items() if f.csat_responses}
    assert set(rows) == set(answered) and len(rows) >= 3
    for channel, f in answered.items():
        row = rows[channel]
        assert row["responses"] == f.csat_responses, channel
        assert {r: row[f"rating_{r}"] for r in range(1, 6) if row[f"rating_{r}"]} == {
            r: n for r, n in f.csat_ratings.items() if n
        }, channel
        assert round(float(str(row["score"])), 4) == f.csat_score, channel


def test_a_range_reads_only_its_days(lake: Lake) -> None:
    (day,) = {r["day"] for r in lake.run("daily_aggregates", WEEK[0], WEEK[0])}
    assert day == WEEK[0].isoformat()
    assert lake.run("daily_aggregates", date(2027, 3, 1), date(2027, 3, 31)) == []


def test_every_named_query_takes_the_first_and_last_day_and_reads_the_table_once_per_id() -> None:
    assert set(SQL) == {"first_reply_median_by_agent", "sla_compliance_by_team", "csat_by_channel", "daily_aggregates"}
    for name, sql in SQL.items():
        code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        assert code.count("?") == 2 and "?" not in sql.replace(code, ""), name
        assert "row_number() OVER (PARTITION BY f.id" in code and "WHERE copy_no = 1" in code, name


def test_a_facts_rows_have_the_same_ids_on_every_delivery(lake: Lake) -> None:
    judge = sla_judge(lambda: POLICIES)
    script = lake.scripts[0]
    for entry in script.timeline:
        once = rows_of(script.ticket.id, entry.id, facts_at(script.ticket, script.timeline, entry.id, judge), ZONE)
        again = rows_of(script.ticket.id, entry.id, facts_at(script.ticket, script.timeline, entry.id, judge), ZONE)
        assert once == again
        assert [r["id"] for r in once] == [f"{entry.id}:{n}" for n in range(len(once))]


def test_local_files_need_no_lambda_dependency() -> None:
    requirements = (Path(__file__).resolve().parents[3] / "requirements.txt").read_text().lower()
    assert "duckdb" not in requirements and "pyarrow" not in requirements
