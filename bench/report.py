"""Self-checks and the printed table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded)

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    out = [
        f"Lambdesk benchmarks  commit {meta['git_commit']}  {meta['date']}  "
        f"nproc {meta['machine']['nproc']}  Python {meta['machine']['python']}",
        "",
    ]
    sizes = [str(s) for s in meta["table_sizes"]["tickets"]]
    if "ddb_requests" in results:
        out += _ddb(results["ddb_requests"], sizes)
    out += _cost(results, sizes)
    if "cold_start_ms" in results:
        cold = results["cold_start_ms"]
        out.append("cold_start_ms  (whole process, median of interleaved runs)")
        out.append(
            _table(
                ["import", "ms"],
                [
                    ["app", _num(cold["app"])],
                    ["boto3", _num(cold["boto3"])],
                    ["ratio app/boto3", _num(cold["ratio"], 2)],
                ],
            )
        )
        out.append(f"target app <= 1.3 x boto3: {'met' if cold['ratio'] <= 1.3 else 'NOT met'}")
        out.append("")
    if "api_latency_ms" in results:
        latency = results["api_latency_ms"]
        samples = meta.get("api_latency_samples", {})
        out.append("api_latency_ms  (local stack, new connection per request)")
        out.append(
            _table(
                ["operation", "n", "median", "p99"],
                [[op, str(samples.get(op, "")), _num(v["median"]), _num(v["p99"])] for op, v in latency.items()],
            )
        )
        out.append("")
    for key, part in (("routing", _routing), ("sla_sweep", _sla_sweep), ("portal", _portal)):
        if key in results:
            out += part(results[key])
    failed = [c for c in meta["self_checks"] if not c["ok"]]
    out.append(f"self-checks: {len(meta['self_checks']) - len(failed)}/{len(meta['self_checks'])} passed")
    for check in failed:
        out.append(f"  FAILED {check['name']}: {check['detail']}")
    for finding in meta.get("findings", []):
        out.append(f"  finding: {finding}")
    for key, part in (("chat", _chat), ("reports", _reports), ("kb", _kb)):
        if key in results:
            out += part(results[key])
    return "\n".join(out)


def _ddb(ddb: dict[str, Any], sizes: list[str]) -> list[str]:
    rows = []
    for op, by_size in ddb.items():
        counts = [by_size[s]["requests"] for s in sizes]
        rows.append(
            [
                op,
                *(str(by_size[s]["requests"]) for s in sizes),
                *(_num(by_size[s]["capacity"]) for s in sizes),
                "yes" if len(set(counts)) == 1 else "NO (grows)",
            ]
        )
    return [
        "ddb_requests  (DynamoDB requests and capacity units per API call; 'auth' = per request with a cold "
        "agent cache, excluded from the other rows)",
        _table(["operation", *(f"req@{s}" for s in sizes), *(f"cap@{s}" for s in sizes), "constant"], rows),
        "",
    ]


def _cost(results: dict[str, Any], sizes: list[str]) -> list[str]:
    """The sections of issue 16: flows end to end, thread growth, the first answer of a fresh process."""
    out = []
    if "end_to_end" in results:
        out += _end_to_end(results["end_to_end"], results.get("thread_growth", {}), sizes)
    if "cold_start" in results:
        out += _first_response(results["cold_start"])
    return out


def _first_response(first: dict[str, Any]) -> list[str]:
    return [
        "cold_start  (fresh process: the app's first authenticated GET vs one boto3 GetItem, median)",
        _table(
            ["process", "ms"],
            [
                ["app, first response (JWT)", _num(first["first_response_ms"])],
                ["boto3 GetItem", _num(first["boto3_getitem_ms"])],
                ["ratio", _num(first["ratio"], 2)],
                *(
                    [
                        ["app, first response (API token)", _num(first["api_token_first_response_ms"])],
                        ["ratio (API token)", _num(first["api_token_ratio"], 2)],
                    ]
                    if "api_token_ratio" in first
                    else []
                ),
            ],
        ),
        f"target <= 1.3: {'met' if first['ratio'] <= 1.3 else 'NOT met'}",
        "",
    ]


def _end_to_end(flows: dict[str, Any], growth: dict[str, Any], sizes: list[str]) -> list[str]:
    rows = [
        [
            flow,
            *(str(by_size[s]["requests"]) for s in sizes if s in by_size),
            *(f"{_num(by_size[s]['read_units'])} / {_num(by_size[s]['write_units'])}" for s in sizes if s in by_size),
        ]
        for flow, by_size in flows.items()
    ]
    growth_line = ", ".join(f"{flow} {v.get('5')} / {v.get('100')}" for flow, v in growth.items())
    return [
        "end_to_end  (DynamoDB requests, read / write units of a flow with every consumer and sweep it sets off)",
        _table(["flow", *(f"req@{s}" for s in sizes), *(f"RRU / WRU@{s}" for s in sizes)], rows),
        f"thread_growth (requests on 5 / 100 timeline entries): {growth_line}",
        "",
    ]


def _operations(entry: dict[str, Any]) -> str:
    return ", ".join(f"{op} {n}" for op, n in entry["by_operation"].items())


def _routing(routing: dict[str, Any]) -> list[str]:
    per_ticket, per_second = routing["requests_per_ticket"], routing["decisions_per_second"]
    rows = [
        [f"{size} tickets", str(v["requests"]), _operations(v), _num(per_second[size])]
        for size, v in per_ticket.items()
    ]
    refresh = routing["config_refresh"]
    rows.append(["config refresh", str(refresh["requests"]), _operations(refresh), "-"])
    return [
        f"routing  (ticket.created through a fresh Router each, warm config cache; decisions/s: "
        f"{routing['decisions']} in a row against moto; 'config refresh' = once per container per 30 s)",
        _table(["table", "requests", "by operation", "decisions/s"], rows),
        "",
    ]


def _sla_sweep(sweep: dict[str, Any]) -> list[str]:
    rows = [
        [f"{size} tickets", str(v["requests"]), _operations(v), f"{v['fired']}/{v['due']}"]
        + [str(v["second_sweep_requests"])]
        for size, v in sweep.items()
    ]
    return [
        "sla_sweep  (one sweep with 10 tickets due, cold config cache; then a second sweep at the same time)",
        _table(["table", "requests", "by operation", "fired/due", "2nd sweep"], rows),
        "",
    ]


def _portal(portal: dict[str, Any]) -> list[str]:
    rows = [[page, _num(v["median"]), _num(v["p95"])] for page, v in portal["render_ms"].items()]
    shipped = ", ".join(f"{name} {v['gzip_kb']} KB" for name, v in portal["shipped"].items())
    return [
        f"portal  ({portal['pages']} pages; server render through chalice.test.Client, {portal['samples']} "
        f"requests each, in-memory services; shipped gzipped: {shipped}; JavaScript {portal['js_gzip_kb']} KB)",
        _table(["page", "median ms", "p95 ms"], rows),
        "",
    ]


def _kb(kb: dict[str, Any]) -> list[str]:
    out = ["kb  (knowledge base search: SQLite FTS5 through apsw)"]
    relevance = kb["relevance"]
    if "skipped" in relevance:
        out.append(f"relevance: skipped ({relevance['skipped']})")
    else:
        rows = [
            [name, _num(r["queries"]), _num(r["mrr_at_3"], 3), _num(r["recall_at_3"], 3)]
            for name, r in (
                ("train, held out (tuning)", relevance["tuning_train_held_out"]),
                ("test", relevance["test"]),
            )
        ]
        out.append(_table(["banking77 queries", "n", "MRR@3", "recall@3"], rows))
    speed = kb["speed"]
    cold = speed.get("cold_first_query_ms", {})
    local = kb.get("local_publish_to_searchable_s", {})
    rows = [
        ["articles", _num(speed["articles"])],
        ["build s", _num(speed["build_s"], 2)],
        ["index MB (gzipped)", f"{speed['index_bytes'] / 1e6:.1f} ({speed['index_gzip_bytes'] / 1e6:.1f})"],
        [
            "search p50 / p95 / max ms",
            f"{speed['search_ms']['p50']} / {speed['search_ms']['p95']} / {speed['search_ms']['max']}",
        ],
        ["first query after a cold start ms (median / max)", f"{_num(cold.get('median'))} / {_num(cold.get('max'))}"],
        [
            "publish to searchable, local stack s (median / max)",
            f"{_num(local.get('median'), 2)} / {_num(local.get('max'), 2)}",
        ],
    ]
    out.append(_table(["speed", "value"], rows))
    out.append("")
    return out


def _chat(chat: dict[str, Any]) -> list[str]:
    latency = chat["latency_ms"]
    rows = [
        [way, str(latency[way]["messages"]), _num(latency[way]["p50"]), _num(latency[way]["p95"])]
        for way in ("customer_to_agent", "agent_to_customer")
    ]
    out = ["", "chat  (local stack; load " + f"{latency['loadavg_before']} -> {latency['loadavg_after']})"]
    out.append(_table(["message", "n", "p50 ms", "p95 ms"], rows))
    sizes = list(chat["requests_per_message"])
    per = chat["requests_per_message"]
    out.append(
        _table(
            ["DynamoDB requests at messages", *sizes],
            [[f"{side} message", *(str(per[s][side]["requests"]) for s in sizes)] for side in ("customer", "agent")]
            + [["resume of 10 events", *(str(chat["resume_10_events"][s]["requests"]) for s in sizes)]],
        )
    )
    return out


def _reports(reports: dict[str, Any]) -> list[str]:
    summary = reports["summary_31_days_by_agent"]
    out = [
        "",
        f"reports  summary {summary['days']} days x {summary['agents']} agents: {summary['items_read']} items, "
        f"{summary['requests']} requests, {summary['read_units']} RCU, {summary['bytes']} bytes, "
        f"moto {summary['moto_wall_ms']['median']} ms, merge {summary['merge_ms']['median']} ms",
    ]
    per_event = reports["aggregator_requests_per_event"]
    for size in ("small", "large"):
        counts = ", ".join(f"{e['type']} {e['requests']}" for e in per_event[size]["events"])
        out.append(f"aggregator requests per event ({size} table): {counts}")
    delay = reports["event_to_report_s"]
    out.append(f"event -> report on the local stack: median {delay['median']} s, max {delay['max']} s")
    return out
