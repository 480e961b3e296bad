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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import cold_start, ddb_requests, email, kb, portal, selfcheck, sla_sweep
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
SECTIONS = ("ddb_requests", "cold_start_ms", "api_latency_ms", "email", "routing", "sla_sweep", "portal", "kb")
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
    return parser.parse_args(argv)


def _default_output(args: argparse.Namespace) -> Path:
    """bench/results.json for a full run; partial and quick runs go to bench/raw/ so they never replace it."""
    if args.only != SECTIONS:
        return RAW / f"results.{'+'.join(args.only)}{'.quick' if args.quick else ''}.json"
    return RAW / "results.quick.json" if args.quick else BENCH / "results.json"


def main(argv: list[str] | None = None, child_env: dict[str, str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    env = dict(child_env if child_env is not None else os.environ)
    sizes = (100, 1000) if args.quick else (1000, 10000)
    reps = (2, 1) if args.quick else (3, 1)
    cold_runs = 7 if args.quick else 11
    reads, writes = (20, 10) if args.quick else (100, 50)
    decisions = 10 if args.quick else ROUTING_DECISIONS
    sla_sizes = (100, 1000) if args.quick else SLA_SIZES
    output = args.output or _default_output(args)
    RAW.mkdir(exist_ok=True)
    threads_before = {t.ident for t in threading.enumerate()}

    checks: list[Check] = selfcheck.capacity_model()
    meta = _meta(args, sizes)
    meta["sections"] = list(args.only)
    findings: list[str] = []
    sections: dict[str, float] = {}
    results: dict[str, Any] = {}
    progress = bar("make bench", total=len(args.only), unit="section")
    try:
        if "cold_start_ms" in args.only:
            mark = time.perf_counter()
            log(f"cold_start_ms: {cold_runs} interleaved runs each of 'import app' and 'import boto3'")
            cold, cold_samples = cold_start.measure(env, cold_runs, RAW / "pycache")
            log(f"cold_start_ms: {cold}")
            results["cold_start_ms"] = cold
            sections["cold_start_ms"] = round(time.perf_counter() - mark, 1)
            progress.update()

        if "ddb_requests" in args.only:
            mark = time.perf_counter()
            log(f"ddb_requests: {sizes[0]} and {sizes[1]} tickets, {reps} repetitions")
            bench = ddb_requests.Bench(sizes, reps, RAW / "moto.log")
            results["ddb_requests"] = bench.run()
            checks += bench.checks
            meta["table_sizes"]["items"] = bench.table_items
            meta["ddb_detail"] = bench.detail
            sections["ddb_requests"] = round(time.perf_counter() - mark, 1)
            progress.update()

        if "api_latency_ms" in args.only:
            mark = time.perf_counter()
            log(f"api_latency_ms: local stack, {reads} requests per read, {writes} per write, new connection each")
            latency_bench = Latency(env, reads, writes, RAW / "stack.log")
            results["api_latency_ms"], latency_counts = latency_bench.run()
            checks += latency_bench.checks
            meta["api_latency_drift"] = latency_bench.drift
            meta["api_latency_settle_s"] = latency_bench.settle_seconds
            sections["api_latency_ms"] = round(time.perf_counter() - mark, 1)
            progress.update()

        if "email" in args.only:
            mark = time.perf_counter()
            log("email: inbound mail through the real ingest handler against moto; parse time on the corpus")
            email_results = email.run()
            log(
                f"email: {email_results['ingest_per_second']} mails/s, requests per mail "
                f"{ {k: v['requests'] for k, v in email_results['ddb_requests'].items()} }"
            )
            results["email"] = email_results
            sections["email"] = round(time.perf_counter() - mark, 1)
            progress.update()

        if "routing" in args.only:
            mark = time.perf_counter()
            log(f"routing: ticket.created through the Router at {sizes[0]} and {sizes[1]} tickets, {decisions} timed")
            router_bench = Routing(sizes, decisions, RAW / "moto-routing.log")
            results["routing"] = router_bench.run()
            checks += router_bench.checks
            meta["routing_detail"] = router_bench.detail
            sections["routing"] = round(time.perf_counter() - mark, 1)
            progress.update()

        if "sla_sweep" in args.only:
            mark = time.perf_counter()
            log(f"sla_sweep: one sweep with {sla_sweep.DUE} tickets due among {sla_sizes[0]} and {sla_sizes[1]}")
            sweep_bench = sla_sweep.SlaSweep(sla_sizes, RAW / "moto-sla.log")
            results["sla_sweep"] = sweep_bench.run()
            checks += sweep_bench.checks
            meta["sla_sweep_detail"] = sweep_bench.detail
            sections["sla_sweep"] = round(time.perf_counter() - mark, 1)
            progress.update()
        if "portal" in args.only:
            mark = time.perf_counter()
            samples = 20 if args.quick else PORTAL_SAMPLES
            log(f"portal: every page {samples} times through chalice.test.Client, in-memory services")
            results["portal"] = portal.run(samples)
            sections["portal"] = round(time.perf_counter() - mark, 1)
            progress.update()
        if "kb" in args.only:
            mark = time.perf_counter()
            log("kb: banking77 relevance, 2,000-article speed and cold start, publish-to-searchable on the local stack")
            results["kb"], kb_checks, kb_findings = kb.run(env, RAW)
            checks += kb_checks
            findings += kb_findings
            sections["kb"] = round(time.perf_counter() - mark, 1)
            progress.update()
    except Exception:  # a section broke: say so with its traceback, exit 2 (its own cleanup already ran)
        traceback.print_exc()
        log("bench: a section failed; no results written")
        return 2
    finally:
        progress.close()
    meta["section_seconds"] = sections

    targets: dict[str, bool] = {}
    if "ddb_requests" in results:
        grows = ddb_requests.growth(results["ddb_requests"], sizes)
        if grows:
            findings.append(f"request count grows with the table: {', '.join(grows)}")
        targets["ddb_requests_constant"] = not grows
    if "cold_start_ms" in results:
        cold = results["cold_start_ms"]
        if cold["ratio"] > COLD_START_TARGET:
            findings.append(f"cold start: import app is {cold['ratio']} x import boto3 (target <= {COLD_START_TARGET})")
        targets["cold_start_app_le_1_3_boto3"] = cold["ratio"] <= COLD_START_TARGET
    meta["targets"] = targets
    if "cold_start_ms" in results:
        meta["cold_start_samples_ms"] = {k: [round(v, 1) for v in vs] for k, vs in cold_samples.items()}
    if "api_latency_ms" in results:
        meta["api_latency_samples"] = latency_counts
    if "ddb_requests" in results:
        meta["capacity_source"] = (
            "computed from item sizes by DynamoDB's rounding rules (bench/capacity.py); moto's own "
            "ConsumedCapacity is a fixed placeholder and missing for TransactWriteItems: see "
            "ddb_detail.moto_reported_capacity"
        )
        meta["auth"] = "excluded from every operation; the 'auth' row is one authentication with a cold agent cache"
    results = {key: results[key] for key in SECTIONS if key in results}
    results["meta"] = meta
    checks += selfcheck.structure(results, sizes, sla_sizes)
    stray = [t.name for t in threading.enumerate() if t.ident not in threads_before]
    checks.append(Check("bench: no threads left behind", not stray, ", ".join(stray)))
    children = _child_processes()
    checks.append(Check("bench: no child processes left behind", not children, ", ".join(children)))
    meta["runtime_s"] = round(time.perf_counter() - began, 1)
    meta["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    meta["self_checks"] = [c.as_dict() for c in checks]
    meta["findings"] = findings
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    print(
        f"\nwrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output} in {meta['runtime_s']} s",
        flush=True,
    )
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
