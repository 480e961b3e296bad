"""Sections ``end_to_end`` and ``thread_growth``: the DynamoDB requests, read units and write units of a flow with
every consumer and sweep it sets off, counted in-process against moto.

A flow is the API call or the mail ingest (or the sweep), then the stream, the events topic and every consumer
queue worked off by ``devtools.worker.Worker`` — the same relay and SQS handlers Lambda calls, with the topic's
filter policies (moto applies them) — until nothing is left. ``bench.meter`` counts on every pynamodb model
class's client; each call is tagged with its phase (``call``, ``sweep``, or the consumer queue).

The container keeps what it read of the configuration and the agent it authenticated for the whole run (a warm
container: in Lambda a function that did anything in the last 30 s); ``config_refresh`` in the detail says what
a cold container adds. No webhook is subscribed (the webhooks consumer still reads its list).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from bench import dataset
from bench.meter import Call, Meter, aux_marker
from bench.motoserver import CountingMotoServer
from bench.report import Check
from devtools.localenv import REGION, ROOT, LocalEnv

FLOWS = ("new_ticket_by_api", "new_ticket_by_mail", "reply_by_agent", "reply_by_mail", "solve", "auto_close")
GROWTH_FLOWS = ("reply_by_agent", "reply_by_mail")
THREAD_SIZES = (5, 100)
SLA_POLICY = {"name": "std", "targets": [{"metric": "first_response", "minutes": 60, "business": False}]}
ONLINE_AGENTS = 4
STAGE = "local"


def log(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


@dataclass
class Flow:
    calls: list[Call]
    server_targets: list[str] | None
    http_sends: int
    failures: int
    services: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.calls)

    def figures(self) -> dict[str, Any]:
        return {
            "requests": len(self.calls),
            "read_units": round(sum(c.units.read for c in self.calls), 2),
            "write_units": round(sum(c.units.write_table + c.units.write_indexes for c in self.calls), 2),
        }

    def read_units_by_phase(self) -> dict[str, float]:
        units: Counter[str] = Counter()
        for c in self.calls:
            units[c.phase] += c.units.read
        return {p: round(u, 2) for p, u in units.items()}

    def by_phase(self) -> dict[str, dict[str, int]]:
        phases: dict[str, Counter[str]] = {}
        for c in self.calls:
            phases.setdefault(c.phase, Counter())[c.operation] += 1
        return {p: dict(sorted(ops.items())) for p, ops in phases.items()}


@dataclass
class Desk:
    """The app on a provisioned moto (table, topic, queues), its container with a set clock, the worker."""

    server: CountingMotoServer
    meter: Meter
    svc: Any
    worker: Any
    client: Any
    token: str
    clock: Any
    plan: dataset.Plan | None = None
    checks: list[Check] = field(default_factory=list)
    # Other services per flow: Lambda invocations by function, messages through consumer queues, the app's
    # own SNS, SES, S3 and SQS calls (``service:Operation``).
    services: Counter[str] = field(default_factory=Counter)
    _s3: Any = None

    # -- one flow ------------------------------------------------------------------------------------

    def measure(self, action: Callable[[], Any]) -> tuple[Flow, Any]:
        start = self.server.dynamodb_requests if self.server.counting else 0
        failures = self.worker.failures
        self.services.clear()
        self.meter.start()
        try:
            with _quiet():
                with self.meter.phase("call"):
                    value = action()
                self.worker.drain()
        finally:
            calls = self.meter.stop()
        targets = self.server.targets_since(start) if self.server.counting else None
        flow = Flow(list(calls), targets, self.meter.http_sends, self.worker.failures - failures)
        flow.services = dict(sorted(self.services.items()))
        return flow, value

    def settle(self) -> None:
        with _quiet():
            self.worker.drain()

    # -- what a flow does ----------------------------------------------------------------------------

    def api(self, method: str, path: str, body: dict[str, Any] | None, version: int | None, expect: int) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        raw = json.dumps(body).encode() if body is not None else b""
        response = self.client.http.request(method, path, headers=headers, body=raw)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.body[:500]!r}")
        return json.loads(response.body or b"null")

    def mail(self, sender: str, to: str, subject: str, body: str) -> Any:
        from chalicelib.core.clients import client
        from chalicelib.mailflow.notices import InboundNotice

        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, to, subject
        message["Message-ID"] = make_msgid(domain="customer.example")
        message["Date"] = "Mon, 01 Jan 2024 10:00:00 +0000"
        message.set_content(body)
        key = f"raw/{uuid.uuid4().hex}"
        settings = self.svc.settings
        # What SES does before the notification: the bench's own client, counted nowhere.
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3", endpoint_url=client("s3").meta.endpoint_url, region_name=REGION)
        self._s3.put_object(Bucket=settings.bucket, Key=key, Body=message.as_bytes())
        return self.svc.mail_ingest.handle(InboundNotice(settings.bucket, key, key[4:], (to,), {}))

    def ticket(self, ticket_id: str) -> Any:
        return self.svc.ticket_repo.get(ticket_id)

    def reply_address(self, number: int) -> str:
        from chalicelib.mailflow.addresses import reply_address

        return reply_address(self.svc.settings.support_address, number, self.svc.signing_key)


def _quiet() -> contextlib.AbstractContextManager[Any]:
    return contextlib.redirect_stdout(io.StringIO())


class EndToEnd:
    def __init__(self, sizes: tuple[int, int], reps: tuple[int, int], moto_log: Path | None = None) -> None:
        self.sizes = sizes
        self.reps = reps
        self.server = CountingMotoServer(moto_log, fast=True)
        self.checks: list[Check] = []
        self.result: dict[str, Any] = {}
        self.growth: dict[str, Any] = {}
        self.detail: dict[str, Any] = {}

    @contextlib.contextmanager
    def desk(self) -> Iterator[Desk]:
        import boto3
        from chalice.test import Client

        from bench.meter import item_clients
        from chalicelib import bootstrap
        from chalicelib.core import clients, settings, signing
        from chalicelib.people.auth import mint_dev_token
        from devtools.provision import provision
        from devtools.worker import Worker

        self.server.start()
        saved = dict(os.environ)
        port = int(self.server.url.rsplit(":", 1)[1])
        env = LocalEnv(stage=app_stage(STAGE), moto_port=port)
        try:
            os.environ.update({**env.environ(), "LAMBDESK_LOG_LEVEL": "WARNING"})
            settings.reset(), clients.reset(), signing.signing_key.cache_clear(), bootstrap.use(None)
            resources = provision(env.names, env.moto_url, bucket=env.bucket, support_domain=env.support_domain)
            aux = boto3.client(
                "dynamodb",
                endpoint_url=env.moto_url,
                region_name=REGION,
                aws_access_key_id="b",
                aws_secret_access_key="b",
            )
            aux.meta.events.register("before-sign.dynamodb.*", aux_marker)
            from bench.desk import Clock

            clock = Clock(datetime.now(UTC).replace(microsecond=0))
            built = bootstrap.dynamodb_container(settings.get_settings())
            # A warm container: what it read of the configuration stays for the run (see the module docstring).
            svc = bootstrap.Container(built.settings, built.repos, clock, cache_seconds=86400.0)
            svc.auth.cache_seconds = 86400
            bootstrap.use(svc)
            meter = Meter(aux)
            for item_client in item_clients():
                meter.attach(item_client)
            meter.attach(clients.client("dynamodb"))  # the reports' aggregates write with boto3
            app_module = importlib.import_module("app")
            worker = Worker(app_module, resources["stream_arn"], env.moto_url, relay_dlq=env.names.relay_dlq)
            desk_services: Counter[str] = Counter()
            _phase_per_queue(worker, meter, env.names.prefix, desk_services)
            _count_services(desk_services)
            with Client(app_module.app, stage_name=STAGE, project_dir=str(ROOT)) as client:
                desk = Desk(self.server, meter, svc, worker, client, "", clock, services=desk_services)
                desk.checks.append(
                    Check(
                        "end_to_end: meter attached to every pynamodb model client",
                        meter.covers([*item_clients(), clients.client("dynamodb")]),
                        f"{meter.clients} clients",
                    )
                )
                plan = dataset.make_plan(svc, self.sizes, probes_per_size=2 * max(self.reps) + 2)
                desk.plan = plan
                desk.token = mint_dev_token(svc.settings.dev_signing_key or "", plan.people.me.subject)
                _configure(svc, plan)
                desk.settle()
                yield desk
        finally:
            bootstrap.use(None)
            os.environ.clear()
            os.environ.update(saved)
            settings.reset(), clients.reset(), signing.signing_key.cache_clear()
            self.server.stop()

    def run(self) -> dict[str, Any]:
        with self.desk() as desk:
            assert desk.plan is not None
            written: set[str] = set()
            for phase, size in enumerate(self.sizes):
                began = time.perf_counter()
                self.server.pause_streams(True)
                try:
                    items = dataset.write_phase(desk.plan, phase, written)
                finally:
                    self.server.pause_streams(False)
                log(f"end_to_end: wrote {items} items ({size} tickets) in {time.perf_counter() - began:.1f} s")
                probes = iter(desk.plan.probes[phase])
                self._warm_up(desk, probes)
                samples: dict[str, list[Flow]] = {flow: [] for flow in FLOWS}
                for _ in range(self.reps[phase]):
                    for flow, sample in self._flows(desk, probes).items():
                        samples[flow].append(sample)
                for flow, flows in samples.items():
                    self._record(flow, str(size), flows)
                if phase == 0:
                    self._thread_growth(desk)
            self.checks.extend(desk.checks)
        self.checks.append(Check("end_to_end: the moto server process stopped cleanly", self.server.exit_code == 0, ""))
        for flow in FLOWS:
            per_size = self.result.get(flow, {})
            counts = {s: v["requests"] for s, v in per_size.items()}
            self.checks.append(
                Check(
                    f"end_to_end {flow}: the same requests at every size", len(set(counts.values())) == 1, str(counts)
                )
            )
        return {"end_to_end": self.result, "thread_growth": self.growth, "detail": self.detail}

    # -- the flows -------------------------------------------------------------------------------------

    def _warm_up(self, desk: Desk, probes: Iterator[int]) -> None:
        """One of each flow, uncounted: the container has read the configuration and its agent."""
        self._flows(desk, probes)

    def _flows(self, desk: Desk, probes: Iterator[int]) -> dict[str, Flow]:
        assert desk.plan is not None
        plan, out = desk.plan, {}
        people = plan.people
        email = plan.requester.identities[0].value
        body = dataset.text(random.Random(7), 600)
        out["new_ticket_by_api"], _ = desk.measure(
            lambda: desk.api(
                "POST",
                "/v1/tickets",
                {
                    "subject": "Cannot download invoices as PDF",
                    "body": body,
                    "requester_email": email,
                    "team_id": people.teams[0].id,
                    "priority": "normal",
                },
                None,
                201,
            )
        )
        sender = f"c{uuid.uuid4().hex[:8]}@customer.example"
        out["new_ticket_by_mail"], outcome = desk.measure(
            lambda: desk.mail(sender, desk.svc.settings.support_address, "Printer on fire", body)
        )
        by_mail = _ticket_of(desk, outcome)
        agent_probe, solve_probe = (plan.tickets[next(probes)][0] for _ in range(2))
        for probe in (agent_probe, solve_probe):
            _as_live(desk, probe.id)
        # The version an agent's client sends comes from the ticket it shows (read here, outside the count).
        agent_version, solve_version = desk.ticket(agent_probe.id).version, desk.ticket(solve_probe.id).version
        out["reply_by_agent"], _ = desk.measure(lambda: self._agent_reply(desk, agent_probe.id, agent_version))
        out["reply_by_mail"], _ = desk.measure(
            lambda: desk.mail(sender, desk.reply_address(by_mail.number), "Re: Printer on fire", "Still burning")
        )
        out["solve"], _ = desk.measure(
            lambda: desk.api(
                "PATCH",
                f"/v1/tickets/{solve_probe.id}",
                {"status": "solved"},
                solve_version,
                200,
            )
        )
        desk.clock.now += timedelta(days=5)
        out["auto_close"], swept = desk.measure(lambda: _app_sweep("timers_sweep"))
        desk.checks.append(
            Check("end_to_end auto_close: the sweep closed one ticket", swept.get("due") == 1, str(swept))
        )
        desk.clock.now += timedelta(minutes=1)
        return out

    @staticmethod
    def _agent_reply(desk: Desk, ticket_id: str, version: int) -> Any:
        return desk.api("POST", f"/v1/tickets/{ticket_id}/replies", {"body": "We are on it."}, version, 201)

    def _thread_growth(self, desk: Desk) -> None:
        """A mail ticket grown to 5 and to 100 timeline entries (notes written without events), then one agent
        reply and one customer reply by mail on each."""
        for size in THREAD_SIZES:
            for flow, sample in self._replies_on_thread(desk, size).items():
                self.growth.setdefault(flow, {})[str(size)] = sample.requests
                self.detail.setdefault("thread_growth_units", {}).setdefault(flow, {})[str(size)] = {
                    **sample.figures(),
                    "read_units_by_phase": sample.read_units_by_phase(),
                }
                self.detail.setdefault("thread_growth", {}).setdefault(flow, {})[str(size)] = sample.by_phase()
        for flow in GROWTH_FLOWS:
            values = self.growth[flow]
            self.checks.append(
                Check(
                    f"thread_growth {flow}: the same requests at 5 and 100 entries",
                    len(set(values.values())) == 1,
                    str(values),
                )
            )

    def _replies_on_thread(self, desk: Desk, size: int) -> dict[str, Flow]:
        sender = f"t{size}-{uuid.uuid4().hex[:6]}@customer.example"
        with _quiet():
            outcome = desk.mail(sender, desk.svc.settings.support_address, f"Thread of {size}", "Hello")
        desk.settle()
        ticket = _ticket_of(desk, outcome)
        self._grow(desk, ticket.id, size)
        version = desk.ticket(ticket.id).version
        agent, _ = desk.measure(lambda: self._agent_reply(desk, ticket.id, version))
        address = desk.reply_address(ticket.number)
        mail, _ = desk.measure(lambda: desk.mail(sender, address, f"Re: Thread of {size}", "More"))
        return {"reply_by_agent": agent, "reply_by_mail": mail}

    @staticmethod
    def _grow(desk: Desk, ticket_id: str, entries: int) -> None:
        from chalicelib.domain.timeline import Actor, ActorKind

        assert desk.plan is not None
        actor = Actor(ActorKind.AGENT, desk.plan.people.me.id)
        _, timeline = desk.svc.ticket_repo.get_with_timeline(ticket_id)
        missing = entries - len(timeline)
        desk.server.pause_streams(True)
        try:
            with _quiet():
                for i in range(max(missing, 0)):
                    version = desk.ticket(ticket_id).version
                    desk.svc.tickets.note(actor, ticket_id, version, f"note {i}: " + "x" * 300)
        finally:
            desk.server.pause_streams(False)
        _, timeline = desk.svc.ticket_repo.get_with_timeline(ticket_id)
        desk.checks.append(
            Check(f"thread_growth: the ticket has {entries} entries", len(timeline) == entries, str(len(timeline)))
        )

    # -- results -----------------------------------------------------------------------------------

    def _record(self, flow: str, size: str, samples: list[Flow]) -> None:
        figures = [s.figures() for s in samples]
        self.result.setdefault(flow, {})[size] = max(figures, key=lambda f: (f["requests"], f["read_units"]))
        self.detail.setdefault("by_phase", {}).setdefault(flow, {})[size] = samples[0].by_phase()
        self.detail.setdefault("calls", {}).setdefault(flow, {})[size] = [_describe(c) for c in samples[0].calls]
        self.detail.setdefault("services", {}).setdefault(flow, {})[size] = samples[0].services
        label = f"end_to_end {flow}@{size}"
        self.checks.append(
            Check(f"{label}: the same figures in every repetition", all(f == figures[0] for f in figures), str(figures))
        )
        scans = sum(1 for s in samples for c in s.calls if c.operation == "Scan")
        self.checks.append(Check(f"{label}: no Scan", not scans, f"{scans} scans"))
        errors = [c.error for s in samples for c in s.calls if c.error]
        self.checks.append(Check(f"{label}: no failed DynamoDB call", not errors, "; ".join(map(str, errors))[:300]))
        failures = [s.failures for s in samples]
        self.checks.append(Check(f"{label}: no consumer failed", not any(failures), str(failures)))
        unseen = [
            s
            for s in samples
            if s.server_targets is not None and sorted(s.server_targets) != sorted(c.operation for c in s.calls)
        ]
        detail = ""
        if unseen:
            server, hooks = Counter(unseen[0].server_targets or []), Counter(c.operation for c in unseen[0].calls)
            detail = f"server-only {dict(server - hooks)}, hooks-only {dict(hooks - server)}"
        self.checks.append(Check(f"{label}: server saw what the hooks saw", not unseen, detail))


def _as_live(desk: Desk, ticket_id: str) -> None:
    """Uncounted: the SLA item the SLA consumer writes when a ticket is created (with its reading of the
    timeline), and what a live ticket has for the reports: its last counted entry on the ticket item and the
    reports consumer's replay kept after it (``domain.report_chain``, ``reports.kept``). Seeded tickets are
    written straight to the table without them; without them, a flow on a seeded ticket measures a ticket's
    first event after an upgrade (one more Query, once per ticket; for reports the whole timeline, once),
    not a live one."""
    from chalicelib.core.resources import DUE_SLA

    with _quiet():
        ticket, timeline, dues = desk.svc.work_repo.ticket_state(ticket_id)
        desk.svc.sla_tracker().refresh(ticket, timeline, dues.get(DUE_SLA))
        _reports_as_live(desk, ticket, timeline)


def _reports_as_live(desk: Desk, ticket: Any, timeline: list[Any]) -> None:
    from chalicelib.domain.report_chain import counted
    from chalicelib.domain.reports import KeptReplay
    from chalicelib.reports.kept import built, doc_of
    from chalicelib.storage.dynamodb.mapping import TICKET_SK, ticket_pk
    from chalicelib.storage.dynamodb.models import TicketItem

    last = [e for e in timeline if counted(e)][-1]
    TicketItem(ticket_pk(ticket.id), TICKET_SK).update(actions=[TicketItem.last_counted.set(last.id)])
    kept = built(ticket, timeline, last.id, desk.svc.reports.aggregator().readings)
    assert kept is not None
    desk.svc.repos.reports.keep(KeptReplay(ticket.id, last.id, doc_of(kept)))


def _describe(call: Call) -> str:
    """``phase Operation key`` with the key's prefixes (``TICKET#``, ``CONFIG#sla_policy``), for reading."""
    params = call.params
    key = params.get("Key") or params.get("Item")
    if key is None and "KeyConditionExpression" in params:
        values = params.get("ExpressionAttributeValues", {})
        key = {"q": next(iter(values.values()), {}), "index": {"S": params.get("IndexName", "")}}
    where = ""
    if isinstance(key, dict):
        parts = [str(next(iter(v.values()), "")) for v in key.values() if isinstance(v, dict)]
        where = " ".join(p.split("#")[0] + ("#" if "#" in p else "") if len(p) > 24 else p for p in parts)
    if call.operation == "TransactWriteItems":
        where = f"{len(params.get('TransactItems', []))} items"
    return f"{call.phase} {call.operation} {where}".strip()


def _ticket_of(desk: Desk, outcome: Any) -> Any:
    if getattr(outcome, "ticket_number", None) is None:
        raise RuntimeError(f"mail made no ticket: {outcome!r}")
    return desk.ticket(desk.svc.ticket_repo.id_for_number(outcome.ticket_number))


def _app_sweep(name: str) -> Any:
    from chalicelib.bootstrap import handlers

    return getattr(handlers, name)()


def app_stage(default: str) -> str:
    """The stage the app's event sources are named for (its queue names are fixed when ``app`` is imported):
    the one it was imported under, else the environment's (a test session's, so that the app this imports
    serves the tests after it), else ``default``."""
    import sys

    from chalice.app import SQSEventConfig

    from chalicelib.core.resources import APP_NAME

    module = sys.modules.get("app")
    for source in getattr(getattr(module, "app", None), "event_sources", ()):
        if isinstance(source, SQSEventConfig) and source.queue and source.queue.endswith("-webhooks"):
            return source.queue.removeprefix(f"{APP_NAME}-").removesuffix("-webhooks")
    import os

    return os.environ.get("LAMBDESK_STAGE") or default


def _phase_per_queue(worker: Any, meter: Meter, prefix: str, services: Counter[str]) -> None:
    """Tag the calls each consumer queue's handler makes with the queue's purpose; count the invocations (one
    per batch a queue delivered, as Lambda's poller would) and the messages, and the stream relay's."""
    pump, stream = worker.pump_queue, worker.pump_stream

    def tagged(queue_name: str, wait_seconds: int = 0) -> int:
        purpose = queue_name.removeprefix(f"{prefix}-")
        with meter.phase(purpose):
            received = int(pump(queue_name, wait_seconds))
        if received:
            services[f"lambda:{purpose}"] += 1
            services["sqs:messages"] += received
        return received

    def relayed() -> int:
        records = int(stream())
        if records:
            services["lambda:stream_relay"] += 1
        return records

    worker.pump_queue, worker.pump_stream = tagged, relayed


def _count_services(services: Counter[str]) -> None:
    """The app's own calls to SNS, SES, S3 and SQS (its clients are cached per process)."""
    from chalicelib.core.clients import client

    def hook(model: Any, **_: Any) -> None:
        services[f"{model.service_model.service_name}:{model.name}"] += 1

    for name in ("sns", "sesv2", "s3", "sqs"):
        client(name).meta.events.register("after-call.*.*", hook)


def _configure(svc: Any, plan: dataset.Plan) -> None:
    """One SLA policy; the first team's agents online (routing assigns)."""
    from chalicelib.domain.people import Availability

    svc.documents.create("admin", "sla_policy", SLA_POLICY)
    team = plan.people.teams[0].id
    members = [a for a in plan.people.agents if team in a.teams][:ONLINE_AGENTS]
    for agent in members:
        current = svc.directory_repo.get_agent(agent.id)
        svc.directory.update_agent(agent.id, current.version, {"availability": Availability.ONLINE})


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--reps", default="2,1")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    reps = tuple(int(s) for s in args.reps.split(","))
    bench = EndToEnd((sizes[0], sizes[1]), (reps[0], reps[1]))
    result = bench.run()
    print(json.dumps(result, indent=1))
    failed = [c for c in bench.checks if not c.ok]
    for check in failed:
        log(f"FAILED {check.name}: {check.detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
