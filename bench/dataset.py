"""A realistic help desk, planned deterministically and written straight into the table.

Teams, agents and organizations go through the services (a few dozen requests). Customers, tickets, their
timelines and the ticket-number lookups are built as domain objects, turned into items by
``chalicelib.storage.dynamodb.mapping`` and written with pynamodb batch writes (25 items a request),
instead of going through the API ten thousand times.

The plan is made once for the largest size; the smaller table is every n-th ticket of it, so both sizes
have the same mix of statuses, priorities, teams, agents and requesters. A few "probe" tickets share one
shape (open, normal priority, six timeline entries) so that reply, note, update and reads on them cost the
same at every size; each measured request uses a fresh probe.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.bootstrap import Container as Services
from chalicelib.core.ids import new_id
from chalicelib.domain.mailthread import CustomerMark, MailThread
from chalicelib.domain.people import Agent, Customer, Identity, IdentityKind, Organization, Role, Team
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import Actor, ActorKind, Change, EntryKind, TimelineEntry

SEED = 1729
TEAM_NAMES = ("Support L1", "Support L2", "Billing", "Onboarding")
AGENTS = 16
ORGANIZATIONS = 20
TICKETS_PER_CUSTOMER = 4
ORG_CUSTOMER_SHARE = 0.7
STATUS_WEIGHTS = {
    Status.NEW: 10,
    Status.OPEN: 25,
    Status.PENDING: 15,
    Status.ON_HOLD: 5,
    Status.SOLVED: 25,
    Status.CLOSED: 20,
}
PRIORITY_WEIGHTS = {Priority.LOW: 20, Priority.NORMAL: 50, Priority.HIGH: 22, Priority.URGENT: 8}
CHANNEL_WEIGHTS = {Channel.EMAIL: 50, Channel.PORTAL: 20, Channel.CHAT: 15, Channel.API: 10, Channel.PHONE: 5}
TAGS = (
    "billing",
    "login",
    "api",
    "export",
    "refund",
    "invoice",
    "vat",
    "card",
    "webhooks",
    "mobile",
    "sso",
    "bug",
    "onboarding",
    "transfer",
    "feature-request",
)
WORDS = (
    "account",
    "invoice",
    "payment",
    "cannot",
    "please",
    "error",
    "export",
    "login",
    "password",
    "thanks",
    "customer",
    "order",
    "refund",
    "card",
    "declined",
    "transfer",
    "report",
    "since",
    "yesterday",
    "again",
    "team",
    "access",
    "settings",
    "update",
    "billing",
    "address",
    "the",
    "and",
    "with",
    "our",
    "after",
    "when",
    "page",
    "shows",
    "wrong",
    "rate",
    "help",
    "urgent",
    "still",
    "working",
)
PROBE_BODY_CHARS = 600
WRITERS = 3
TICKETS_PER_CHUNK = 50
PROBE_POSTS = ("note", "reply", "customer")  # + created, first message, assigned = 6 timeline entries


@dataclass(frozen=True)
class People:
    admin: Agent
    teams: list[Team]
    agents: list[Agent]
    orgs: list[Organization]
    customers: list[Customer]

    @property
    def me(self) -> Agent:
        """The caller of every measured request (the ``mine`` view)."""
        return self.agents[0]

    @property
    def probe_assignee(self) -> Agent:
        return self.agents[1]

    @property
    def reassign_to(self) -> Agent:
        return self.agents[2]


@dataclass(frozen=True)
class Shape:
    status: Status
    priority: Priority
    channel: Channel
    type: TicketType | None
    tags: tuple[str, ...]
    team_id: str | None
    assignee_id: str | None
    posts: tuple[str, ...]
    subject: str
    body_chars: int


@dataclass
class Plan:
    people: People
    tickets: list[tuple[Ticket, list[TimelineEntry]]]
    phase_of: list[int]
    probes: list[list[int]]
    requester: Customer
    organization: Organization

    def indices(self, phase: int) -> list[int]:
        return [i for i, p in enumerate(self.phase_of) if p == phase]


def create_people(svc: Services, total_tickets: int, rng: random.Random) -> People:
    """Teams, agents and organizations through the services; customers as domain objects (written later)."""
    d = svc.directory
    teams = [d.create_team(name, f"{name} queue") for name in TEAM_NAMES]
    admin = d.create_agent("admin@bench.example", "Bench Admin", Role.ADMIN, "bench-admin", tuple(t.id for t in teams))
    agents = []
    for i in range(AGENTS):
        member_of = (teams[i % len(teams)].id,) + ((teams[(i + 1) % len(teams)].id,) if i % 3 == 0 else ())
        agents.append(
            d.create_agent(
                f"agent{i:02d}@bench.example", f"Agent {i:02d}", Role.AGENT, f"bench-agent-{i:02d}", member_of
            )
        )
    orgs = [
        svc.customers.create_organization(f"Org {i:02d}", [f"org{i:02d}.example.com"], vip=i % 5 == 0)
        for i in range(ORGANIZATIONS)
    ]
    created = datetime(2024, 1, 1, tzinfo=UTC)
    customers = []
    for i in range(max(total_tickets // TICKETS_PER_CUSTOMER, 10)):
        org = orgs[i % len(orgs)] if rng.random() < ORG_CUSTOMER_SHARE else None
        domain = org.domains[0] if org else f"mail{i % 7}.example.net"
        customers.append(
            Customer(
                id=new_id(),
                name=f"Customer {i:05d}",
                identities=(Identity.of(IdentityKind.EMAIL, f"c{i:05d}@{domain}"),),
                created_at=created,
                organization_id=org.id if org else None,
            )
        )
    return People(admin, teams, agents, orgs, customers)


def make_plan(svc: Services, sizes: tuple[int, int], probes_per_size: int) -> Plan:
    small, total = sizes
    rng = random.Random(SEED)
    people = create_people(svc, total, rng)
    # A few customers write a lot (resellers, big accounts), most write once or twice.
    ranks = rng.sample(range(len(people.customers)), len(people.customers))
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in ranks))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=366)
    times = sorted(start + timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(total))
    step = total // small
    phase_of = [0 if i % step == 0 else 1 for i in range(total)]
    small_indices = [i for i in range(total) if phase_of[i] == 0]
    probe_indices = small_indices[-2 * probes_per_size :]
    members = {t.id: [a.id for a in people.agents if t.id in a.teams] for t in people.teams}
    tickets = []
    # Probes share one requester (with an organization), so they sit in the same indexes.
    probe_requester = next(c for c in people.customers if c.organization_id)
    probe_set = set(probe_indices)
    for i, created in enumerate(times):
        requester = rng.choices(people.customers, cum_weights=cumulative)[0]
        if i in probe_set:
            requester, shape = probe_requester, _probe_shape(people)
        else:
            shape = _random_shape(rng, people, members)
        tickets.append(_story(rng, people, i + 1, created, requester, shape))
    counts = Counter(tickets[i][0].requester_id for i in small_indices)
    org_counts = Counter(tickets[i][0].organization_id for i in small_indices if tickets[i][0].organization_id)
    by_id = {c.id: c for c in people.customers}
    orgs = {o.id: o for o in people.orgs}
    return Plan(
        people=people,
        tickets=tickets,
        phase_of=phase_of,
        probes=[probe_indices[:probes_per_size], probe_indices[probes_per_size:]],
        requester=by_id[counts.most_common(1)[0][0]],
        organization=orgs[str(org_counts.most_common(1)[0][0])],
    )


def _probe_shape(people: People) -> Shape:
    return Shape(
        Status.OPEN,
        Priority.NORMAL,
        Channel.EMAIL,
        TicketType.QUESTION,
        ("billing", "vat"),
        people.teams[0].id,
        people.probe_assignee.id,
        PROBE_POSTS,
        "Invoice shows the wrong VAT rate",
        PROBE_BODY_CHARS,
    )


def _random_shape(rng: random.Random, people: People, members: dict[str, list[str]]) -> Shape:
    status = _weighted(rng, STATUS_WEIGHTS)
    team_id = rng.choice(people.teams).id if rng.random() < 0.85 else None
    assignee_id = None
    if status is not Status.NEW and rng.random() < 0.92:
        assignee_id = rng.choice(members[team_id] if team_id else [a.id for a in people.agents])
    if status is Status.NEW:
        posts: tuple[str, ...] = ("customer",) * rng.randint(0, 1)
    else:
        posts = ("reply",) + tuple(rng.choice(("reply", "note", "customer")) for _ in range(rng.randint(0, 2)))
    return Shape(
        status=status,
        priority=_weighted(rng, PRIORITY_WEIGHTS),
        channel=_weighted(rng, CHANNEL_WEIGHTS),
        type=rng.choice([*TicketType, None]),
        tags=tuple(sorted(rng.sample(TAGS, rng.randint(0, 3)))),
        team_id=team_id,
        assignee_id=assignee_id,
        posts=posts,
        subject=text(rng, rng.randint(20, 90)).capitalize(),
        body_chars=rng.randint(150, 1500),
    )


def _story(
    rng: random.Random, people: People, number: int, created: datetime, requester: Customer, shape: Shape
) -> tuple[Ticket, list[TimelineEntry]]:
    """The ticket after its life so far, and the timeline entries that recorded it."""
    admin = Actor(ActorKind.AGENT, people.admin.id)
    customer = Actor(ActorKind.CUSTOMER, requester.id)
    agent = Actor(ActorKind.AGENT, shape.assignee_id or people.admin.id)
    ticket = Ticket(
        id=new_id(),
        number=number,
        subject=shape.subject,
        requester_id=requester.id,
        channel=shape.channel,
        created_at=created,
        updated_at=created,
        priority=shape.priority,
        type=shape.type,
        tags=shape.tags,
        organization_id=requester.organization_id,
        team_id=shape.team_id,
        last_customer_message_at=created,
    )
    entries = [
        TimelineEntry.system(
            ticket, "ticket.created", admin, created, data={"channel": str(shape.channel), "requester_id": requester.id}
        ),
        TimelineEntry.post(
            ticket, EntryKind.MESSAGE, customer, created, text(rng, shape.body_chars), None, str(shape.channel)
        ),
    ]
    at = created
    if shape.assignee_id:
        at += timedelta(minutes=rng.randint(2, 240))
        ticket = replace(
            ticket, assignee_id=shape.assignee_id, status=Status.OPEN, updated_at=at, version=ticket.version + 1
        )
        entries.append(
            TimelineEntry.system(ticket, "ticket.assigned", admin, at, [Change("assignee_id", None, shape.assignee_id)])
        )
    for post in shape.posts:
        at += timedelta(minutes=rng.randint(5, 600))
        author = customer if post == "customer" else agent
        kind = EntryKind.NOTE if post == "note" else EntryKind.MESSAGE
        ticket = ticket.posted(kind, author, at)
        channel = str(shape.channel) if author is customer else "api"
        entries.append(TimelineEntry.post(ticket, kind, author, at, text(rng, shape.body_chars), None, channel))
    if shape.status is not ticket.status:
        at += timedelta(minutes=rng.randint(5, 600))
        old = ticket.status
        ticket = replace(
            ticket,
            status=shape.status,
            updated_at=at,
            version=ticket.version + 1,
            solved_at=at if shape.status in (Status.SOLVED, Status.CLOSED) else None,
            closed_at=at if shape.status is Status.CLOSED else None,
        )
        entries.append(
            TimelineEntry.system(ticket, "ticket.updated", agent, at, [Change("status", str(old), str(shape.status))])
        )
    # What the app keeps of a ticket's mail conversation as it writes it (domain/mailthread.py).
    thread = MailThread().advance(entries)
    thread = replace(thread, stamp=ticket.version) if thread.inbound else thread
    mark = CustomerMark.after(None, entries)
    return replace(ticket, mail_thread_version=thread.stamp, mail_thread=thread, customer_mark=mark), entries


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


# Bodies and subjects are slices of one seeded corpus: fast, deterministic, realistic in length.
_CORPUS = " ".join(random.Random(SEED).choice(WORDS) for _ in range(8000))


def text(rng: random.Random, chars: int) -> str:
    start = rng.randrange(0, len(_CORPUS) - chars)
    return _CORPUS[start : start + chars].strip()


def _compose(outer: Callable[[Any], int], inner: Callable[[Any], Any]) -> Callable[[Any], int]:
    return lambda value: outer(inner(value))


def write_phase(plan: Plan, phase: int, written_customers: set[str]) -> int:
    """Batch-write one phase's tickets (with timelines, number lookups and new requesters); return the item count.

    A few threads each build the items of a slice of tickets and write them (25 items a request), so that
    building and serializing overlap with moto's work in its own process.
    """
    from chalicelib.storage.dynamodb import base
    from chalicelib.storage.dynamodb.mapping import (
        THREAD_SK,
        customer_to_item,
        entry_to_item,
        ticket_pk,
        ticket_to_item,
    )
    from chalicelib.storage.dynamodb.models import CounterItem, Item, ThreadItem
    from chalicelib.storage.dynamodb.people import _identity_key
    from chalicelib.storage.dynamodb.tickets import NUMBER_COUNTER

    customers = {c.id: c for c in plan.people.customers}
    first: list[Item] = []
    if phase == 0:
        # New tickets continue after the largest planned number, so they never collide with a later phase.
        first.append(CounterItem(NUMBER_COUNTER, "COUNTER", value=len(plan.tickets)))
    indices = plan.indices(phase)
    for index in indices:
        requester = plan.tickets[index][0].requester_id
        if requester not in written_customers:
            customer = customers[requester]
            first.append(customer_to_item(customer))
            first.extend(base.lookup_item(_identity_key(i), customer.id) for i in customer.identities)
            written_customers.add(customer.id)

    def build(chunk: list[int]) -> list[Item]:
        items: list[Item] = []
        for index in chunk:
            ticket, entries = plan.tickets[index]
            items.append(ticket_to_item(ticket))
            if ticket.mail_thread is not None and ticket.mail_thread.inbound:
                items.append(ThreadItem(ticket_pk(ticket.id), THREAD_SK, state=ticket.mail_thread.as_data()))
            items.append(base.lookup_item(f"TICKETNO#{ticket.number}", ticket.id))
            items.extend(entry_to_item(e) for e in entries)
        return items

    def write(items: list[Item]) -> int:
        with Item.batch_write() as batch:
            for item in items:
                batch.save(item)
        return len(items)

    chunks = [indices[i : i + TICKETS_PER_CHUNK] for i in range(0, len(indices), TICKETS_PER_CHUNK)]
    from devtools.progress import iterate

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [pool.submit(write, first)] + [pool.submit(_compose(write, build), c) for c in chunks]
        return sum(f.result() for f in iterate(futures, f"Writing {len(indices)} tickets", "chunk"))
