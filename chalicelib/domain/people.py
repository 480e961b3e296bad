"""Customers (with several identities), organizations, agents and teams."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.core.errors import Forbidden
from chalicelib.domain.timeline import Actor, ActorKind


class IdentityKind(StrEnum):
    EMAIL = "email"
    CHAT = "chat"  # a chat visitor id
    PHONE = "phone"


@dataclass(frozen=True)
class Identity:
    kind: IdentityKind
    value: str

    @classmethod
    def of(cls, kind: IdentityKind | str, value: str) -> Identity:
        kind = IdentityKind(kind)
        value = value.strip()
        return cls(kind, value.lower() if kind is IdentityKind.EMAIL else value)

    @property
    def key(self) -> str:
        return f"{self.kind}#{self.value}"


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    identities: tuple[Identity, ...]
    created_at: datetime
    organization_id: str | None = None
    vip: bool = False
    locale: str | None = None
    time_zone: str | None = None
    version: int = 1
    # Portal: a manager sees (and may answer) every ticket of their organization, not only their own.
    manager: bool = False
    # The customer wants the desk's answers by mail (else they follow their requests in the portal).
    mail_updates: bool = True
    # A customer merged into another keeps no identities and points to the one that has them now.
    merged_into_id: str | None = None

    @property
    def email(self) -> str | None:
        return next((i.value for i in self.identities if i.kind is IdentityKind.EMAIL), None)

    @property
    def email_domains(self) -> tuple[str, ...]:
        """The domains of the customer's email addresses (each once): how organizations find them."""
        return tuple(dict.fromkeys(email_domain(i.value) for i in self.identities if i.kind is IdentityKind.EMAIL))


@dataclass(frozen=True)
class RequesterFacts:
    """The requester as a ticket's ``ticket.created`` entry writes them down (``data.requester``): what
    routing's rules and the acknowledgement decide on, without reading the customer."""

    email: str | None
    name: str
    vip: bool
    mail_updates: bool

    @classmethod
    def of(cls, customer: Customer) -> RequesterFacts:
        return cls(customer.email, customer.name, customer.vip, customer.mail_updates)

    def as_data(self) -> dict[str, object]:
        return {"email": self.email, "name": self.name, "vip": self.vip, "mail_updates": self.mail_updates}

    @classmethod
    def written(cls, data: Mapping[str, Any]) -> RequesterFacts | None:
        """The facts in a ``ticket.created`` entry's data; None in entries written before they were."""
        facts = data.get("requester")
        if not isinstance(facts, dict) or "email" not in facts:
            return None
        email = facts["email"]
        return cls(
            str(email) if email else None,
            str(facts.get("name") or ""),
            bool(facts.get("vip")),
            facts.get("mail_updates") is not False,
        )


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    created_at: datetime
    # New customers with an email address at one of these domains join the organization.
    domains: tuple[str, ...] = ()
    vip: bool = False
    version: int = 1


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"


class Availability(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Agent:
    id: str
    email: str
    name: str
    role: Role
    created_at: datetime
    # The ``sub`` claim of the agent's tokens (the Cognito user's sub; the agent id for dev tokens).
    subject: str
    teams: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    capacity: int = 20
    availability: Availability = Availability.OFFLINE
    time_zone: str = "UTC"
    active: bool = True
    # Weekly working hours in ``time_zone``: (weekday 0=Monday..6, "HH:MM", "HH:MM"); empty = any time.
    # Automatic assignment picks an agent only while they are online *and* inside these hours.
    working_hours: tuple[tuple[int, str, str], ...] = ()
    version: int = 1


class Strategy(StrEnum):
    """How a team's new tickets are assigned (docs/decisions/030-routing-and-assignment.md)."""

    MANUAL = "manual"  # they wait in the team queue for an agent to take them
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    SKILLS = "skills"  # least loaded among the agents who have every skill the ticket needs


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    created_at: datetime
    description: str = ""
    assignment_strategy: Strategy = Strategy.MANUAL
    parent_team_id: str | None = None
    # Tiers: where an escalation sends a ticket (L1 -> L2 -> L3); None for the last tier.
    escalation_team_id: str | None = None
    # Notified when an SLA policy's breach action says "notify_lead".
    lead_id: str | None = None
    # Time-based automations: solved tickets close after ``auto_close_days``; a pending ticket's customer
    # is reminded after ``reminder_days`` and the ticket is solved ``solve_after_reminder_days`` later.
    auto_close_days: int = 4
    reminder_days: int = 3
    solve_after_reminder_days: int = 4
    version: int = 1


@dataclass(frozen=True)
class ApiToken:
    """A personal API token for integrations. Only a hash is stored; the secret is shown once."""

    id: str
    agent_id: str
    name: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    last4: str = ""


@dataclass(frozen=True)
class Webhook:
    """A subscriber to ticket events. Its signing secret is derived from the deployment's signing key
    (HMAC of the webhook id), so no secret is stored in the table."""

    id: str
    url: str
    events: tuple[str, ...]
    created_at: datetime
    created_by: str
    active: bool = True


@dataclass(frozen=True)
class Principal:
    """The agent a request is made by, and how they proved it."""

    agent: Agent
    via: str  # "jwt" or "api_token"

    @property
    def actor(self) -> Actor:
        return Actor(ActorKind.AGENT, self.agent.id)

    @property
    def is_admin(self) -> bool:
        return self.agent.role is Role.ADMIN

    def require(self, role: Role) -> None:
        if role is Role.ADMIN and not self.is_admin:
            raise Forbidden("this needs the admin role")
