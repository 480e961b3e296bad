"""Section ``sla_sweep``: the DynamoDB requests of one SLA sweep (``sla.sweep.sweep``) with 10 tickets due,
among 1,000 and among 100,000 tickets.

Each size gets its own table (``bench.desk``) and a clock the bench sets. At T0: one SLA policy (first response
in 60 minutes, calendar time), a team with 5 agents, and 10 tickets created through ``TicketService.create`` in
that team (nobody assigned), whose SLA state the tracker computes and stores as the ``sla`` consumer does
(``SlaTracker.refresh``): warning due at T0+45 min. The rest of the table is seeded with BatchWriteItem: tickets
created between T0+6 and T0+50 min, each a ticket item and its ``DUE#SLA`` item with the state the tracker
computes for it (warning after T0+50 min, so in the due index but not due). The sweep runs at T0+50 min: the
10 warnings fire. A second sweep at the same time fires nothing.

The desk's configuration cache is cleared before each sweep: the sweep runs once a minute and the cache lives
30 s, so a sweep that finds something due reads the configuration (one Query per kind).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.ddb_requests import log
from bench.desk import Clock, DeskTable, Metered, call_checks, quiet
from bench.report import Check

DUE = 10
AGENTS = 5
WARN_AFTER = timedelta(minutes=50)  # the sweep's time after T0: past the 45-minute warning of the 60-minute target
SEED_SPREAD = 44 * 60  # seconds: seeded tickets are created between T0+6 and T0+50 min
TICKETS_PER_CHUNK = 500
POLICY = {"name": "std", "targets": [{"metric": "first_response", "minutes": 60, "business": False}]}
SUBJECTS = (
    "Invoice shows the wrong VAT rate",
    "Cannot log in since yesterday",
    "Export to CSV fails",
    "Card declined on renewal",
    "Webhook deliveries are late",
)


@dataclass
class SlaSweep:
    sizes: tuple[int, int]
    log_path: Path | None = None
    checks: list[Check] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def run(self) -> dict[str, Any]:
        result = {}
        for size in self.sizes:
            with DeskTable(f"lambdesk-bench-sla-{size}", self.log_path) as table:
                result[str(size)] = self._measure(table, size)
            self.checks += table.checks
        counts = {k: v["requests"] for k, v in result.items()}
        first = result[str(self.sizes[0])]
        same = all(
            (v["by_operation"], v["second_sweep_requests"]) == (first["by_operation"], first["second_sweep_requests"])
            for v in result.values()
        )
        self.checks.append(Check("sla_sweep: same requests (by operation) at both sizes", same, str(counts)))
        return result

    def _measure(self, table: DeskTable, size: int) -> dict[str, Any]:
        from chalicelib.sla.sweep import sweep

        t0 = datetime.now(UTC).replace(second=0, microsecond=0)
        clock = Clock(t0)
        svc = table.services(clock)
        with quiet():
            team_id, due_ids = _set_up(svc)
        began = time.perf_counter()
        with table.seeding():
            seeded = table.batch_write(_chunks(svc, team_id, t0, size - DUE))
        seed_seconds = round(time.perf_counter() - began, 1)
        items = table.item_count()
        log(f"sla_sweep@{size}: seeded {seeded} items ({size} tickets, {items} items) in {seed_seconds} s")
        meter = table.meter()
        clock.now = t0 + WARN_AFTER
        svc.documents.forget()
        first = table.metered(meter, lambda: sweep(svc.sla_tracker()))
        svc.documents.forget()
        second = table.metered(meter, lambda: sweep(svc.sla_tracker()))
        self._check(str(size), svc, due_ids, first, second, table.server.counting)
        self.detail[str(size)] = {
            "table_items": items,
            "seeded_items": seeded,
            "seed_seconds": seed_seconds,
            "calls": [c.operation for c in first.calls],
            "sweeps": [first.value, second.value],
            "second_sweep_calls": [c.operation for c in second.calls],
        }
        log(f"sla_sweep@{size}: {first.requests} requests, {first.value}; again: {second.requests}, {second.value}")
        return {
            "requests": first.requests,
            "by_operation": first.by_operation(),
            "due": first.value["due"],
            "fired": first.value["fired"],
            "second_sweep_requests": second.requests,
        }

    def _check(self, key: str, svc: Any, due_ids: list[str], first: Metered, second: Metered, counting: bool) -> None:
        from chalicelib.core.resources import DUE_SLA

        label = f"sla_sweep@{key}"
        self.checks += call_checks(label, [first, second], counting)
        self.checks.append(
            Check(
                f"{label}: the sweep fired exactly {DUE} warnings",
                first.value == {"due": DUE, "fired": DUE, "failed": 0},
                str(first.value),
            )
        )
        self.checks.append(
            Check(f"{label}: a second sweep fires nothing", second.value["fired"] == 0, str(second.value))
        )
        warnings = []
        for ticket_id in due_ids:
            _, timeline, dues = svc.work_repo.ticket_state(ticket_id)
            fired = dues[DUE_SLA].state.get("fired", [])
            warnings.append((sum(e.event == "sla.warning" for e in timeline), len(fired)))
        self.checks.append(
            Check(
                f"{label}: each due ticket has one sla.warning and its state records it",
                warnings == [(1, 1)] * len(due_ids),
                str(warnings[:3]),
            )
        )


def _set_up(svc: Any) -> tuple[str, list[str]]:
    """Policy, team, agents and the tickets that fall due, at T0 (the services' clock)."""
    from chalicelib.domain.people import Role
    from chalicelib.domain.timeline import Actor, ActorKind
    from chalicelib.tickets.service import NewTicket

    svc.documents.create("admin", "sla_policy", POLICY)
    team = svc.directory.create_team("Support")
    for i in range(AGENTS):
        svc.directory.create_agent(f"sla{i}@bench.example", f"Agent {i}", Role.AGENT, None, (team.id,))
    due_ids = []
    for i in range(DUE):
        ticket, _ = svc.tickets.create(
            Actor(ActorKind.SYSTEM, "bench"),
            NewTicket(
                subject=SUBJECTS[i % len(SUBJECTS)],
                body_text="Hello, the printer in the office is on fire again.",
                requester_email=f"due{i:02d}@customers.example",
                team_id=team.id,
            ),
        )
        ticket, timeline, _ = svc.work_repo.ticket_state(ticket.id)
        svc.sla_tracker().refresh(ticket, timeline, None)
        due_ids.append(ticket.id)
    return team.id, due_ids


def _chunks(svc: Any, team_id: str, t0: datetime, tickets: int) -> list[Any]:
    """Builders of the seeded tickets' items, ``TICKETS_PER_CHUNK`` tickets each (run in the writer threads)."""
    from chalicelib.core.ids import new_id
    from chalicelib.core.resources import DUE_SLA
    from chalicelib.domain.tickets import Channel, Ticket
    from chalicelib.sla.tracker import SlaTracker
    from chalicelib.storage.dynamodb.mapping import ticket_pk, ticket_to_item
    from chalicelib.storage.dynamodb.models import DueStateItem
    from chalicelib.storage.dynamodb.work import due_stamp

    # The tracker's view of a new ticket at its creation, for each second of the spread (computed here, once).
    template = Ticket(
        id=new_id(), number=0, subject="", requester_id="", channel=Channel.EMAIL, created_at=t0, updated_at=t0
    )
    assessed = []
    for offset in range(SEED_SPREAD):
        created = t0 + timedelta(minutes=6, seconds=1 + offset)
        ticket = replace(template, created_at=created, updated_at=created)
        tracker = SlaTracker(svc.work_repo, svc.tickets, svc.directory_repo, svc.policies, Clock(created), 0.75)
        assessment = tracker.assess(ticket, [], None)
        assessed.append((assessment.state(), due_stamp(assessment.next_due())))

    def build(start: int, stop: int) -> list[dict[str, Any]]:
        items = []
        for n in range(start, stop):
            offset = n % SEED_SPREAD
            created = t0 + timedelta(minutes=6, seconds=1 + offset)
            ticket = Ticket(
                id=new_id(),
                number=1000 + n,
                subject=SUBJECTS[n % len(SUBJECTS)],
                requester_id=new_id(),
                channel=Channel.EMAIL,
                created_at=created,
                updated_at=created,
                last_customer_message_at=created,
                team_id=team_id if n % 4 else None,
            )
            state, due_at = assessed[offset]
            items.append(ticket_to_item(ticket).serialize())
            items.append(
                DueStateItem(
                    ticket_pk(ticket.id),
                    f"DUE#{DUE_SLA}",
                    ticket_id=ticket.id,
                    due_kind=DUE_SLA,
                    state=state,
                    basis_version=ticket.version,
                    due_key=DUE_SLA,
                    due_at=due_at,
                ).serialize()
            )
        return items

    bounds = range(0, tickets, TICKETS_PER_CHUNK)
    return [lambda lo=lo: build(lo, min(lo + TICKETS_PER_CHUNK, tickets)) for lo in bounds]
