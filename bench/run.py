"""``python -m bench``: run every section, write ``bench/results.json``, print the table.

Exit status 0 when every self-check passed (targets that are not met are findings, not failures), 1 when a
self-check failed, 2 when a section could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import chat, cold_start, ddb_requests, email, end_to_end, kb, portal, selfcheck, sla_sweep
from bench.ddb_requests import log
from bench.latency import Latency
from bench.report import Check, render
from bench.routing import Routing
from devtools.localenv import ROOT
from devtools.progress import bar

BENCH = ROOT / "bench"
RAW = BENCH / "raw"  # logs of the child processes (ignored by git)
COLD_START_TARGET = 1.3
ROUTING_DECISIONS = 50
SLA_SIZES = (1000, 100_000)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _meta(args: argparse.Namespace, sizes: tuple[int, int]) -> dict[str, Any]:
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "machine": {
            "nproc": nproc,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "table_sizes": {"tickets": list(sizes)},
        "quick": args.quick,
    }


def _child_processes() -> list[str]:
    """Processes whose parent is this one (Linux /proc), as 'pid command'."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, _, rest = text.rpartition(")")
        if int(rest.split()[1]) == os.getpid():
            found.append(f"{stat.parent.name} {command.partition('(')[2]}")
    return found


# In the order of results.json; they run cold start first (nothing else running yet).
SECTIONS = (
    "ddb_requests",
    "end_to_end",
    "cold_start",
    "cold_start_ms",
    "api_latency_ms",
    "email",
    "routing",
    "sla_sweep",
    "portal",
    "kb",
    "chat",
    "reports",
)
# The keys of results.json, in order: ``end_to_end`` also writes ``thread_growth``.
RESULT_KEYS = (SECTIONS[0], "end_to_end", "thread_growth", *SECTIONS[2:])
COLD_RUNS = 11
PORTAL_SAMPLES = 200


def _sections(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in SECTIONS]
    if unknown or not names:
        known = ", ".join(SECTIONS)
        raise argparse.ArgumentTypeError(f"unknown section {', '.join(unknown) or '(none)'}; choose from {known}")
    return tuple(n for n in SECTIONS if n in names)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and few samples (a smoke test; writes bench/raw/results.quick.json)",
    )
    parser.add_argument(
        "--only",
        type=_sections,
        default=SECTIONS,
        metavar="SECTION[,SECTION...]",
        help=f"run only these sections ({', '.join(SECTIONS)}); writes bench/raw/results.<sections>.json",
    )
    parser.add_argument("--output", type=Path, help="where to write the results (default bench/results.json)")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="also put the sections that ran into bench/results.json (each with its run's date, commit, load and "
        "self-checks under 'run'), leaving the other sections and meta as they are",
    )
    return parser.parse_args(argv)


def _default_output(args: argparse.Namespace) -> Path:
    """bench/results.json for a full run; partial and quick runs go to bench/raw/ so they never replace it."""
    if args.only != SECTIONS:
        return RAW / f"results.{'+'.join(args.only)}{'.quick' if args.quick else ''}.json"
    return RAW / "results.quick.json" if args.quick else BENCH / "results.json"


@dataclass
class Run:
    """One bench run: what the sections read (arguments, sizes) and what they add to (results, checks, meta)."""

    args: argparse.Namespace
    env: dict[str, str]
    sizes: tuple[int, int]
    sla_sizes: tuple[int, int]
    results: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    samples: dict[str, Any] = field(default_factory=dict)

    @property
    def quick(self) -> bool:
        return bool(self.args.quick)


def _cold_start(run: Run) -> None:
    cold_runs = 7 if run.quick else 11
    log(f"cold_start_ms: {cold_runs} interleaved runs each of 'import app' and 'import boto3'")
    cold, run.samples["cold_start_ms"] = cold_start.measure(run.env, cold_runs, RAW / "pycache")
    log(f"cold_start_ms: {cold}")
    run.results["cold_start_ms"] = cold


def _first_response(run: Run) -> None:
    runs = 5 if run.quick else COLD_RUNS
    log(f"cold_start: {runs} fresh processes each: the app answering GET /v1/tickets/{{id}}, boto3 doing one GetItem")
    run.results["cold_start"], samples = cold_start.first_response(run.env, runs, RAW / "pycache")
    log(f"cold_start: {run.results['cold_start']}")
    run.meta["cold_start_first_response_samples_ms"] = {k: [round(v, 1) for v in vs] for k, vs in samples.items()}
    if run.results["cold_start"]["ratio"] > COLD_START_TARGET:
        run.findings.append(
            f"cold start: the app's first answer takes {run.results['cold_start']['ratio']} x a boto3 GetItem "
            f"(target <= {COLD_START_TARGET})"
        )


def _ddb_requests(run: Run) -> None:
    reps = (2, 1) if run.quick else (3, 1)
    log(f"ddb_requests: {run.sizes[0]} and {run.sizes[1]} tickets, {reps} repetitions")
    bench = ddb_requests.Bench(run.sizes, reps, RAW / "moto.log")
    run.results["ddb_requests"] = bench.run()
    run.checks += bench.checks
    run.meta["table_sizes"]["items"] = bench.table_items
    run.meta["ddb_detail"] = bench.detail


def _end_to_end(run: Run) -> None:
    reps = (1, 1) if run.quick else (2, 1)
    log(f"end_to_end: every flow with its consumers at {run.sizes[0]} and {run.sizes[1]} tickets, {reps} repetitions")
    bench = end_to_end.EndToEnd(run.sizes, reps, RAW / "moto-end-to-end.log")
    measured = bench.run()
    run.results["end_to_end"], run.results["thread_growth"] = measured["end_to_end"], measured["thread_growth"]
    run.checks += bench.checks
    run.meta["end_to_end_detail"] = measured["detail"]
    recorded = _recorded()
    if recorded is not None and not run.quick:
        run.checks += selfcheck.no_flow_grew(measured, recorded)


def _recorded() -> dict[str, Any] | None:
    """The committed bench/results.json (what a later run's per-flow counts must not rise above)."""
    try:
        return dict(json.loads((BENCH / "results.json").read_text()))
    except (OSError, ValueError):
        return None


def _api_latency(run: Run) -> None:
    reads, writes = (20, 10) if run.quick else (100, 50)
    log(f"api_latency_ms: local stack, {reads} requests per read, {writes} per write, new connection each")
    latency_bench = Latency(run.env, reads, writes, RAW / "stack.log")
    run.results["api_latency_ms"], run.samples["api_latency_ms"] = latency_bench.run()
    run.checks += latency_bench.checks
    run.meta["api_latency_drift"] = latency_bench.drift
    run.meta["api_latency_settle_s"] = latency_bench.settle_seconds


def _email(run: Run) -> None:
    log("email: inbound mail through the real ingest handler against moto; parse time on the corpus")
    email_results = email.run()
    log(
        f"email: {email_results['ingest_per_second']} mails/s, requests per mail "
        f"{ {k: v['requests'] for k, v in email_results['ddb_requests'].items()} }"
    )
    run.results["email"] = email_results


def _routing(run: Run) -> None:
    decisions = 10 if run.quick else ROUTING_DECISIONS
    log(f"routing: ticket.created through the Router at {run.sizes[0]} and {run.sizes[1]} tickets, {decisions} timed")
    router_bench = Routing(run.sizes, decisions, RAW / "moto-routing.log")
    run.results["routing"] = router_bench.run()
    run.checks += router_bench.checks
    run.meta["routing_detail"] = router_bench.detail


def _sla_sweep(run: Run) -> None:
    log(f"sla_sweep: one sweep with {sla_sweep.DUE} tickets due among {run.sla_sizes[0]} and {run.sla_sizes[1]}")
    sweep_bench = sla_sweep.SlaSweep(run.sla_sizes, RAW / "moto-sla.log")
    run.results["sla_sweep"] = sweep_bench.run()
    run.checks += sweep_bench.checks
    run.meta["sla_sweep_detail"] = sweep_bench.detail


def _portal(run: Run) -> None:
    samples = 20 if run.quick else PORTAL_SAMPLES
    log(f"portal: every page {samples} times through chalice.test.Client, in-memory services")
    run.results["portal"] = portal.run(samples)


def _kb(run: Run) -> None:
    log("kb: banking77 relevance, 2,000-article speed and cold start, publish-to-searchable on the local stack")
    run.results["kb"], kb_checks, kb_findings = kb.run(run.env, RAW)
    run.checks += kb_checks
    run.findings += kb_findings


def _chat(run: Run) -> None:
    log("chat: message latency on the local stack; DynamoDB requests per message at 10, 100 and 1,000 messages")
    run.results["chat"], chat_checks = chat.run(run.env, RAW, quick=run.quick)
    run.checks += chat_checks


def _reports(run: Run) -> None:
    from bench.reports import Reports

    log("reports: 31 days x 50 agents by agent, aggregator requests per event, event -> report on the local stack")
    reports_bench = Reports(RAW, quick=run.quick)
    run.results["reports"] = reports_bench.run(run.env)
    run.checks += reports_bench.checks


# In the order they run: cold start first (nothing else running yet).
SECTION_RUNNERS: dict[str, Callable[[Run], None]] = {
    "cold_start_ms": _cold_start,
    "cold_start": _first_response,
    "ddb_requests": _ddb_requests,
    "end_to_end": _end_to_end,
    "api_latency_ms": _api_latency,
    "email": _email,
    "routing": _routing,
    "sla_sweep": _sla_sweep,
    "portal": _portal,
    "kb": _kb,
    "chat": _chat,
    "reports": _reports,
}


def _targets(run: Run) -> None:
    """Whether the measured figures meet their targets, and the notes that say how to read them."""
    results, meta, targets = run.results, run.meta, {}
    if "ddb_requests" in results:
        grows = ddb_requests.growth(results["ddb_requests"], run.sizes)
        if grows:
            run.findings.append(f"request count grows with the table: {', '.join(grows)}")
        targets["ddb_requests_constant"] = not grows
        meta["capacity_source"] = (
            "computed from item sizes by DynamoDB's rounding rules (bench/capacity.py); moto's own "
            "ConsumedCapacity is a fixed placeholder and missing for TransactWriteItems: see "
            "ddb_detail.moto_reported_capacity"
        )
        meta["auth"] = (
            "excluded from every operation; the 'auth' row is one authentication: the agent (and an API token) "
            "read strongly consistent on every request, so deactivating or demoting an agent takes effect at once"
        )
    if "cold_start_ms" in results:
        cold = results["cold_start_ms"]
        if cold["ratio"] > COLD_START_TARGET:
            run.findings.append(
                f"cold start: import app is {cold['ratio']} x import boto3 (target <= {COLD_START_TARGET})"
            )
        targets["cold_start_app_le_1_3_boto3"] = cold["ratio"] <= COLD_START_TARGET
        meta["cold_start_samples_ms"] = {k: [round(v, 1) for v in vs] for k, vs in run.samples["cold_start_ms"].items()}
    if "api_latency_ms" in results:
        meta["api_latency_samples"] = run.samples["api_latency_ms"]
    meta["targets"] = targets


def _merge(results: dict[str, Any], checks: list[Check], into: Path) -> None:
    """The sections of a partial run into ``into``, each with what says how it was run; nothing else changes."""
    meta = results["meta"]
    merged = json.loads(into.read_text()) if into.exists() else {}
    names = [*meta["sections"], *(["thread_growth"] if "thread_growth" in results else [])]
    for name in names:
        ran = [c for c in checks if c.name.startswith((f"{name}:", f"{name} ", f"bench-{name}", "bench:", "results:"))]
        merged[name] = {
            **results[name],
            "run": {
                "date": meta["date"],
                "git_commit": meta["git_commit"],
                "git_dirty": meta["git_dirty"],
                "machine": meta["machine"],
                "seconds": meta["section_seconds"].get(name),
                "self_checks": f"{sum(c.ok for c in ran)}/{len(ran)} passed",
                "failed_checks": [c.name for c in ran if not c.ok],
            },
        }
    # The sections' details in ``meta`` (``end_to_end_detail``, ``cold_start_first_response_samples_ms``, ...)
    # go with them, or the file would pair new figures with the details of an older run.
    prefixes = tuple(f"{name}_" for name in names) + (("ddb_",) if "ddb_requests" in names else ())
    merged_meta = merged.setdefault("meta", {})
    for key, value in meta.items():
        if key.startswith(prefixes):
            merged_meta[key] = value
    ordered = {key: merged[key] for key in (*RESULT_KEYS, "meta") if key in merged}
    into.write_text(json.dumps(ordered, indent=2) + "\n")


def main(argv: list[str] | None = None, child_env: dict[str, str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    sizes = (100, 1000) if args.quick else (1000, 10000)
    env = dict(child_env if child_env is not None else os.environ)
    run = Run(args, env, sizes, (100, 1000) if args.quick else SLA_SIZES, checks=selfcheck.capacity_model())
    output = args.output or _default_output(args)
    RAW.mkdir(exist_ok=True)
    threads_before = {t.ident for t in threading.enumerate()}
    run.meta = _meta(args, sizes)
    run.meta["sections"] = list(args.only)
    sections: dict[str, float] = {}
    progress = bar("make bench", total=len(args.only), unit="section")
    try:
        for name, runner in SECTION_RUNNERS.items():
            if name in args.only:
                mark = time.perf_counter()
                runner(run)
                sections[name] = round(time.perf_counter() - mark, 1)
                progress.update()
    except Exception:  # a section broke: say so with its traceback, exit 2 (its own cleanup already ran)
        traceback.print_exc()
        log("bench: a section failed; no results written")
        return 2
    finally:
        progress.close()
    run.meta["section_seconds"] = sections
    _targets(run)
    results = {key: run.results[key] for key in RESULT_KEYS if key in run.results}
    results["meta"] = meta = run.meta
    checks = run.checks + selfcheck.structure(results, sizes, run.sla_sizes)
    stray = [t.name for t in threading.enumerate() if t.ident not in threads_before]
    checks.append(Check("bench: no threads left behind", not stray, ", ".join(stray)))
    children = _child_processes()
    checks.append(Check("bench: no child processes left behind", not children, ", ".join(children)))
    meta["runtime_s"] = round(time.perf_counter() - began, 1)
    meta["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    meta["self_checks"] = [c.as_dict() for c in checks]
    meta["findings"] = run.findings
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    if args.merge and output != BENCH / "results.json":
        _merge(results, checks, BENCH / "results.json")
    print(render(results))
    print(
        f"\nwrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output} in {meta['runtime_s']} s",
        flush=True,
    )
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
