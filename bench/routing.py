"""Section ``routing``: DynamoDB requests per routed ticket at two table sizes, and routing decisions per second.

What the ``routing`` consumer does with a ``ticket.created`` event, through the real code: the routing table of
``chalicelib.bootstrap.handlers`` applied to ``envelope(entry)`` on a table in moto (``bench.desk``). One team
assigns round robin among 5 online agents; one routing rule (keyword ``invoice``) sends tickets to it with
priority high.
Each measured ticket is new, from a new customer, created through ``TicketService.create``; its event is
built from its ``ticket.created`` timeline entry. A fresh Router handles every event (a batch of one: the
Router lists the agents once per instance), with the desk's configuration cache warm (it is read once per
container per 30 s, reported apart as ``config_refresh``). The table holds the planned help desk of
``bench.dataset``, as in ``ddb_requests``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import dataset
from bench.ddb_requests import log
from bench.desk import DeskTable, Metered, call_checks, quiet
from bench.report import Check

TABLE_NAME = "lambdesk-bench-routing"
AGENTS = 5
CAPACITY = 1000  # nobody reaches it: every measured ticket is assigned
REPS = 3


@dataclass
class Desk:
    svc: Any
    team_id: str
    agent_ids: list[str]
    created: int = 0

    def new_event(self) -> dict[str, Any]:
        """A new ticket from a new customer, through the service; the envelope of its ``ticket.created`` entry."""
        from chalicelib.domain.timeline import Actor, ActorKind
        from chalicelib.events.envelope import envelope
        from chalicelib.tickets.service import NewTicket

        self.created += 1
        n = self.created
        ticket, _ = self.svc.tickets.create(
            Actor(ActorKind.SYSTEM, "bench"),
            NewTicket(
                subject=f"Question about invoice {n}",
                body_text=f"Hello, my invoice {n} shows the wrong VAT rate. Could you correct it? Thanks.",
                requester_email=f"routing{n:05d}@customers.example",
            ),
        )
        _, timeline = self.svc.ticket_repo.get_with_timeline(ticket.id)
        return envelope(next(e for e in timeline if e.event == "ticket.created"))

    def route(self, event: dict[str, Any]) -> str:
        """What the routing queue's function does with the event: its table, built for one batch."""
        from chalicelib.bootstrap.handlers import routing_table
        from chalicelib.routing.outcomes import Assigned

        table = routing_table(self.svc)
        outcome = next(handler(event) for handler in table[event["type"]])
        return f"assigned:{outcome.agent_id}" if isinstance(outcome, Assigned) else repr(outcome)


def _read_config(svc: Any) -> None:
    """What routing reads of the configuration (rules and calendars), into the container's cache."""
    svc.routing_config.rules()
    svc.routing_config.calendars.calendars()


def set_up(svc: Any) -> Desk:
    from chalicelib.domain.people import Availability, Role, Strategy

    d = svc.directory
    team = d.create_team("Billing desk")
    team = d.update_team(team.id, team.version, {"assignment_strategy": Strategy.ROUND_ROBIN})
    agents = []
    for i in range(AGENTS):
        agent = d.create_agent(f"router{i}@bench.example", f"Router {i}", Role.AGENT, None, (team.id,), (), CAPACITY)
        agents.append(d.update_agent(agent.id, agent.version, {"availability": Availability.ONLINE}).id)
    svc.documents.create(
        "admin",
        "routing_rule",
        {
            "name": "billing",
            "position": 1,
            "conditions": {"keywords": ["invoice"]},
            "actions": {"team_id": team.id, "priority": "high"},
        },
    )
    return Desk(svc, team.id, agents)


@dataclass
class Routing:
    sizes: tuple[int, int]
    decisions: int
    log_path: Path | None = None
    checks: list[Check] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def run(self) -> dict[str, Any]:
        from chalicelib import bootstrap

        per_ticket: dict[str, dict[str, Any]] = {}
        per_second: dict[str, float] = {}
        with DeskTable(TABLE_NAME, self.log_path) as table:
            svc = table.services()
            bootstrap.use(svc)
            with quiet():
                plan = dataset.make_plan(svc, self.sizes, probes_per_size=1)
                desk = set_up(svc)
            meter = table.meter()
            svc.documents.forget()
            refresh = table.metered(meter, lambda: _read_config(svc))
            self.detail["config_refresh_calls"] = [c.operation for c in refresh.calls]
            written: set[str] = set()
            for phase, size in enumerate(self.sizes):
                began = time.perf_counter()
                with table.seeding():
                    items = dataset.write_phase(plan, phase, written)
                seeded = round(time.perf_counter() - began, 1)
                in_table = table.item_count()
                log(f"routing: wrote {items} items ({size} tickets, {in_table} items) in {seeded} s")
                self.detail[str(size)] = {"table_items": in_table, "seed_seconds": seeded}
                per_ticket[str(size)], per_second[str(size)] = self._measure(table, meter, desk, str(size))
        self.checks += table.checks
        counts = {k: v["requests"] for k, v in per_ticket.items()}
        same = all(v["by_operation"] == per_ticket[str(self.sizes[0])]["by_operation"] for v in per_ticket.values())
        self.checks.append(Check("routing: same requests per ticket (by operation) at both sizes", same, str(counts)))
        return {
            "requests_per_ticket": per_ticket,
            "decisions_per_second": per_second,
            "decisions": self.decisions,
            "config_refresh": {"requests": refresh.requests, "by_operation": refresh.by_operation()},
        }

    def _measure(self, table: DeskTable, meter: Any, desk: Desk, key: str) -> tuple[dict[str, Any], float]:
        """Requests of ``REPS`` routed tickets (metered one by one), then the timed run."""
        samples = []
        for _ in range(REPS):
            event = desk.new_event()
            _read_config(desk.svc)  # warm (the cache is the container's; see the module docstring)
            samples.append(table.metered(meter, lambda e=event: desk.route(e)))
        per_second, outcomes = self._throughput(desk)
        self._check(key, samples, outcomes, desk, table.server.counting)
        self.detail[key] |= {
            "calls": [c.operation for c in samples[0].calls],
            "requests_per_rep": [s.requests for s in samples],
            "outcomes": [s.value for s in samples],
        }
        log(f"routing@{key}: {samples[0].requests} requests per ticket, {per_second} decisions/s")
        return {"requests": samples[0].requests, "by_operation": samples[0].by_operation()}, per_second

    def _throughput(self, desk: Desk) -> tuple[float, list[str]]:
        """Wall clock of routing ``decisions`` new tickets' events one after the other, a fresh Router each."""
        with quiet():
            events = [desk.new_event() for _ in range(self.decisions)]
            _read_config(desk.svc)
            began = time.perf_counter()
            outcomes = [desk.route(event) for event in events]
            elapsed = time.perf_counter() - began
        return round(self.decisions / elapsed, 1), outcomes

    def _check(self, key: str, samples: list[Metered], outcomes: list[str], desk: Desk, counting: bool) -> None:
        label = f"routing@{key}"
        self.checks += call_checks(label, samples, counting)
        reps = [s.requests for s in samples]
        by_op = [s.by_operation() for s in samples]
        same = len(set(reps)) == 1 and all(b == by_op[0] for b in by_op)
        self.checks.append(Check(f"{label}: same requests in every repetition", same, str(reps)))
        assigned = [s.value for s in samples] + outcomes
        to_team = [o for o in assigned if o.removeprefix("assigned:") in desk.agent_ids]
        self.checks.append(
            Check(
                f"{label}: every ticket was assigned to an agent of the team",
                len(to_team) == len(assigned),
                f"{len(to_team)} of {len(assigned)}; others: {sorted(set(assigned) - set(to_team))[:3]}",
            )
        )
        spread = Counter(o.removeprefix("assigned:") for o in outcomes)
        counts = [spread.get(a, 0) for a in desk.agent_ids]
        self.checks.append(
            Check(f"{label}: round robin spread the timed tickets evenly", max(counts) - min(counts) <= 1, str(counts))
        )
