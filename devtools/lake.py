"""The data lake on one machine: the rows Firehose would take, as Parquet files under ``day=YYYY-MM-DD/``,
queried with DuckDB by the same named queries Athena runs (``infra/queries/*.sql``).

moto does not run Athena SQL, so this is where the queries are proven (tests/unit/reports/test_lake.py). The
files mirror what Firehose writes: JSON rows read with the Glue table's column types (``reports.lake.COLUMNS``),
written as Parquet partitioned by the ``day`` of each row, which is not a column of the files themselves.
Developer code only: DuckDB is not a dependency of the Lambda package.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from chalicelib.reports.lake import COLUMNS, PARTITION, TABLE

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "infra" / "queries"
# Glue/Hive column types -> DuckDB's.
DUCKDB_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMP", "bigint": "BIGINT", "int": "INTEGER"}


def named_queries() -> dict[str, str]:
    """Every named query: file stem -> SQL (two positional parameters: the first and last local day)."""
    return {path.stem: path.read_text() for path in sorted(QUERIES.glob("*.sql"))}


def _columns() -> dict[str, str]:
    return {name: DUCKDB_TYPES[kind] for name, kind in COLUMNS.items()} | {PARTITION: "VARCHAR"}


class LocalLake:
    """A ``LakeSink`` that keeps rows until ``flush`` writes them as Parquet files, one per day and flush."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.pending: list[Mapping[str, object]] = []

    def put(self, rows: Sequence[Mapping[str, object]]) -> None:
        self.pending.extend(rows)

    def flush(self) -> None:
        if not self.pending:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            lines = Path(scratch) / "rows.jsonl"
            lines.write_text("".join(json.dumps(row) + "\n" for row in self.pending))
            con = duckdb.connect()
            con.execute(
                f"COPY (SELECT * FROM read_json(?, format = 'newline_delimited', columns = {_struct(_columns())},"
                " timestampformat = '%Y-%m-%d %H:%M:%S.%f'))"
                f" TO '{self.directory}' (FORMAT parquet, PARTITION_BY ({PARTITION}), APPEND,"
                " FILENAME_PATTERN 'facts-{uuid}')",
                [str(lines)],
            )
            con.close()
        self.pending.clear()

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection with the ``metric_facts`` view over every file written, ``day`` a string as in Glue."""
        con = duckdb.connect()
        pattern = str(self.directory / f"{PARTITION}=*" / "*.parquet")
        con.execute(
            f"CREATE VIEW {TABLE} AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true,"
            f" hive_types = {{'{PARTITION}': VARCHAR}})"
        )
        return con

    def run(self, sql: str, first: str, last: str) -> list[dict[str, Any]]:
        """A named query over the local days ``first`` to ``last`` (yyyy-mm-dd), rows as dicts."""
        with self.connect() as con:
            cursor = con.execute(sql, [first, last])
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _struct(columns: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
