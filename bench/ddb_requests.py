"""Section ``ddb_requests``: the DynamoDB requests and capacity units of each API operation, at two sizes.

The operations run through the real app (``chalice.test.Client``) with the DynamoDB services installed
(``chalicelib.bootstrap.use``), against moto in server mode. Authentication is measured apart: the agent
cache is switched off so every request looks its agent up, and the requests made inside
``Authenticator.authenticate`` are reported as ``auth``, not as part of the operation.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import dataset
from bench.meter import Call, Meter, aux_marker
from bench.motoserver import CountingMotoServer
from bench.report import Check
from devtools.localenv import REGION, ROOT

TABLE_NAME = "lambdesk-bench-data"
STAGE = "local"  # a stage of .chalice/config.json: the test client applies its environment variables


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None
    version: int | None = None
    expect: int = 200


@dataclass
class Sample:
    calls: list[Call]
    server_targets: list[str] | None
    http_sends: int

    def phase(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.phase == name]


@dataclass
class Context:
    plan: dataset.Plan
    probes: Iterator[int]

    def probe(self) -> tuple[str, int, int]:
        ticket, _ = self.plan.tickets[next(self.probes)]
        return ticket.id, ticket.number, ticket.version


Build = Callable[[Context], Request]


def _views(plan: dataset.Plan) -> dict[str, str]:
    people = plan.people
    return {
        "view_unassigned": "view=unassigned",
        "view_mine": "view=mine",
        "view_assignee": f"view=assignee&assignee_id={people.probe_assignee.id}",
        "view_team": f"view=team&team_id={people.teams[0].id}",
        "view_status": "view=status&status=open",
        "view_priority": "view=priority&priority=urgent",
        "view_requester": f"view=requester&requester_id={plan.requester.id}",
        "view_organization": f"view=organization&organization_id={plan.organization.id}",
    }


def operations(plan: dataset.Plan) -> dict[str, Build]:
    people = plan.people
    body = dataset.text(random.Random(7), 600)
    reply = dataset.text(random.Random(8), 400)

    email = plan.requester.identities[0].value

    def create(ctx: Context) -> Request:
        return Request(
            "POST",
            "/v1/tickets",
            {
                "subject": "Cannot download invoices as PDF",
                "body": body,
                "requester_email": email,
                "team_id": people.teams[0].id,
                "priority": "normal",
                "tags": ["billing", "export"],
            },
            expect=201,
        )

    def post(kind: str) -> Build:
        def build(ctx: Context) -> Request:
            ticket_id, _, version = ctx.probe()
            return Request("POST", f"/v1/tickets/{ticket_id}/{kind}", {"body": reply}, version, expect=201)

        return build

    def update(ctx: Context) -> Request:
        ticket_id, _, version = ctx.probe()
        return Request(
            "PATCH", f"/v1/tickets/{ticket_id}", {"priority": "high", "assignee_id": people.reassign_to.id}, version
        )

    def get(ctx: Context) -> Request:
        return Request("GET", f"/v1/tickets/{ctx.probe()[0]}")

    def by_number(ctx: Context) -> Request:
        return Request("GET", f"/v1/tickets/by-number/{ctx.probe()[1]}")

    def lookup(ctx: Context) -> Request:
        return Request("GET", f"/v1/customers/lookup?email={email}")

    ops: dict[str, Build] = {"create_ticket": create, "reply": post("replies"), "note": post("notes"), "update": update}
    for name, query in _views(plan).items():
        ops[name] = lambda ctx, q=query: Request("GET", f"/v1/tickets?{q}")  # type: ignore[misc]
    ops.update({"get_ticket_timeline": get, "get_by_number": by_number, "customer_lookup_email": lookup})
    return ops


# Operations that take a fresh probe ticket for every request.
PROBE_OPERATIONS = ("reply", "note", "update", "get_ticket_timeline", "get_by_number")


def log(message: str) -> None:
    """A line on standard error that does not tear the progress bar being drawn (``make bench`` on a terminal)."""
    from devtools.progress import say

    say(message)


class Bench:
    def __init__(self, sizes: tuple[int, int], reps: tuple[int, int], moto_log: Path | None = None) -> None:
        self.sizes = sizes
        self.reps = reps
        self.server = CountingMotoServer(moto_log)
        self.checks: list[Check] = []
        self.detail: dict[str, dict[str, Any]] = {}
        self.result: dict[str, dict[str, dict[str, float | int]]] = {}
        self.table_items: list[int] = []

    # -- setup -----------------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.server.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "LAMBDESK_STAGE": STAGE,
            "LAMBDESK_TABLE_NAME": TABLE_NAME,
            "LAMBDESK_AUTH_MODE": "dev",
            "LAMBDESK_DEV_SIGNING_KEY": secrets.token_urlsafe(32),
            "LAMBDESK_SIGNING_KEY": secrets.token_urlsafe(32),
            "LAMBDESK_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_NAMESPACE": "Lambdesk",
        }

    @staticmethod
    def _reset_caches() -> None:
        from chalicelib import bootstrap
        from chalicelib.core import clients, settings, signing

        settings.reset()
        clients.reset()
        signing.signing_key.cache_clear()
        bootstrap.use(None)

    def run(self) -> dict[str, Any]:
        import boto3

        from bench.meter import item_clients
        from chalicelib import bootstrap
        from chalicelib.core.settings import get_settings
        from chalicelib.people.auth import mint_dev_token
        from devtools.provision import create_table

        self.server.start()
        saved_env = dict(os.environ)
        try:
            os.environ.update(self._environment())
            self._reset_caches()
            aux = boto3.client(
                "dynamodb",
                endpoint_url=self.server.url,
                region_name=REGION,
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            )
            aux.meta.events.register("before-sign.dynamodb.*", aux_marker)
            create_table(aux, TABLE_NAME)
            settings = get_settings()
            svc = bootstrap.dynamodb_container(settings)
            meter = Meter(aux)
            self._measure_auth_apart(svc, meter)
            bootstrap.use(svc)
            plan = dataset.make_plan(svc, self.sizes, probes_per_size=max(self.reps) * len(PROBE_OPERATIONS))
            written: set[str] = set()
            for item_client in item_clients():
                meter.attach(item_client)
            token = mint_dev_token(settings.dev_signing_key or "", plan.people.me.subject)
            from chalice.test import Client

            import app as app_module

            with Client(app_module.app, stage_name=STAGE, project_dir=str(ROOT)) as client:
                for phase, size in enumerate(self.sizes):
                    began = time.perf_counter()
                    items = dataset.write_phase(plan, phase, written)
                    self.server.trim_streams()
                    self.table_items.append(_count_items(aux))
                    log(
                        f"ddb_requests: wrote {items} items ({size} tickets in the table, "
                        f"{self.table_items[-1]} items) in {time.perf_counter() - began:.1f} s"
                    )
                    context = Context(plan, iter(plan.probes[phase]))
                    for name, build in operations(plan).items():
                        began = time.perf_counter()
                        samples = [self._one(client, meter, token, build(context)) for _ in range(self.reps[phase])]
                        log(f"ddb_requests: {name}@{size} {time.perf_counter() - began:.1f} s")
                        self._record(name, str(size), samples)
                        if name == "create_ticket":
                            self._record("auth", str(size), samples, phase_name="auth")
            self.checks.append(
                Check(
                    "ddb: meter attached to every pynamodb model client",
                    meter.covers(item_clients()),
                    f"{meter.clients} clients",
                )
            )
        finally:
            self._reset_caches()
            os.environ.clear()
            os.environ.update(saved_env)
            self.server.stop()
        self.checks.append(
            Check(
                "ddb: the moto server process stopped cleanly",
                self.server.exit_code == 0,
                f"exit {self.server.exit_code}",
            )
        )
        self._order_auth_last()
        return self.result

    @staticmethod
    def _measure_auth_apart(svc: Any, meter: Meter) -> None:
        """Look the agent up on every request, and count those lookups as ``auth``."""
        authenticate = svc.auth.authenticate

        def counted(header: str | None) -> Any:
            svc.auth._agent_ids.clear()  # cold: the token's subject is looked up again, as a new container does
            with meter.phase("auth"):
                return authenticate(header)

        svc.auth.authenticate = counted

    # -- one request ------------------------------------------------------------------------------

    def _one(self, client: Any, meter: Meter, token: str, request: Request) -> Sample:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if request.version is not None:
            headers["If-Match"] = f'"{request.version}"'
        body = json.dumps(request.body).encode() if request.body is not None else b""
        start = self.server.dynamodb_requests if self.server.counting else 0
        meter.start()
        with contextlib.redirect_stdout(io.StringIO()):  # powertools writes logs and EMF metrics to stdout
            response = client.http.request(request.method, request.path, headers=headers, body=body)
        calls = meter.stop()
        if response.status_code != request.expect:
            raise RuntimeError(f"{request.method} {request.path} -> {response.status_code}: {response.body[:500]!r}")
        targets = self.server.targets_since(start) if self.server.counting else None
        return Sample(list(calls), targets, meter.http_sends)

    # -- results ----------------------------------------------------------------------------------

    def _record(self, name: str, size: str, samples: list[Sample], phase_name: str = "op") -> None:
        per_rep = [s.phase(phase_name) for s in samples]
        counts = [len(calls) for calls in per_rep]
        capacities = [round(sum(c.units.total for c in calls), 2) for calls in per_rep]
        first = per_rep[0]
        stable = len(set(counts)) == 1 and len(set(capacities)) == 1
        self.result.setdefault(name, {})[size] = {"requests": max(counts), "capacity": max(capacities)}
        moto = [c.moto_units for c in first]
        self.detail.setdefault(name, {})[size] = {
            "calls": [c.operation for c in first],
            "read_units": sum(c.units.read for c in first),
            "write_units_table": sum(c.units.write_table for c in first),
            "write_units_indexes": sum(c.units.write_indexes for c in first),
            "moto_reported_capacity": None if any(m is None for m in moto) else sum(m or 0.0 for m in moto),
            "moto_missing_capacity_for": sorted({c.operation for c in first if c.moto_units is None}),
            "approximate": any(c.units.approximate for c in first),
            "reps": len(samples),
            "requests_per_rep": counts,
            "capacity_per_rep": capacities,
        }
        label = f"ddb {name}@{size}"
        self.checks.append(
            Check(
                f"{label}: same requests and capacity in every repetition",
                stable,
                f"requests {counts}, capacity {capacities}",
            )
        )
        if phase_name == "op":
            scans = [c for calls in per_rep for c in calls if c.operation == "Scan"]
            self.checks.append(Check(f"{label}: no Scan", not scans, f"{len(scans)} scans"))
            errors = [c.error for s in samples for c in s.calls if c.error]
            self.checks.append(Check(f"{label}: no failed DynamoDB call", not errors, "; ".join(errors)[:300]))
            for s in samples:
                if s.server_targets is not None and len(s.server_targets) != len(s.calls):
                    self.checks.append(
                        Check(
                            f"{label}: server saw what the hooks saw",
                            False,
                            f"server {s.server_targets}, hooks {[c.operation for c in s.calls]}",
                        )
                    )
                    break
            else:
                self.checks.append(
                    Check(
                        f"{label}: server saw what the hooks saw",
                        bool(self.server.counting),
                        "server-side count" if self.server.counting else "server count unavailable",
                    )
                )
            retries = [s.http_sends - len(s.calls) for s in samples]
            self.checks.append(Check(f"{label}: no retries", not any(retries), f"extra HTTP sends {retries}"))

    def _order_auth_last(self) -> None:
        if "auth" in self.result:
            self.result["auth"] = self.result.pop("auth")
            self.detail["auth"] = self.detail.pop("auth")


def _count_items(aux: Any) -> int:
    return int(aux.describe_table(TableName=TABLE_NAME)["Table"]["ItemCount"])


def growth(result: dict[str, dict[str, dict[str, float | int]]], sizes: tuple[int, int]) -> list[str]:
    """Operations whose request count differs between the sizes."""
    small, large = str(sizes[0]), str(sizes[1])
    return [op for op, by_size in result.items() if by_size[small]["requests"] != by_size[large]["requests"]]
