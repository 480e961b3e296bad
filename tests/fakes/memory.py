"""In-memory fakes of the repositories, for unit tests and the service layer's tests.

They keep the same rules as the DynamoDB implementation (unique keys, version conditions, view order,
pagination by key); the contract suite runs against both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from chalicelib.core.errors import AlreadyExists, Conflict, Duplicate, NotFound
from chalicelib.domain.mailthread import MailThread, settle
from chalicelib.domain.people import (
    Agent,
    ApiToken,
    Customer,
    Identity,
    IdentityKind,
    Organization,
    Team,
    Webhook,
    email_domain,
)
from chalicelib.domain.report_chain import chained
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import TimelineEntry
from chalicelib.domain.views import ACTIVE_PREFIX, VIEW_INDEX, Page, View, view_keys
from chalicelib.storage.ports import Key, QuarantineRecord, Suppression

T = TypeVar("T")


def _page(ordered: list[tuple[str, T]], limit: int, start: dict[str, str] | None) -> Page[T]:
    """``ordered`` holds (sort key, item); the start key names the last sort key returned."""
    after = start["sk"] if start else None
    rest = [(k, v) for k, v in ordered if after is None or k > after]
    chosen = rest[:limit]
    next_key = {"sk": chosen[-1][0]} if len(rest) > limit else None
    return Page([v for _, v in chosen], next_key)


class InMemoryTicketRepository:
    def __init__(self, customers: InMemoryCustomerRepository | None = None) -> None:
        # the customers a first contact's ticket creates with it (``create(..., requester=...)``)
        self.customers = customers
        self._lock = threading.Lock()
        self._counter = 0
        self._tickets: dict[str, Ticket] = {}
        self._numbers: dict[int, str] = {}
        self._entries: dict[str, dict[str, TimelineEntry]] = {}
        self._threads: dict[str, MailThread] = {}  # each ticket's mail thread item (domain/mailthread.py)
        # unique keys written with ticket changes (claims and lookups), shared with the mail fake
        self.keys: dict[str, str] = {}
        # every new (not copied) entry, in write order: what the stream would deliver
        self.published: list[TimelineEntry] = []

    def allocate_number(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def create(
        self,
        ticket: Ticket,
        entries: Sequence[TimelineEntry],
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
        requester: Customer | None = None,
    ) -> None:
        with self._lock:
            if ticket.id in self._tickets or ticket.number in self._numbers:
                raise Conflict(f"ticket {ticket.id} or number {ticket.number} already exists")
            if requester is not None:
                if self.customers is None:
                    raise ValueError("this ticket repository was made without its customers")
                for claim in claims:  # all or nothing: a taken claim stops the customer too
                    if claim.key in self.keys:
                        raise Duplicate(claim.key)
                self.customers.create_customer(requester)
            self._write_keys(claims, lookups)
            (ticket,), entries = chained([ticket], entries)
            if ticket.mail_thread is not None and ticket.mail_thread.inbound:
                self._threads[ticket.id] = ticket.mail_thread
            self._tickets[ticket.id] = replace(ticket, mail_thread=None)
            self._numbers[ticket.number] = ticket.id
            self._add_entries(ticket.id, entries)

    def _write_keys(self, claims: Sequence[Key], lookups: Sequence[Key]) -> None:
        """Check every claim first (all or nothing), then write claims and lookups."""
        for claim in claims:
            if claim.key in self.keys:
                raise Duplicate(claim.key)
        for key in (*claims, *lookups):
            self.keys[key.key] = key.target_id

    def _add_entries(self, ticket_id: str, entries: Sequence[TimelineEntry]) -> None:
        timeline = self._entries.setdefault(ticket_id, {})
        for entry in entries:
            timeline[entry.id] = entry
            self.published.append(entry)

    def get(self, ticket_id: str, consistent: bool = False, thread: bool = False) -> Ticket:
        try:
            ticket = self._tickets[ticket_id]
        except KeyError:
            raise NotFound("ticket", ticket_id) from None
        state = (MailThread() if ticket.mail_thread_version == 0 else self._threads.get(ticket_id)) if thread else None
        return replace(ticket, mail_thread=state) if state and state.stamp == ticket.mail_thread_version else ticket

    def id_for_number(self, number: int) -> str:
        try:
            return self._numbers[number]
        except KeyError:
            raise NotFound("ticket number", number) from None

    def get_with_timeline(self, ticket_id: str) -> tuple[Ticket, list[TimelineEntry]]:
        ticket = self.get(ticket_id)
        timeline = self._entries.get(ticket_id, {})
        return ticket, [timeline[k] for k in sorted(timeline)]

    def get_with_entries(self, ticket_id: str, entry_ids: Sequence[str]) -> tuple[Ticket, list[TimelineEntry]]:
        _, entries = self.get_with_timeline(ticket_id)
        return self.get(ticket_id, thread=True), [e for e in entries if e.id in set(entry_ids)]

    def entry(self, ticket_id: str, entry_id: str) -> TimelineEntry | None:
        return self._entries.get(ticket_id, {}).get(entry_id)

    def get_with_first_entries(self, ticket_id: str, limit: int) -> tuple[Ticket, list[TimelineEntry]]:
        ticket, entries = self.get_with_timeline(ticket_id)
        return ticket, entries[:limit]

    def entries_since(self, ticket_id: str, version: int, consistent: bool = False) -> list[TimelineEntry]:
        _, entries = self.get_with_timeline(ticket_id)
        return [e for e in entries if e.ticket_version > version and e.merged_from is None]

    def save(
        self,
        tickets: Sequence[tuple[Ticket, int]],
        entries: Sequence[TimelineEntry],
        claims: Sequence[Key] = (),
        lookups: Sequence[Key] = (),
    ) -> None:
        with self._lock:
            for ticket, expected in tickets:
                stored = self._tickets.get(ticket.id)
                if stored is None or stored.version != expected:
                    raise Conflict(f"ticket {ticket.id} was changed by someone else")
            self._write_keys(claims, lookups)
            written, entries = chained([t for t, _ in tickets], entries, [e for _, e in tickets])
            for (ticket, _), chained_ticket in zip(tickets, written, strict=True):
                mine = [e for e in entries if e.ticket_id == ticket.id]
                known_as_of, state = settle(
                    ticket.mail_thread_version,
                    ticket.mail_thread,
                    mine,
                    ticket.version,
                    partial(self._threads.get, ticket.id),
                )
                if state is not None:
                    self._threads[ticket.id] = state
                self._tickets[ticket.id] = replace(chained_ticket, mail_thread_version=known_as_of, mail_thread=None)
            for entry in entries:
                self._add_entries(entry.ticket_id, [entry])

    def copy_entries(self, ticket_id: str, entries: Sequence[TimelineEntry]) -> None:
        timeline = self._entries.setdefault(ticket_id, {})
        for entry in entries:
            origin = entry.merged_from or (entry.ticket_id if entry.ticket_id != ticket_id else None)
            timeline[entry.id] = replace(entry, ticket_id=ticket_id, merged_from=origin)

    def list_view(self, view: View, limit: int, start: dict[str, str] | None = None) -> Page[Ticket]:
        _, key_attribute = VIEW_INDEX[view.kind]
        ordered = []
        for ticket in self._tickets.values():
            keys = view_keys(ticket)
            sort_key = keys["view_sk"] or ""
            if keys[key_attribute] != view.value:
                continue
            if view.active_only and not sort_key.startswith(ACTIVE_PREFIX):
                continue
            ordered.append((sort_key, ticket))
        ordered.sort(key=lambda pair: pair[0])
        return _page(ordered, limit, start)


def _unique(index: dict[str, str], key: str, owner: str, error: Exception) -> None:
    if index.get(key, owner) != owner:
        raise error


def _by_name(items: list[T], name: Callable[[T], str], ident: Callable[[T], str]) -> list[tuple[str, T]]:
    return sorted(((f"{name(i).lower()}#{ident(i)}", i) for i in items), key=lambda p: p[0])


class InMemoryCustomerRepository:
    def __init__(self) -> None:
        self._customers: dict[str, Customer] = {}
        self._identities: dict[str, str] = {}
        self._orgs: dict[str, Organization] = {}
        self._domains: dict[str, str] = {}

    def create_customer(self, customer: Customer) -> None:
        if customer.id in self._customers:
            raise Conflict(f"customer {customer.id} already exists")
        self._claim_identities(customer, customer.identities)
        self._customers[customer.id] = customer

    def _claim_identities(self, customer: Customer, identities: Sequence[Identity]) -> None:
        for identity in identities:
            _unique(self._identities, identity.key, customer.id, AlreadyExists("customer", "identity", identity.value))
        for identity in identities:
            self._identities[identity.key] = customer.id

    def get_customer(self, customer_id: str) -> Customer:
        try:
            return self._customers[customer_id]
        except KeyError:
            raise NotFound("customer", customer_id) from None

    def find_customer(self, identity: Identity) -> Customer | None:
        customer_id = self._identities.get(identity.key)
        return self._customers[customer_id] if customer_id else None

    def find_customer_or_domain(self, identity: Identity) -> tuple[Customer | None, str | None]:
        found = self.find_customer(identity)
        if found is not None or identity.kind is not IdentityKind.EMAIL:
            return found, None
        return None, self._domains.get(email_domain(identity.value))

    def update_customer(self, customer: Customer, expected_version: int) -> None:
        before = self.get_customer(customer.id)
        if before.version != expected_version:
            raise Conflict(f"customer {customer.id} was changed by someone else")
        self._claim_identities(customer, [i for i in customer.identities if i not in before.identities])
        for identity in before.identities:
            if identity not in customer.identities:
                self._identities.pop(identity.key, None)
        self._customers[customer.id] = customer

    def list_customers(self, limit: int, start: dict[str, str] | None = None) -> Page[Customer]:
        listed = [c for c in self._customers.values() if c.merged_into_id is None]
        return _page(_by_name(listed, lambda c: c.name, lambda c: c.id), limit, start)

    def customer_ids_at(self, domain: str, limit: int, start: dict[str, str] | None = None) -> Page[str]:
        ids = sorted(c.id for c in self._customers.values() if domain.lower() in c.email_domains)
        return _page([(i, i) for i in ids], limit, start)

    def merge_customers(self, source: Customer, target: Customer, source_version: int, target_version: int) -> None:
        for customer, expected in ((source, source_version), (target, target_version)):
            if self.get_customer(customer.id).version != expected:
                raise Conflict(f"customer {customer.id} was changed by someone else")
        before = self._customers[source.id]
        for identity in before.identities:
            if identity in target.identities:
                self._identities[identity.key] = target.id
        self._customers[source.id] = source
        self._customers[target.id] = target

    def create_organization(self, org: Organization) -> None:
        if org.id in self._orgs:
            raise Conflict(f"organization {org.id} already exists")
        self._claim_domains(org, org.domains)
        self._orgs[org.id] = org

    def _claim_domains(self, org: Organization, domains: Sequence[str]) -> None:
        for domain in domains:
            _unique(self._domains, domain.lower(), org.id, AlreadyExists("organization", "domain", domain))
        for domain in domains:
            self._domains[domain.lower()] = org.id

    def get_organization(self, org_id: str) -> Organization:
        try:
            return self._orgs[org_id]
        except KeyError:
            raise NotFound("organization", org_id) from None

    def find_organization_by_domain(self, domain: str) -> Organization | None:
        org_id = self._domains.get(domain.lower())
        return self._orgs[org_id] if org_id else None

    def update_organization(self, org: Organization, expected_version: int) -> None:
        before = self.get_organization(org.id)
        if before.version != expected_version:
            raise Conflict(f"organization {org.id} was changed by someone else")
        self._claim_domains(org, [d for d in org.domains if d not in before.domains])
        for domain in before.domains:
            if domain not in org.domains:
                self._domains.pop(domain.lower(), None)
        self._orgs[org.id] = org

    def list_organizations(self, limit: int, start: dict[str, str] | None = None) -> Page[Organization]:
        return _page(_by_name(list(self._orgs.values()), lambda o: o.name, lambda o: o.id), limit, start)


class InMemoryDirectoryRepository:
    def __init__(self) -> None:
        self._agents: dict[str, Agent] = {}
        self._emails: dict[str, str] = {}
        self._subjects: dict[str, str] = {}
        self._teams: dict[str, Team] = {}
        self._tokens: dict[str, ApiToken] = {}
        self._webhooks: dict[str, Webhook] = {}
        self._deliveries: dict[tuple[str, str], datetime] = {}

    def create_agent(self, agent: Agent) -> None:
        if agent.id in self._agents:
            raise Conflict(f"agent {agent.id} already exists")
        _unique(self._emails, agent.email.lower(), agent.id, AlreadyExists("agent", "email", agent.email))
        _unique(self._subjects, agent.subject, agent.id, AlreadyExists("agent", "subject", agent.subject))
        self._agents[agent.id] = agent
        self._emails[agent.email.lower()] = agent.id
        self._subjects[agent.subject] = agent.id

    def get_agent(self, agent_id: str, consistent: bool = False) -> Agent:
        try:
            return self._agents[agent_id]
        except KeyError:
            raise NotFound("agent", agent_id) from None

    def agent_id_for_subject(self, subject: str) -> str | None:
        return self._subjects.get(subject)

    def find_agent_by_subject(self, subject: str) -> Agent | None:
        agent_id = self._subjects.get(subject)
        return self._agents[agent_id] if agent_id else None

    def find_agent_by_email(self, email: str) -> Agent | None:
        agent_id = self._emails.get(email.strip().lower())
        return self._agents[agent_id] if agent_id else None

    def update_agent(self, agent: Agent, expected_version: int) -> None:
        before = self.get_agent(agent.id)
        if before.version != expected_version:
            raise Conflict(f"agent {agent.id} was changed by someone else")
        _unique(self._emails, agent.email.lower(), agent.id, AlreadyExists("agent", "email", agent.email))
        self._emails.pop(before.email.lower(), None)
        self._emails[agent.email.lower()] = agent.id
        self._agents[agent.id] = agent

    def list_agents(self, limit: int, start: dict[str, str] | None = None) -> Page[Agent]:
        return _page(_by_name(list(self._agents.values()), lambda a: a.name, lambda a: a.id), limit, start)

    def create_team(self, team: Team) -> None:
        if team.id in self._teams:
            raise Conflict(f"team {team.id} already exists")
        self._teams[team.id] = team

    def get_team(self, team_id: str) -> Team:
        try:
            return self._teams[team_id]
        except KeyError:
            raise NotFound("team", team_id) from None

    def update_team(self, team: Team, expected_version: int) -> None:
        if self.get_team(team.id).version != expected_version:
            raise Conflict(f"team {team.id} was changed by someone else")
        self._teams[team.id] = team

    def list_teams(self, limit: int, start: dict[str, str] | None = None) -> Page[Team]:
        return _page(_by_name(list(self._teams.values()), lambda t: t.name, lambda t: t.id), limit, start)

    def create_token(self, token: ApiToken) -> None:
        if token.token_hash in self._tokens:
            raise Conflict("token already exists")
        self._tokens[token.token_hash] = token

    def find_token(self, token_hash: str, consistent: bool = False) -> ApiToken | None:
        return self._tokens.get(token_hash)

    def revoke_token(self, token: ApiToken) -> None:
        self._tokens[token.token_hash] = token

    def list_tokens(self, agent_id: str) -> list[ApiToken]:
        return sorted((t for t in self._tokens.values() if t.agent_id == agent_id), key=lambda t: t.id)

    def create_webhook(self, webhook: Webhook) -> None:
        if webhook.id in self._webhooks:
            raise Conflict(f"webhook {webhook.id} already exists")
        self._webhooks[webhook.id] = webhook

    def get_webhook(self, webhook_id: str) -> Webhook:
        try:
            return self._webhooks[webhook_id]
        except KeyError:
            raise NotFound("webhook", webhook_id) from None

    def delete_webhook(self, webhook_id: str) -> None:
        self._webhooks.pop(webhook_id, None)

    def list_webhooks(self) -> list[Webhook]:
        return [self._webhooks[k] for k in sorted(self._webhooks)]

    def was_delivered(self, webhook_id: str, event_id: str) -> bool:
        expires = self._deliveries.get((webhook_id, event_id))
        return expires is not None and expires > datetime.now(UTC)

    def mark_delivered(self, webhook_id: str, event_id: str, ttl_seconds: int) -> None:
        self._deliveries[(webhook_id, event_id)] = datetime.now(UTC) + timedelta(seconds=ttl_seconds)


class InMemoryMailRepository:
    def __init__(self, tickets: InMemoryTicketRepository, directory: InMemoryDirectoryRepository | None = None) -> None:
        # the agents' addresses (``recipient``); none without a directory
        self._directory = directory
        # INBOUND# claims and EMAILID# lookups are written with ticket changes, in the tickets' key store.
        self._keys = tickets.keys
        self._quarantine: dict[str, QuarantineRecord] = {}
        self._suppressions: dict[str, Suppression] = {}
        self._counters: dict[str, int] = {}
        self._reserved: dict[str, int] = {}
        self._sends: dict[str, tuple[str, datetime, str]] = {}  # key -> (state, at, provider id)
        self._lock = threading.Lock()

    def ingested(self, key: str) -> str | None:
        return self._keys.get(f"INBOUND#{key}")

    def record_outcome(self, key: str, outcome: str) -> bool:
        with self._lock:
            if f"INBOUND#{key}" in self._keys:
                return False
            self._keys[f"INBOUND#{key}"] = outcome
            return True

    def ticket_for_message_id(self, message_id: str) -> str | None:
        return self._keys.get(f"EMAILID#{message_id}")

    def remember_message_id(self, message_id: str, ticket_id: str) -> None:
        self._keys[f"EMAILID#{message_id}"] = ticket_id

    def quarantine(self, record: QuarantineRecord) -> None:
        self._quarantine[record.key] = record

    def list_quarantine(self, limit: int, start: dict[str, Any] | None = None) -> Page[QuarantineRecord]:
        ordered = sorted((f"{r.received_at.isoformat()}#{k}", r) for k, r in self._quarantine.items())
        return _page(ordered, limit, start)

    def release_quarantine(self, key: str) -> None:
        self._quarantine.pop(key, None)
        self._keys.pop(f"INBOUND#{key}", None)

    def suppress(self, suppression: Suppression) -> None:
        self._suppressions[suppression.address.lower()] = suppression

    def suppression(self, address: str) -> Suppression | None:
        found = self._suppressions.get(address.lower())
        return found if found and found.until > datetime.now(UTC) else None

    def recipient(self, address: str) -> tuple[Suppression | None, bool]:
        agent = self._directory.find_agent_by_email(address) if self._directory else None
        return self.suppression(address), agent is not None

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        key = f"{counter}#{int(now.timestamp()) // window_seconds}"
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    def hit_windows(
        self, group: str, windows: Sequence[tuple[str, int]], now: datetime, previous: Sequence[str] = ()
    ) -> dict[str, int]:
        longest = max(w for _, w in windows)
        if any(longest % w for _, w in windows):
            raise ValueError("every window length must divide the longest")
        found = {name: self.hit(f"{group}#{name}", window, now) for name, window in windows}
        for name, window in windows:
            if name in previous:
                before = now - timedelta(seconds=window)
                found[f"{name}:previous"] = self.window_count(f"{group}#{name}", window, before)
        return found

    def window_count(self, counter: str, window_seconds: int, at: datetime) -> int:
        return self._counters.get(f"{counter}#{int(at.timestamp()) // window_seconds}", 0)

    def reserve_number(self, key: str, number: int) -> None:
        self._reserved[key] = number

    def reserved_number(self, key: str) -> int | None:
        return self._reserved.get(key)

    def claim_send(self, key: str, now: datetime, stale_after_seconds: int) -> bool:
        with self._lock:
            current = self._sends.get(key)
            if current and (current[0] == "sent" or now - current[1] < timedelta(seconds=stale_after_seconds)):
                return False
            self._sends[key] = ("sending", now, "")
            return True

    def mark_sent(self, key: str, provider_id: str, now: datetime, message_ids: Sequence[tuple[str, str]] = ()) -> None:
        for message_id, ticket_id in message_ids:
            self.remember_message_id(message_id, ticket_id)
        self._sends[key] = ("sent", now, provider_id)
