"""Demo data: teams, agents, organizations, customers and tickets in every state with timelines.

It goes through the services, as an admin and agents would, so every ticket's events flow through the
stream like real ones. Seeding twice does nothing the second time.

The tickets have a past (``DemoClock``): each one's story (created, assigned, answered, solved, rated) happens
over hours and days before the stack starts, as a real desk's would, so the reports show real reply and
resolution times over several days. What is still open is recent enough that no SLA target is missed at
startup (the first ones fall due while the demo runs).

Dev, Support L2's only agent, is away: L2's new tickets wait unassigned in its queue, so the unassigned view
(the README's first command) and the team queue show something; setting Dev online assigns them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.bootstrap import Container
from chalicelib.core.clock import utcnow
from chalicelib.domain.people import Availability, Role, Strategy
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.tickets.service import NewTicket

ADMIN_SUBJECT = "demo-admin"
ADMIN_EMAIL = "ada@lambdesk.local"
AWAY_AGENT = "dev"
# The demo customer of the portal: manager of Acme Corp (she sees Sam's ticket too).
DEMO_CUSTOMER = "maria@acme.example"
# How long the sign-in link printed at startup works (once): a working day, like the agent token.
DEMO_LINK_HOURS = 12


class DemoClock:
    """The time the seeding services read: a moment of the demo's past while ``at`` is set, else the real time."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or utcnow()

    def later(self, **delta: float) -> None:
        self.at = self() + timedelta(**delta)


# When a ticket's story starts, before the stack starts, by where it ends (``n``: its place in ``TICKETS``):
# new ones minutes ago (a VIP's first reply is due within the hour), open ones a few hours ago (a VIP's is
# to be resolved within 16), solved ones two or three days ago (the automations close a ticket 4 days after
# its solve: they stay solved, as the demo says).
def started(status: Status, n: int, now: datetime) -> datetime:
    if status is Status.NEW:
        return now - timedelta(minutes=10 + 3 * n)
    if status in (Status.SOLVED, Status.CLOSED):
        return now - timedelta(days=2 + n % 2, hours=n % 7)
    return now - timedelta(hours=3 + n % 5)


@dataclass(frozen=True)
class Seeded:
    admin_subject: str
    created: bool
    tickets: int


TICKETS = [
    # subject, requester, channel, priority, type, final status, team, assignee, tags
    (
        "Cannot log in after password reset",
        "maria@acme.example",
        Channel.EMAIL,
        Priority.HIGH,
        TicketType.INCIDENT,
        Status.OPEN,
        "Support L1",
        "ben",
        ("login",),
    ),
    (
        "Invoice #4411 shows the wrong VAT rate",
        "li@globex.example",
        Channel.PORTAL,
        Priority.NORMAL,
        TicketType.QUESTION,
        Status.PENDING,
        "Billing",
        "chloe",
        ("billing", "vat"),
    ),
    (
        "API returns 502 for bulk export",
        "sam@acme.example",
        Channel.API,
        Priority.URGENT,
        TicketType.INCIDENT,
        Status.OPEN,
        "Support L2",
        "dev",
        ("api", "export"),
    ),
    (
        "How do I add a second admin?",
        "jo@example.org",
        Channel.CHAT,
        Priority.LOW,
        TicketType.QUESTION,
        Status.SOLVED,
        "Support L1",
        "ben",
        ("accounts",),
    ),
    (
        "Card declined although funds available",
        "ines@example.net",
        Channel.EMAIL,
        Priority.HIGH,
        TicketType.PROBLEM,
        Status.NEW,
        None,
        None,
        ("billing", "card"),
    ),
    (
        "Feature request: dark mode",
        "kai@globex.example",
        Channel.PORTAL,
        Priority.LOW,
        TicketType.TASK,
        Status.ON_HOLD,
        "Support L1",
        "chloe",
        ("feature-request",),
    ),
    (
        "Exchange rate on my transfer looks wrong",
        "noor@example.com",
        Channel.EMAIL,
        Priority.NORMAL,
        TicketType.QUESTION,
        Status.NEW,
        None,
        None,
        ("transfer",),
    ),
    (
        "Refund not received after 10 days",
        "maria@acme.example",
        Channel.EMAIL,
        Priority.NORMAL,
        TicketType.PROBLEM,
        Status.CLOSED,
        "Billing",
        "chloe",
        ("refund",),
    ),
    (
        "Webhook signatures do not verify",
        "sam@acme.example",
        Channel.API,
        Priority.HIGH,
        TicketType.INCIDENT,
        Status.NEW,
        "Support L2",
        None,
        ("api", "webhooks"),
    ),
    (
        "SSO sign-in loops back to the login page",
        "sam@acme.example",
        Channel.EMAIL,
        Priority.NORMAL,
        TicketType.INCIDENT,
        Status.NEW,
        "Support L2",
        None,
        ("sso",),
    ),
    (
        "Two-factor codes arrive late",
        "ola@example.org",
        Channel.PORTAL,
        Priority.NORMAL,
        TicketType.QUESTION,
        Status.SOLVED,
        "Support L1",
        "ben",
        ("2fa",),
    ),
    (
        "Please update my billing address",
        "li@globex.example",
        Channel.PHONE,
        Priority.LOW,
        TicketType.TASK,
        Status.SOLVED,
        "Billing",
        "chloe",
        ("billing",),
    ),
]


# Solved with the first reply (first-contact resolution); the other solved tickets took a second one.
ONE_REPLY = frozenset({"How do I add a second admin?", "Please update my billing address"})
# Channels where the customer wrote the first message themselves (an agent takes phone and API tickets down).
CUSTOMER_CHANNELS = frozenset({Channel.EMAIL, Channel.PORTAL, Channel.CHAT})

# Answered satisfaction surveys (asked right after the solve instead of a day later): rating, comment, reasons.
SURVEYS = {
    "Refund not received after 10 days": (2, "It took ten days and three mails to get my money back.", ("slow",)),
    "Two-factor codes arrive late": (5, "Quick and clear, thank you!", ()),
}


def describe() -> str:
    """The demo data in one line (the stack's banner)."""
    waiting = sum(1 for *_, team, assignee, _tags in TICKETS if team == "Support L2" and assignee is None)
    from devtools.seed_kb import ARTICLES

    tickets = f"{len(TICKETS)} tickets ({waiting} unassigned: Support L2's agent Dev is away)"
    return f"{tickets}; agents ada, ben, chloe, dev; {len(ARTICLES)} help articles (/portal/kb)"


def seed_demo(svc: Container) -> Seeded:
    if svc.directory_repo.find_agent_by_subject(ADMIN_SUBJECT):
        return Seeded(ADMIN_SUBJECT, False, 0)
    d = svc.directory
    teams = {
        name: d.create_team(name, desc).id
        for name, desc in (
            ("Support L1", "First line: every new inquiry"),
            ("Support L2", "Technical escalations"),
            ("Billing", "Invoices, refunds, payments"),
        )
    }
    admin = d.create_agent(ADMIN_EMAIL, "Ada Admin", Role.ADMIN, ADMIN_SUBJECT, tuple(teams.values()))
    agents = {
        "ben": d.create_agent(
            "ben@lambdesk.local", "Ben Okafor", Role.AGENT, "demo-ben", (teams["Support L1"],), ("en", "accounts")
        ),
        "chloe": d.create_agent(
            "chloe@lambdesk.local",
            "Chloe Martin",
            Role.AGENT,
            "demo-chloe",
            (teams["Billing"], teams["Support L1"]),
            ("en", "fr", "billing"),
        ),
        "dev": d.create_agent(
            "dev@lambdesk.local", "Dev Patel", Role.AGENT, "demo-dev", (teams["Support L2"],), ("en", "api")
        ),
    }
    for name, agent in agents.items():
        availability = Availability.AWAY if name == AWAY_AGENT else Availability.ONLINE
        d.update_agent(agent.id, agent.version, {"availability": availability})
    _configure(svc, admin.id, teams)
    svc.customers.create_organization("Acme Corp", ["acme.example"], vip=True)
    svc.customers.create_organization("Globex", ["globex.example"])
    from devtools.progress import iterate

    clock = DemoClock()
    past = Container(svc.settings, svc.repos, clock=clock)
    now = utcnow()
    for n, row in enumerate(iterate(TICKETS, "Seeding", "ticket")):
        subject, email, channel, priority, kind, status, team, assignee, tags = row
        clock.at = started(status, n, now)
        _ticket(
            past,
            clock,
            now,
            admin.id,
            subject,
            email,
            channel,
            priority,
            kind,
            status,
            teams.get(team or ""),
            agents[assignee].id if assignee else None,
            tags,
        )
    clock.at = None
    _make_manager(svc, DEMO_CUSTOMER)
    from devtools.seed_kb import seed_articles

    seed_articles(svc, admin.id)
    return Seeded(ADMIN_SUBJECT, True, len(TICKETS))


def _make_manager(svc: Container, email: str) -> None:
    from chalicelib.domain.people import Identity, IdentityKind

    found = svc.customers.find(Identity.of(IdentityKind.EMAIL, email))
    if found is not None and not found.manager:
        svc.customers.update(found.id, found.version, {"manager": True})


def sign_in_link(svc: Container, base_url: str, email: str = DEMO_CUSTOMER, hours: float = DEMO_LINK_HOURS) -> str:
    """A sign-in link for a customer (as the sign-in mail carries it), valid once for ``hours``."""
    from datetime import timedelta

    from chalicelib.access.signins import new_attempt

    _, attempt = new_attempt()
    prepared = svc.signins.prepare(attempt, email, svc.clock(), timedelta(hours=hours))
    assert prepared is not None
    return f"{base_url}/portal/login/link/{prepared.link}"


def _configure(svc: Container, admin_id: str, teams: dict[str, str]) -> None:
    """Routing, assignment, SLAs and automations as a small desk would set them up (through the services, so the
    admin's audit trail shows them)."""
    d, desk = svc.directory, svc.documents
    l1, l2, billing = teams["Support L1"], teams["Support L2"], teams["Billing"]
    d.update_team(l2, 1, {"assignment_strategy": Strategy.LEAST_LOADED})
    d.update_team(l1, 1, {"assignment_strategy": Strategy.ROUND_ROBIN, "escalation_team_id": l2, "lead_id": admin_id})
    d.update_team(billing, 1, {"assignment_strategy": Strategy.SKILLS})
    weekdays = {day: [["08:00", "12:00"], ["13:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    office = desk.create(admin_id, "calendar", {"name": "Office hours", "time_zone": "Europe/London", "week": weekdays})
    target = [("first_response", 60), ("next_response", 240), ("resolution", 960)]
    desk.create(
        admin_id,
        "sla_policy",
        {
            "name": "VIP",
            "position": 1,
            "conditions": {"vip": True},
            "targets": [{"metric": m, "minutes": n, "business": False} for m, n in target],
            "breach_actions": ["raise_priority", "notify_lead"],
        },
    )
    desk.create(
        admin_id,
        "sla_policy",
        {
            "name": "Standard",
            "position": 10,
            "targets": [{"metric": m, "minutes": n * 4, "business": True} for m, n in target],
            "calendar_id": office.id,
            "breach_actions": ["escalate"],
        },
    )
    desk.create(
        admin_id,
        "routing_rule",
        {
            "name": "Billing words to Billing",
            "position": 1,
            "conditions": {"keywords": ["invoice", "refund", "payment", "charged"]},
            "actions": {"team_id": billing, "add_tags": ["billing"], "skills": ["billing"]},
        },
    )
    desk.create(
        admin_id,
        "routing_rule",
        {"name": "Everything else to Support L1", "position": 100, "conditions": {}, "actions": {"team_id": l1}},
    )
    desk.create(
        admin_id,
        "macro",
        {
            "name": "Need more details",
            "body": "Hi {{ requester.first_name }},\n\nCould you send a screenshot and the time it happened?\n\n"
            "{{ agent.name }}",
            "set_fields": {"status": "pending"},
        },
    )
    desk.create(
        admin_id,
        "trigger",
        {
            "name": "Tell the lead about urgent tickets",
            "position": 1,
            "conditions": {"events": ["ticket.updated"], "changed_field": "priority", "changed_to": "urgent"},
            "actions": {"notify_agent_ids": [admin_id]},
        },
    )


def _ticket(
    svc: Container,
    clock: DemoClock,
    now: datetime,
    admin_id: str,
    subject: str,
    email: str,
    channel: Channel,
    priority: Priority,
    kind: TicketType,
    status: Status,
    team_id: str | None,
    assignee_id: str | None,
    tags: tuple[str, ...],
) -> None:
    t = svc.tickets
    name = email.split("@")[0].title()
    requester = svc.customers.resolve_email(email, name) if channel in CUSTOMER_CHANNELS else None
    ticket, _ = t.create(
        Actor(ActorKind.CUSTOMER, requester.id) if requester else Actor(ActorKind.AGENT, admin_id),
        NewTicket(
            subject=subject,
            body_text=f"Hello,\n\n{subject}. Can you help?\n\nThanks, {name}",
            channel=channel,
            requester_email=email,
            requester_name=name,
            priority=priority,
            type=kind,
            tags=tags,
            team_id=team_id,
        ),
        requester=requester,
    )
    if assignee_id is None:
        return
    agent = Actor(ActorKind.AGENT, assignee_id)
    minutes = len(subject) % 7  # a little variety between tickets
    clock.later(minutes=2)
    ticket = t.update(agent, ticket.id, ticket.version, {"assignee_id": assignee_id})
    clock.later(minutes=9 + minutes)
    ticket = t.note(agent, ticket.id, ticket.version, "Checked the account: nothing unusual in the logs.")
    clock.later(minutes=12 + 3 * minutes)
    if subject in ONE_REPLY:
        ticket = t.reply(agent, ticket.id, ticket.version, f"Hi {name}, done: see your settings.", status=Status.SOLVED)
        return
    ticket = t.reply(
        agent,
        ticket.id,
        ticket.version,
        f"Hi {name}, thanks for writing. We are looking into it.",
        status=Status.PENDING if status is not Status.OPEN else Status.OPEN,
    )
    if status in (Status.SOLVED, Status.CLOSED, Status.OPEN, Status.ON_HOLD):
        # An open ticket's customer wrote back an hour ago: the next reply falls due while the demo runs.
        clock.at = now - timedelta(minutes=70 + minutes) if status is Status.OPEN else clock() + timedelta(hours=3)
        customer = svc.customers.get(ticket.requester_id)
        ticket = t.customer_message(customer, ticket.id, "Thanks, here are the details you asked for.", str(channel))
    if status is Status.ON_HOLD:
        clock.later(minutes=25)
        t.update(agent, ticket.id, ticket.version, {"status": Status.ON_HOLD})
    if status in (Status.SOLVED, Status.CLOSED):
        clock.later(hours=1, minutes=10 * minutes)
        ticket = t.reply(agent, ticket.id, ticket.version, "This is fixed now. Anything else?", status=Status.SOLVED)
    if subject in SURVEYS:
        clock.later(hours=2)
        ticket = _answered_survey(svc, ticket.id, *SURVEYS[subject])
    if status is Status.CLOSED:
        clock.later(days=1)
        t.update(agent, ticket.id, ticket.version, {"status": Status.CLOSED})


def _answered_survey(svc: Container, ticket_id: str, rating: int, comment: str, reasons: tuple[str, ...]) -> Ticket:
    """The ticket's survey, sent now (not a day later) and answered as its customer would on the survey page."""
    from chalicelib.surveys.sender import Sent

    sent = svc.surveys.sender().offer(ticket_id)
    if not isinstance(sent, Sent):
        raise RuntimeError(f"the demo survey of ticket {ticket_id} was not sent: {sent}")
    svc.surveys.answers.answer(sent.token, rating, comment, reasons)
    return svc.ticket_repo.get(ticket_id, consistent=True)
