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
    ddb = results["ddb_requests"]
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
    out.append(
        "ddb_requests  (DynamoDB requests and capacity units per API call; 'auth' = per request with a cold "
        "agent cache, excluded from the other rows)"
    )
    out.append(_table(["operation", *(f"req@{s}" for s in sizes), *(f"cap@{s}" for s in sizes), "constant"], rows))
    out.append("")
    cold = results["cold_start_ms"]
    out.append("cold_start_ms  (whole process, median of interleaved runs)")
    out.append(
        _table(
            ["import", "ms"],
            [["app", _num(cold["app"])], ["boto3", _num(cold["boto3"])], ["ratio app/boto3", _num(cold["ratio"], 2)]],
        )
    )
    out.append(f"target app <= 1.3 x boto3: {'met' if cold['ratio'] <= 1.3 else 'NOT met'}")
    out.append("")
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
    failed = [c for c in meta["self_checks"] if not c["ok"]]
    out.append(f"self-checks: {len(meta['self_checks']) - len(failed)}/{len(meta['self_checks'])} passed")
    for check in failed:
        out.append(f"  FAILED {check['name']}: {check['detail']}")
    for finding in meta.get("findings", []):
        out.append(f"  finding: {finding}")
    return "\n".join(out)
