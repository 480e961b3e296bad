"""Checks the benchmark makes of itself: the capacity model against the Developer Guide's examples, and the
shape of the results. (The sections add their own: hooks against the server-side count, stable repetitions,
no retries, a clean shutdown.)"""

from __future__ import annotations

from typing import Any

from bench import capacity
from bench.report import Check

LATENCY_OPERATIONS = (
    "create_ticket",
    "reply",
    "note",
    "update",
    "get_ticket_timeline",
    "view_unassigned",
    "view_mine",
    "view_assignee",
    "view_team",
    "view_status",
    "view_priority",
    "view_requester",
    "view_organization",
    "baseline_ddb_getitem",
)
DDB_OPERATIONS = (
    "create_ticket",
    "reply",
    "note",
    "update",
    "view_unassigned",
    "view_mine",
    "view_assignee",
    "view_team",
    "view_status",
    "view_priority",
    "view_requester",
    "view_organization",
    "get_ticket_timeline",
    "get_by_number",
    "customer_lookup_email",
    "auth",
)


def capacity_model() -> list[Check]:
    s = {"S": "x" * 3000}
    index = capacity.IndexKey("by_team", "team_key", "view_sk")
    before = {"pk": {"S": "T#1"}, "sk": {"S": "T"}, "team_key": {"S": "a"}, "view_sk": {"S": "A#1"}}
    moved = {**before, "team_key": {"S": "b"}}
    cases = [
        # (what, got, expected)
        ("string size is UTF-8 bytes of name and value", capacity.item_size({"name": {"S": "héllo"}}), 4 + 6),
        ("number size: 1 byte per 2 significant digits + 1", capacity.item_size({"n": {"N": "12345"}}), 1 + 4),
        ("zeros are trimmed from numbers", capacity.number_size("1000.00"), 2),
        (
            "list: 3 bytes + 1 per element",
            capacity.item_size({"l": {"L": [{"S": "ab"}, {"BOOL": True}]}}),
            1 + 3 + (2 + 1) + (1 + 1),
        ),
        (
            "map: 3 bytes + names + 1 per element",
            capacity.item_size({"m": {"M": {"k": {"S": "v"}}}}),
            1 + 3 + (1 + 1 + 1),
        ),
        ("guide: 3.5 KB strongly consistent read = 1 RCU", capacity.read_units(3584, consistent=True), 1.0),
        ("guide: 10 KB strongly consistent read = 3 RCU", capacity.read_units(10240, consistent=True), 3.0),
        ("eventually consistent read = half", capacity.read_units(4096), 0.5),
        ("a read that finds nothing costs the minimum", capacity.read_units(0), 0.5),
        ("guide: 3.5 KB write = 4 WCU", capacity.write_units(3584), 4.0),
        ("transactional write = twice", capacity.write_units(3584, transactional=True), 8.0),
        ("item_write: larger of before and after", capacity.item_write({"a": s}, None, []).write_table, 3.0),
        ("index: changed key = delete + put", capacity.index_write_units(before, moved, [index]), 2.0),
        (
            "index: same key, other change = 1",
            capacity.index_write_units(before, {**before, "x": {"S": "1"}}, [index]),
            1.0,
        ),
        ("index: unchanged item = 0", capacity.index_write_units(before, dict(before), [index]), 0.0),
        ("index: item leaves the index = 1", capacity.index_write_units(before, {"pk": before["pk"]}, [index]), 1.0),
    ]
    return [
        Check(f"capacity model: {what}", got == expected, f"got {got}, expected {expected}")
        for what, got, expected in cases
    ]


def structure(results: dict[str, Any], sizes: tuple[int, int], sla_sizes: tuple[int, int]) -> list[Check]:
    """The shape of every section that ran (``meta.sections``)."""
    ran = results["meta"]["sections"]
    missing = [name for name in ran if name not in results]
    checks = [Check("results: every section that ran is in the results", not missing, ", ".join(missing))]
    keys = [str(s) for s in sizes]
    if "ddb_requests" in ran:
        ddb = results.get("ddb_requests", {})
        shape_ok = list(ddb) == list(DDB_OPERATIONS) and all(
            set(ddb[op]) == set(keys)
            and all(isinstance(ddb[op][k]["requests"], int) and isinstance(ddb[op][k]["capacity"], float) for k in keys)
            for op in ddb
        )
        checks.append(Check("results: ddb_requests has every operation at both sizes", shape_ok, ", ".join(ddb)))
    if "end_to_end" in ran:
        from bench.end_to_end import FLOWS, GROWTH_FLOWS, THREAD_SIZES

        e2e, growth = results.get("end_to_end", {}), results.get("thread_growth", {})
        e2e_ok = list(e2e) == list(FLOWS) and all(
            set(e2e[f]) == set(keys)
            and all(set(v) == {"requests", "read_units", "write_units"} for v in e2e[f].values())
            for f in e2e
        )
        growth_ok = list(growth) == list(GROWTH_FLOWS) and all(
            set(growth[f]) == {str(n) for n in THREAD_SIZES} for f in growth
        )
        checks.append(Check("results: end_to_end has every flow at both sizes", e2e_ok, ", ".join(e2e)))
        checks.append(Check("results: thread_growth has both flows at 5 and 100 entries", growth_ok, str(growth)))
    if "portal" in ran:
        from bench.portal import PAGES

        render = results.get("portal", {}).get("render_ms", {})
        portal_ok = list(render) == list(PAGES) and all(0 < v["median"] <= v["p95"] for v in render.values())
        checks.append(Check("results: portal has every page, median <= p95", portal_ok, ", ".join(render)))
    if "cold_start_ms" in ran:
        cold = results.get("cold_start_ms", {})
        checks.append(
            Check(
                "results: cold_start_ms has app, boto3, ratio",
                set(cold) == {"app", "boto3", "ratio"} and all(v > 0 for v in cold.values()),
                str(cold),
            )
        )
    if "api_latency_ms" in ran:
        latency = results.get("api_latency_ms", {})
        latency_ok = list(latency) == list(LATENCY_OPERATIONS) and all(
            0 < v["median"] <= v["p99"] for v in latency.values()
        )
        checks.append(
            Check(
                "results: api_latency_ms has every operation and the baseline, median <= p99",
                latency_ok,
                ", ".join(latency),
            )
        )
    if "routing" in ran:
        routing = results.get("routing", {})
        per_ticket = routing.get("requests_per_ticket", {})
        routing_ok = (
            list(per_ticket) == keys
            and all(_counted(v) for v in per_ticket.values())
            and list(routing.get("decisions_per_second", {})) == keys
            and all(v > 0 for v in routing["decisions_per_second"].values())
            and _counted(routing.get("config_refresh", {}))
        )
        checks.append(
            Check(
                "results: routing has requests per ticket and decisions per second at both sizes",
                routing_ok,
                ", ".join(routing),
            )
        )
    if "sla_sweep" in ran:
        sweep = results.get("sla_sweep", {})
        sla_keys = [str(s) for s in sla_sizes]
        checks.append(
            Check(
                "results: sla_sweep has requests by operation at both sizes",
                list(sweep) == sla_keys and all(_counted(v) for v in sweep.values()),
                ", ".join(sweep),
            )
        )
    return checks


def _counted(entry: dict[str, Any]) -> bool:
    """``{"requests": n, "by_operation": {...}}`` with n the sum of the operations."""
    by_operation = entry.get("by_operation", {})
    return isinstance(entry.get("requests"), int) and sum(by_operation.values()) == entry["requests"]


def no_flow_grew(measured: dict[str, Any], recorded: dict[str, Any]) -> list[Check]:
    """Every flow's requests (per size) and the thread-growth pair at most what ``recorded`` (the committed
    results.json) says: a change that adds a DynamoDB request to a flow or a consumer fails the run."""
    checks = []
    for section in ("end_to_end", "thread_growth"):
        for flow, sizes in (recorded.get(section) or {}).items():
            if flow == "run":
                continue  # the section's run record (``--merge``), not a flow
            for size, before in sizes.items():
                now = (measured.get(section) or {}).get(flow, {}).get(size)
                limit = before["requests"] if isinstance(before, dict) else before
                got = now["requests"] if isinstance(now, dict) else now
                checks.append(
                    Check(
                        f"{section} {flow}@{size}: no more requests than results.json",
                        got is not None and got <= limit,
                        f"{got} (recorded {limit})",
                    )
                )
    return checks
