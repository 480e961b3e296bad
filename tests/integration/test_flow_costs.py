"""What one flow costs in DynamoDB requests with every consumer it sets off (``bench/end_to_end.py``, run here at a
small size, in-process against its own moto server): no flow makes more requests than ``bench/results.json``
recorded, no count grows with the table, and a reply costs the same requests on a ticket of 5 and of 100
timeline entries. A change that adds a request to a flow or a consumer fails here before it reaches the bench."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.end_to_end import FLOWS, GROWTH_FLOWS, EndToEnd
from bench.report import Check

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results.json"
SIZES = (30, 60)


@pytest.fixture(scope="module")
def measured() -> tuple[dict[str, Any], list[Check]]:
    bench = EndToEnd(SIZES, (1, 1))
    return bench.run(), bench.checks


def recorded() -> dict[str, Any]:
    return dict(json.loads(RESULTS.read_text()))


def test_no_flow_makes_more_requests_than_the_bench_recorded(measured: tuple[dict[str, Any], list[Check]]) -> None:
    results, _ = measured
    ceiling = recorded()["end_to_end"]
    for flow in FLOWS:
        limit = min(v["requests"] for v in ceiling[flow].values())
        got = {size: v["requests"] for size, v in results["end_to_end"][flow].items()}
        assert max(got.values()) <= limit, f"{flow}: {got} requests, results.json says {limit}"


def test_no_flow_grows_with_the_table(measured: tuple[dict[str, Any], list[Check]]) -> None:
    results, _ = measured
    for flow in FLOWS:
        assert len({json.dumps(v, sort_keys=True) for v in results["end_to_end"][flow].values()}) == 1, flow


def test_a_reply_costs_the_same_requests_on_a_long_thread(measured: tuple[dict[str, Any], list[Check]]) -> None:
    results, _ = measured
    ceiling = recorded()["thread_growth"]
    for flow in GROWTH_FLOWS:
        assert results["thread_growth"][flow]["5"] == results["thread_growth"][flow]["100"], flow
        assert results["thread_growth"][flow]["100"] <= ceiling[flow]["100"], flow


def test_the_reports_consumer_reads_as_much_on_a_long_thread(measured: tuple[dict[str, Any], list[Check]]) -> None:
    """Read units, not only requests: the reports consumer reads its kept replay and one entry, never the
    timeline (decision 011)."""
    results, _ = measured
    units = results["detail"]["thread_growth_units"]
    for flow in GROWTH_FLOWS:
        by_size = {size: u["read_units_by_phase"].get("reports") for size, u in units[flow].items()}
        assert by_size["5"] == by_size["100"] and by_size["5"], (flow, by_size)


def test_the_measurement_checked_itself(measured: tuple[dict[str, Any], list[Check]]) -> None:
    """No Scan, no failed call or consumer, every call seen by the server too, one ticket closed by the sweep."""
    _, checks = measured
    assert [c.name + ": " + c.detail for c in checks if not c.ok] == []
