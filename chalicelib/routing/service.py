"""Routing and assignment: what the ``routing`` consumer does with ticket events.

* ``ticket.created``: the first matching routing rule sets team, priority, type, tags, skills or VIP; a
  customer with another open ticket (any channel) sticks to that ticket's team and assignee and the two are
  linked. Written once (claim ``ROUTED#<ticket>``) with a ``ticket.routed`` event naming the rule (or none):
  every new ticket gets one, and triggers on ``ticket.created`` run on it, after the rules.
* then, and whenever a ticket is unassigned in a team (a team change, an escalation, an unassignment),
  the team's strategy picks an agent. Each try is one transaction that writes the assignment, adds the
  ticket to the agent's load only while it is below capacity, and checks that the agent is still online
  and active: concurrent workers cannot push an agent past the cap. The ``ticket.assigned`` event records
  why (strategy, candidates and their loads). Nobody available: the ticket waits in the team queue.
* every event that can change who a ticket counts against (assignment, status) brings the agents' loads
  up to date (idempotent set adds and removes); freed capacity drains the agent's teams' queues.
* ``agent.available`` (the relay publishes it when an agent item is written while the agent is online):
  their teams' queues are drained at once, so an agent coming online picks up waiting work within a cycle.
* ``drain_all`` (the per-minute sweep) assigns waiting tickets in every team: how an agent back inside their
  working hours picks up work, and the safety net for anything the events missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock
from chalicelib.core.errors import AtCapacity, Conflict, Duplicate, NotFound
from chalicelib.domain.people import Agent, Team
from chalicelib.domain.tickets import Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.domain.views import View, ViewKind, every, view_sort_key
from chalicelib.routing.assignment import Ranking, rank
from chalicelib.routing.candidates import Candidate
from chalicelib.routing.outcomes import Assigned, Drained, Outcome, Synced, Waiting
from chalicelib.routing.strategies import STRATEGIES
from chalicelib.storage import keys
from chalicelib.storage.ports import Key
from chalicelib.tickets.versions import one_version

if TYPE_CHECKING:
    from chalicelib.routing.config import RoutingConfig
    from chalicelib.storage.ports import CustomerRepository, DirectoryRepository, TicketRepository, WorkRepository
    from chalicelib.tickets.relations import TicketRelations
    from chalicelib.tickets.service import TicketService

ROUTER = Actor(ActorKind.SYSTEM, "router")
COUNTING = frozenset({Status.NEW, Status.OPEN})
# How many waiting tickets one drain of a team tries, and how many agents a listing reads per page.
DRAIN_BATCH = 25
AGENT_PAGE = 100
ASSIGN_ATTEMPTS = 5


def counts(ticket: Ticket) -> bool:
    """Whether a ticket counts against its assignee's capacity: assigned, new or open, not merged."""
    return ticket.assignee_id is not None and ticket.status in COUNTING and ticket.merged_into_id is None


class Router:
    """One per batch of events: the agent listing it reads once is fresh for each batch."""

    def __init__(
        self,
        tickets: TicketRepository,
        writer: TicketService,
        customers: CustomerRepository,
        directory: DirectoryRepository,
        work: WorkRepository,
        config: RoutingConfig,
        clock: Clock,
        relations: TicketRelations,
        held: Callable[[Ticket], bool] = lambda ticket: False,
    ) -> None:
        # Tickets another feature assigns (a live chat rings its own agents): never assigned here, never
        # blocking a queue. The composition root says which (docs/decisions/043-chat.md).
        self.held = held
        self.tickets = tickets
        self.writer = writer
        self.relations = relations
        self.customers = customers
        self.directory = directory
        self.work = work
        self.config = config
        self.clock = clock
        self._agents: list[Agent] | None = None

    # -- events (the routing queue's table in chalicelib.bootstrap.handlers) ----------------------------

    def on_agent_available(self, event: dict[str, Any]) -> Drained:
        """An agent is online (just came online, or was written while online): their teams' waiting tickets,
        merged in view order (priority, then age) across the teams, each assigned by its team's strategy."""
        agent = self._refresh_agent(event["agent"]["id"])
        return Drained(self._assign_waiting(self._waiting(agent.teams)) if agent else 0)

    def on_created(self, event: dict[str, Any]) -> Outcome:
        """Rules first, then triggers: every new ticket gets exactly one ``ticket.routed`` event (a rule matched
        or not), and triggers on ``ticket.created`` run on it, so they see the ticket as routing left it
        (docs/decisions/031-sla-and-automations.md)."""
        ticket, timeline = self.tickets.get_with_timeline(event["ticket"]["id"])
        creator = {"kind": str(event["actor"]["kind"]), "id": event["actor"].get("id")}
        if not ticket.status.active or ticket.merged_into_id:
            self._write_routing(ticket, {}, {"rule_id": None, "skipped": "inactive", "created_by": creator}, None)
            return Waiting("inactive")
        ticket, sticky = self._apply_rules(ticket, timeline, creator)
        return self.assign(ticket, preferred=sticky.assignee_id if sticky else None)

    def on_changed(self, event: dict[str, Any]) -> Outcome:
        """A change that can move who a ticket counts against or leave it unassigned in a team."""
        ticket = self.tickets.get(event["ticket"]["id"])
        freed = self.sync_loads(ticket, event)
        outcome: Outcome = Synced()
        if ticket.assignee_id is None and ticket.team_id and ticket.status.active:
            outcome = self.assign(ticket)
        for team_id in freed:
            self.drain(team_id)
        return outcome

    # -- routing rules and sticky assignment ------------------------------------------------------

    def _apply_rules(
        self, ticket: Ticket, timeline: list[TimelineEntry], creator: dict[str, Any]
    ) -> tuple[Ticket, Ticket | None]:
        from chalicelib.routing.rules import Facts, changes_for, first_match

        first = next((e for e in timeline if e.kind is EntryKind.MESSAGE), None)
        data = first.data if first else {}
        email, vip = self._requester(ticket, timeline)
        vip = vip or self._org_vip(ticket.organization_id)
        addresses = (*data.get("recipients", ()), *data.get("to", ()), *data.get("cc", ()))
        recipients = tuple(dict.fromkeys(str(a).lower() for a in addresses))
        facts = Facts(
            ticket=ticket,
            body_text=first.body_text or "" if first else "",
            recipients=recipients,
            requester_email=email,
            vip=vip,
            now=self.clock(),
            calendars=self.config.calendars.calendars(),
        )
        rule = first_match(self.config.rules(), facts)
        # A team or assignee chosen by whoever created the ticket stands: rules and stickiness fill gaps only.
        chosen = ticket.team_id is not None or ticket.assignee_id is not None
        # A customer's first mail (``first_contact``, written by the mail ingest) has no sibling to stick to.
        sticky = None if chosen or data.get("first_contact") else self._open_sibling(ticket)
        changes = changes_for(rule, ticket) if rule else {}
        if ticket.team_id is not None:
            changes.pop("team_id", None)
        if vip and not ticket.vip:
            changes["vip"] = True
        if sticky is not None and sticky.team_id:
            changes["team_id"] = sticky.team_id
        routed: dict[str, Any] = {"rule_id": rule.id, "rule_name": rule.name} if rule else {"rule_id": None}
        routed["created_by"] = creator
        if sticky is not None:
            routed["sticky_to"] = {"ticket_id": sticky.id, "number": sticky.number, "assignee_id": sticky.assignee_id}
        return self._write_routing(ticket, changes, routed, sticky), sticky

    def _write_routing(
        self, ticket: Ticket, changes: dict[str, Any], routed: dict[str, Any], sticky: Ticket | None
    ) -> Ticket:
        def build(current: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            after, entries = current.change(ROUTER, now, **changes)
            if sticky is not None and sticky.id not in after.related_ids:
                after = replace(after, related_ids=(*after.related_ids, sticky.id))
            note = TimelineEntry.system(after, "ticket.routed", ROUTER, now, data=routed)
            return after, [note, *entries]

        try:
            claim = Key(keys.routed(ticket.id), ticket.id)
            written = self.writer.automatic(ticket.id, build, claims=[claim], known=ticket)
        except Duplicate:
            return self.tickets.get(ticket.id)  # routed by an earlier delivery of this event
        if sticky is not None and ticket.id not in sticky.related_ids:
            self.relations.relate(sticky.id, ticket.id)
        return written

    def _requester(self, ticket: Ticket, timeline: list[TimelineEntry]) -> tuple[str | None, bool]:
        """The requester's address and VIP flag: as the creation wrote them down, else read."""
        from chalicelib.domain.people import RequesterFacts

        created = next((e for e in timeline if e.event == "ticket.created"), None)
        facts = RequesterFacts.written(created.data) if created else None
        if facts is not None:
            return facts.email, facts.vip
        requester = self.customers.get_customer(ticket.requester_id)
        return requester.email, requester.vip

    def _org_vip(self, organization_id: str | None) -> bool:
        if not organization_id:
            return False
        try:
            return self.customers.get_organization(organization_id).vip
        except NotFound:
            return False

    def _open_sibling(self, ticket: Ticket) -> Ticket | None:
        """The requester's most recent other active ticket that has a team or an assignee (one Query)."""
        page = self.tickets.list_view(View(ViewKind.REQUESTER, ticket.requester_id, True), 20)
        others = [t for t in page.items if t.id != ticket.id and (t.assignee_id or t.team_id)]
        return max(others, key=lambda t: t.created_at, default=None)

    # -- assignment ------------------------------------------------------------------------------

    def assign(self, ticket: Ticket, preferred: str | None = None) -> Assigned | Waiting:
        """Assign an unassigned ticket in its team; ``preferred``: try this agent first (sticky)."""
        for _ in range(ASSIGN_ATTEMPTS):
            if ticket.assignee_id or not ticket.team_id or not ticket.status.active or ticket.merged_into_id:
                return Waiting("not assignable")
            if self.held(ticket):
                return Waiting("held")
            team = self._team(ticket.team_id)
            if team is None:
                return Waiting("no team")
            ranking = self._ranking(team, ticket)
            order = list(ranking.order)
            if preferred and preferred in order:
                order.remove(preferred)
                order.insert(0, preferred)
            try:
                return self._try(ticket, team, ranking, order, preferred)
            except Conflict:
                ticket = self.tickets.get(ticket.id)
        return Waiting("conflict")

    def _try(
        self, ticket: Ticket, team: Team, ranking: Ranking, order: list[str], preferred: str | None
    ) -> Assigned | Waiting:
        agents = {a.id: a for a in self._team_agents(team.id)}
        for agent_id in order:
            reason = ranking.as_dict()
            if agent_id == preferred:
                reason["sticky"] = True
            now = self.clock()
            after, entries = ticket.change(
                ROUTER, now, assignee_id=agent_id, status=Status.OPEN if ticket.status is Status.NEW else ticket.status
            )
            entries = [_with_reason(e, reason) for e in entries]
            after, entries = one_version(ticket, after, entries)
            try:
                self.work.assign(after, ticket.version, entries, agent_id, agents[agent_id].capacity)
            except AtCapacity:
                continue
            if STRATEGIES[team.assignment_strategy].uses_cursor:
                self.work.set_cursor(team.id, agent_id)
            return Assigned(agent_id)
        return Waiting("queued")

    def _ranking(self, team: Team, ticket: Ticket) -> Ranking:
        members = self._team_agents(team.id)
        loads = self.work.loads([a.id for a in members])
        candidates = [Candidate(a, len(loads.get(a.id, ()))) for a in members]
        cursor = self.work.cursor(team.id) if STRATEGIES[team.assignment_strategy].uses_cursor else None
        return rank(team.assignment_strategy, team.id, ticket, candidates, self.clock(), cursor)

    def _team(self, team_id: str | None) -> Team | None:
        from chalicelib.people.directory import team_or_none

        return team_or_none(self.directory, team_id)

    def _team_agents(self, team_id: str) -> list[Agent]:
        """The team's agents, from the directory listing read once per Router (one batch of events)."""
        return [a for a in self._all_agents() if team_id in a.teams]

    def _all_agents(self) -> list[Agent]:
        if self._agents is None:
            self._agents = list(every(self.directory.list_agents, AGENT_PAGE))
        return self._agents

    def _refresh_agent(self, agent_id: str) -> Agent | None:
        """The listing is read from an index, which may not show yet the write that announced this agent:
        take the agent from their own item instead (one GetItem)."""
        try:
            agent = self.directory.get_agent(agent_id)
        except NotFound:
            return None
        self._agents = [a for a in self._all_agents() if a.id != agent_id] + [agent]
        return agent

    # -- loads and queues ------------------------------------------------------------------------

    def sync_loads(self, ticket: Ticket, event: dict[str, Any]) -> set[str]:
        """Bring the loads of the ticket's current and previous assignee up to date; the teams whose
        agents may have capacity now."""
        previous = {c["old"] for c in event.get("changes", []) if c.get("field") == "assignee_id" and c.get("old")}
        if ticket.assignee_id and counts(ticket):
            self.work.count(ticket.assignee_id, ticket.id)
            release = previous - {ticket.assignee_id}
        else:
            release = previous | ({ticket.assignee_id} if ticket.assignee_id else set())
        # Only an agent whose load actually went down has room now (a note on a solved ticket frees nothing).
        freed = [agent_id for agent_id in release if self.work.uncount(agent_id, ticket.id)]
        return self._teams_of(freed)

    def _teams_of(self, agent_ids: Iterable[str]) -> set[str]:
        teams: set[str] = set()
        for agent_id in agent_ids:
            try:
                teams.update(self.directory.get_agent(agent_id).teams)
            except NotFound:
                continue
        return teams

    def drain(self, team_id: str) -> int:
        """Assign the oldest waiting tickets of a team's queue while agents have capacity."""
        return self._assign_waiting(self._waiting([team_id]))

    def _waiting(self, team_ids: Iterable[str]) -> list[tuple[Ticket, Team]]:
        """The first tickets of each team's queue with their team, in view order across the teams; none from a
        team assigned by hand."""
        waiting: list[tuple[Ticket, Team]] = []
        for team_id in dict.fromkeys(team_ids):
            team = self._team(team_id)
            if team is None or not STRATEGIES[team.assignment_strategy].automatic:
                continue
            page = self.tickets.list_view(View(ViewKind.TEAM_QUEUE, team_id, True), DRAIN_BATCH)
            waiting += [(ticket, team) for ticket in page.items if not self.held(ticket)]
        return sorted(waiting, key=lambda pair: view_sort_key(pair[0]))

    def _assign_waiting(self, waiting: list[tuple[Ticket, Team]]) -> int:
        """Assign waiting tickets in order. When one stays queued in a team whose agents are interchangeable,
        nobody there has room and the team's later tickets are not tried; in a skills team it may only lack
        the skills, so the tickets behind it are still tried (no head-of-line blocking)."""
        full: set[str] = set()
        assigned = 0
        for ticket, team in waiting:
            if team.id in full:
                continue
            outcome = self.assign(ticket)
            assigned += isinstance(outcome, Assigned)
            if outcome == Waiting("queued") and STRATEGIES[team.assignment_strategy].interchangeable:
                full.add(team.id)
        return assigned

    def drain_all(self) -> Drained:
        """Every team's queue (the per-minute sweep: working hours starting, and a safety net)."""
        return Drained(sum(self.drain(team.id) for team in every(self.directory.list_teams, AGENT_PAGE)))


def _with_reason(entry: TimelineEntry, reason: dict[str, Any]) -> TimelineEntry:
    return replace(entry, data={**entry.data, "reason": reason}) if entry.event == "ticket.assigned" else entry
