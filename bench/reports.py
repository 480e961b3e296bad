"""Section ``reports``: what reports cost (``bench/README.md``, "reports").

- a summary by agent of 31 days x 50 agents (1,550 daily items, a dozen facts of each kind per agent-day):
  DynamoDB requests, read units and bytes read, the wall time on moto and the merge (figures) time in-process;
- the aggregator's DynamoDB requests per event (``ticket.created``, replies, the solve) on a small table and on
  a large one (10,000 tickets of ``bench/dataset.py`` and the 1,550 report items): the same;
- event -> report on the local stack (``make run`` in a child process): from the 201 of ``POST /v1/tickets``
  until ``GET /v1/reports/summary`` counts the ticket, the median of several.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.desk import DeskTable, Metered, call_checks, quiet
from bench.report import Check
from chalicelib.reports.facts import Fact, Moment

TABLE_NAME = "bench-reports"
AGENTS = 50
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)  # 31 days, one month partition
FACTS_PER_KIND = 12  # per agent-day
SUMMARY_RUNS = 3
DELAY_RUNS = 5
LARGE = (1000, 10000)
POLL_SECONDS = 0.1
GIVE_UP_SECONDS = 60.0


@dataclass
class Reports:
    log_dir: Path
    quick: bool = False
    checks: list[Check] = field(default_factory=list)

    def run(self, env: dict[str, str]) -> dict[str, Any]:
        results = self.tables()
        results["event_to_report_s"] = event_to_report(
            env, self.log_dir / "stack-reports.log", 3 if self.quick else DELAY_RUNS
        )
        return results

    def tables(self) -> dict[str, Any]:
        from bench import dataset
        from chalicelib import bootstrap

        results: dict[str, Any] = {}
        with DeskTable(TABLE_NAME, self.log_dir / "moto-reports.log") as table:
            svc = table.services()
            bootstrap.use(svc)
            try:
                sizes = (100, 1000) if self.quick else LARGE
                with quiet():
                    plan = dataset.make_plan(svc, sizes, probes_per_size=1)
                meter = table.meter()
                meter.attach(svc.repos.reports.client)
                per_event = {"small": self._per_event(table, meter, svc)}
                began = time.perf_counter()
                written: set[str] = set()
                with table.seeding():
                    for phase in range(len(sizes)):
                        dataset.write_phase(plan, phase, written)
                    agents = seed_report_items(table, AGENTS)
                seeded = round(time.perf_counter() - began, 1)
                per_event["large"] = self._per_event(table, meter, svc)
                per_event["large_table"] = {"tickets": sizes[-1], "items": table.item_count(), "seed_seconds": seeded}
                results["aggregator_requests_per_event"] = per_event
                same = [e["by_operation"] for e in per_event["small"]["events"]] == [
                    e["by_operation"] for e in per_event["large"]["events"]
                ]
                self.checks.append(
                    Check("reports aggregator: the same requests per event on the small and the large table", same, "")
                )
                results["summary_31_days_by_agent"] = self._summary(table, meter, svc, agents)
            finally:
                bootstrap.use(None)
        self.checks += table.checks
        return results

    # -- the aggregator ------------------------------------------------------------------------------------

    def _per_event(self, table: DeskTable, meter: Any, svc: Any) -> dict[str, Any]:
        """A ticket created, answered twice and solved; each of its counted events through the aggregator."""
        from chalicelib.core.resources import REPORT_EVENTS
        from chalicelib.domain.tickets import Status
        from chalicelib.domain.timeline import Actor, ActorKind
        from chalicelib.events.envelope import envelope
        from chalicelib.tickets.service import NewTicket

        with quiet():
            agent = svc.directory.create_agent(f"reports-{time.monotonic_ns()}@desk.example", "Rae")
            actor = Actor(ActorKind.AGENT, agent.id)
            ticket, _ = svc.tickets.create(
                actor, NewTicket(subject="Invoice", body_text="Hi", requester_email="reports-bench@example.com")
            )
            ticket = svc.tickets.reply(actor, ticket.id, ticket.version, "Looking", status=None)
            ticket = svc.tickets.reply(actor, ticket.id, ticket.version, "Done", status=Status.SOLVED)
            _, timeline = svc.ticket_repo.get_with_timeline(ticket.id)
            svc.policies.policies()  # the SLA policies: read once per container per 30 s (warm here)
        aggregator = svc.reports.aggregator()
        events = [envelope(e) for e in timeline if e.event in REPORT_EVENTS]
        samples: list[Metered] = [table.metered(meter, lambda e=e: aggregator.on_event(e)) for e in events]
        again = table.metered(meter, lambda: aggregator.on_event(events[0]))
        label = f"reports aggregator ({table.item_count()} items)"
        self.checks += call_checks(label, [*samples, again], table.server.counting)
        self.checks.append(Check(f"{label}: a redelivery adds nothing", bool(again.value.duplicate), ""))
        return {
            "events": [
                {"type": e["type"], "requests": s.requests, "by_operation": s.by_operation()}
                for e, s in zip(events, samples, strict=True)
            ],
            "redelivery": {"requests": again.requests, "by_operation": again.by_operation()},
        }

    # -- the summary -------------------------------------------------------------------------------------

    def _summary(self, table: DeskTable, meter: Any, svc: Any, agents: list[str]) -> dict[str, Any]:
        from bench import capacity
        from chalicelib.reports.queries import ReportQueries

        queries = svc.reports.queries
        runs = [table.metered(meter, lambda: queries.summary(FIRST, LAST, None, "agent")) for _ in range(SUMMARY_RUNS)]
        self.checks += call_checks("reports summary 31 x 50", runs, table.server.counting)
        groups = runs[0].value
        self.checks.append(
            Check(
                "reports summary 31 x 50: one group per agent, each with every day's tickets",
                sorted(g.key for g in groups) == sorted(agents)
                and all(g.figures.tickets_created == 31 * FACTS_PER_KIND for g in groups),
                f"{len(groups)} groups",
            )
        )
        walls = []
        for _ in range(SUMMARY_RUNS):
            began = time.perf_counter()
            queries.summary(FIRST, LAST, None, "agent")
            walls.append((time.perf_counter() - began) * 1000)
        items = svc.repos.reports.days("agent", FIRST, LAST)
        preloaded = ReportQueries(_Preloaded(items), queries.desk_zone)
        merges = []
        for _ in range(SUMMARY_RUNS * 3):
            began = time.perf_counter()
            preloaded.summary(FIRST, LAST, None, "agent")
            merges.append((time.perf_counter() - began) * 1000)
        raw = list(_raw_items(table, items))
        sizes = [capacity.item_size(i) for i in raw]
        return {
            "days": (LAST - FIRST).days + 1,
            "agents": AGENTS,
            "items_read": len(items),
            "requests": runs[0].requests,
            "by_operation": runs[0].by_operation(),
            "read_units": round(sum(c.units.read for c in runs[0].calls), 1),
            "read_units_on_dynamodb": capacity.read_units(sum(sizes)),
            "bytes": sum(sizes),
            "attributes_per_item": round(statistics.mean(len(i) for i in raw), 1),
            "moto_wall_ms": {"runs": SUMMARY_RUNS, "median": round(statistics.median(walls), 1)},
            "merge_ms": {
                "runs": len(merges),
                "median": round(statistics.median(merges), 1),
                "max": round(max(merges), 1),
            },
        }


@dataclass
class _Preloaded:
    """A report repository that answers from items read beforehand: the merge and figures, timed alone."""

    items: list[Any]

    def days(self, dimension: str, first: date, last: date) -> list[Any]:
        return self.items


def _raw_items(table: DeskTable, items: list[Any]) -> Iterator[dict[str, Any]]:
    """The stored items (attribute values as DynamoDB returns them), read by the bench's own client."""
    from chalicelib.storage import keys

    pages = table.aux.get_paginator("query").paginate(
        TableName=table.name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.report_month("agent", FIRST.strftime("%Y-%m"))}},
    )
    for page in pages:
        yield from page.get("Items", [])


def seed_report_items(table: DeskTable, agents: int) -> list[str]:
    """``agents`` x 31 daily items, each the sum of ``FACTS_PER_KIND`` facts of every kind (durations drawn
    log-normally): the items the aggregator's ``ADD`` updates leave, written whole with BatchWriteItem (moto
    checks an item's size once per attribute of every update: ADDing 100 attributes to 1,550 items takes it
    minutes)."""
    from chalicelib.reports.rollup import counts_of
    from chalicelib.storage import keys

    rng = random.Random(31)
    ids = [f"agent-{n:03d}" for n in range(agents)]
    items = []
    for agent_id in ids:
        for offset in range((LAST - FIRST).days + 1):
            day = FIRST + timedelta(days=offset)
            at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            moment = Moment(agent_id, "team-1", "email", "normal")
            total: Counter[str] = Counter()
            for fact in _facts(rng, at, moment):
                total.update(counts_of(fact))
            item = {name: {"N": str(n)} for name, n in sorted(total.items()) if n != 0}
            item["pk"] = {"S": keys.report_month("agent", day.strftime("%Y-%m"))}
            item["sk"] = {"S": f"{day.isoformat()}#{agent_id}"}
            items.append(item)
    table.batch_write([lambda: items])
    return ids


def _facts(rng: random.Random, at: datetime, moment: Moment) -> Iterator[Fact]:
    def seconds() -> int:
        return int(rng.lognormvariate(8, 1.5))

    for _ in range(FACTS_PER_KIND):
        yield Fact("created", at, moment)
        first = seconds()
        yield Fact("first_reply", at, moment, first, int(first * 0.6))
        reply = seconds()
        yield Fact("reply", at, moment, reply, int(reply * 0.6))
        solved = seconds() * 4
        yield Fact("solved", at, moment, solved, int(solved * 0.6))
        yield Fact("csat", at, moment, rating=rng.randint(1, 5))
        policy = rng.choice(("policy-std", "policy-vip"))
        metric = rng.choice(("first_response", "resolution"))
        ok = rng.random() < 0.85
        yield Fact("sla", at, moment, policy_id=policy, metric=metric, achieved=int(ok), breached=int(not ok))
    for _ in range(FACTS_PER_KIND // 2):
        yield Fact("fcr", at, moment)
    for _ in range(FACTS_PER_KIND // 6):
        yield Fact("reopened", at, moment)


# -- event -> report on the local stack -----------------------------------------------------------------------


def event_to_report(env: dict[str, str], log_path: Path, runs: int) -> dict[str, Any]:
    from bench.latency import StackProcess, timed
    from chalicelib.people.auth import mint_dev_token
    from devtools.seed import ADMIN_SUBJECT

    stack = StackProcess(env, log_path)
    delays = []
    try:
        stack.start()
        headers = {"Authorization": f"Bearer {mint_dev_token(stack.dev_key, ADMIN_SUBJECT)}"}
        today = datetime.now(UTC).date().isoformat()
        path = f"/v1/reports/summary?from={today}&to={today}"

        def created() -> int:
            _, response = timed(stack.api_port, "GET", path, None, headers)
            if response.status != 200:
                raise RuntimeError(f"summary: {response.status} {response.body[:200]!r}")
            groups = response.json()["groups"]
            return int(groups[0]["tickets_created"]) if groups else 0

        _settle(created)
        for n in range(runs):
            before = created()
            body = json.dumps(
                {"subject": f"Report delay {n}", "body": "Counted?", "requester_email": "delay@example.com"}
            ).encode()
            _, response = timed(
                stack.api_port, "POST", "/v1/tickets", body, {**headers, "Content-Type": "application/json"}
            )
            if response.status != 201:
                raise RuntimeError(f"creating a ticket: {response.status} {response.body[:200]!r}")
            began = time.perf_counter()
            while created() <= before:
                if time.perf_counter() - began > GIVE_UP_SECONDS:
                    raise RuntimeError(f"the ticket was not in the report {GIVE_UP_SECONDS:.0f} s after its 201")
                time.sleep(POLL_SECONDS)
            delays.append(time.perf_counter() - began)
    finally:
        stack.stop()
    return {"runs": runs, "median": round(statistics.median(delays), 2), "max": round(max(delays), 2)}


def _settle(created: Any, quiet_seconds: float = 3.0) -> None:
    """Until the desk's count has not moved for ``quiet_seconds`` (the worker has counted the demo data)."""
    last, since, began = created(), time.perf_counter(), time.perf_counter()
    while time.perf_counter() - since < quiet_seconds and time.perf_counter() - began < GIVE_UP_SECONDS:
        time.sleep(0.5)
        now = created()
        if now != last:
            last, since = now, time.perf_counter()
