"""SLA tracking: the pinned policy and due times of each ticket, and alerts that fire exactly once.

``on_event`` (the ``sla`` consumer, on every ticket event that can move a clock or the policy: ``concerns_sla``)
pins the first matching policy (a ticket keeps its policy version while the same policy matches; a priority or
team change that selects another policy pins that one's current version), computes every target's clock
(``clocks``) and stores the state with the next instant something falls due in the sparse ``due`` index
(``DUE#SLA`` item in the ticket's partition). Nothing due (targets met, clocks paused) keeps the ticket out of
the index. The item also keeps the consumer's reading of the timeline (``progress``): an event reads the
ticket's head and adds its own entry from the envelope, so its read does not grow with the thread; the item
is written only over the one read (a write that came between makes it read the whole timeline again).

``fire_due`` (the per-minute sweep) takes only the items the index says are due. For each target whose warning
or due time has passed it writes an ``sla.warning`` or ``sla.breached`` event together with the claim
``SLAALERT#<ticket>#<metric>#<cycle>#<kind>`` in one transaction: a repeated sweep or a crash and retry can
never alert twice, and a breach's actions (raise priority, escalate to the next tier) are part of that same
write. Events reach mail (outbound), webhooks and the ops topic through the event stream like any other.
Warnings go to the assignee (the team when nobody is assigned); breaches to the assignee and the team, plus
the team lead when the policy says ``notify_lead``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock
from chalicelib.core.errors import Conflict, Duplicate, NotFound
from chalicelib.core.resources import DUE_SLA
from chalicelib.domain.people import Team
from chalicelib.domain.tickets import Priority, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.domain.views import every
from chalicelib.sla.clocks import ClockState, states_of
from chalicelib.sla.policies import Policy, select_policy
from chalicelib.sla.progress import Progress
from chalicelib.storage import keys
from chalicelib.storage.ports import DueItem, Key

if TYPE_CHECKING:
    from chalicelib.sla.config import PolicyBook
    from chalicelib.storage.ports import DirectoryRepository, WorkRepository
    from chalicelib.tickets.service import TicketService

SLA_ACTOR = Actor(ActorKind.SYSTEM, "sla")
RAISED = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH, Priority.HIGH: Priority.URGENT}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def cycle_of(state: ClockState) -> str:
    """Which run of a target an alert belongs to: next-response targets restart with each customer message."""
    return state.started_at.isoformat() if state.metric == "next_response" and state.started_at else "1"


def alert_key(metric: str, state: ClockState, kind: str) -> str:
    return f"{metric}#{cycle_of(state)}#{kind}"


@dataclass(frozen=True)
class Assessment:
    policy: Policy | None
    clocks: dict[str, ClockState]
    fired: frozenset[str]

    def next_due(self) -> datetime | None:
        """The earliest warning or due time not alerted yet; None when nothing will fall due."""
        times = [
            at
            for metric, state in self.clocks.items()
            if state.met_at is None
            for kind, at in (("warning", state.warn_at), ("breach", state.due_at))
            if at is not None and alert_key(metric, state, kind) not in self.fired
        ]
        return min(times, default=None)

    def state(self) -> dict[str, Any]:
        if self.policy is None:
            return {}
        live = {alert_key(m, s, k) for m, s in self.clocks.items() for k in ("warning", "breach")}
        return {
            "policy_id": self.policy.id,
            "policy_version": self.policy.version,
            "policy_name": self.policy.name,
            "metrics": {m: _clock_doc(s) for m, s in sorted(self.clocks.items())},
            "fired": sorted(self.fired & live),
        }


def _clock_doc(state: ClockState) -> dict[str, Any]:
    return {
        "target_minutes": state.target_seconds // 60,
        "business": state.business,
        "started_at": _iso(state.started_at),
        "due_at": _iso(state.due_at),
        "warn_at": _iso(state.warn_at),
        "met_at": _iso(state.met_at),
        "breached": state.breached,
        "breaches": state.breaches,
        "running": state.running,
        "elapsed_seconds": state.elapsed_seconds,
    }


# Events whose entries the clocks read whatever their changes: the first one, and a merge (it brings the other
# ticket's messages into this timeline).
ALWAYS = frozenset({"ticket.created", "ticket.merged"})
READ_WHOLE = ALWAYS
# What each policy condition selects on (``Conditions``): a change of one of these can pin another policy.
SELECTED_ON = {
    "priorities": "priority",
    "channels": "channel",
    "team_ids": "team_id",
    "organization_ids": "organization_id",
}


def concerns_sla(event: dict[str, Any], policies: Sequence[Policy]) -> bool:
    """Whether the event can change a ticket's SLA state, from the envelope and the (cached) policies alone.

    The clocks read messages by a person (agent or customer) and status changes (``clocks``); the policy
    follows the fields its conditions select on. Anything else (an assignment, tags, a link, an alert, an
    automatic message) leaves the stored state as it is; the sweep recomputes it at its due time anyway. An
    event whose changes were cut (``truncated``) is read to be sure."""
    if event.get("type") in ALWAYS or event.get("truncated"):
        return True
    if event.get("kind") == str(EntryKind.MESSAGE):
        return (event.get("actor") or {}).get("kind") != str(ActorKind.SYSTEM)
    watched = {"status", *_selected_fields(policies)}
    return any(isinstance(c, dict) and c.get("field") in watched for c in event.get("changes") or ())


def _selected_fields(policies: Sequence[Policy]) -> set[str]:
    fields = {name for cond, name in SELECTED_ON.items() for p in policies if getattr(p.conditions, cond) is not None}
    return fields | ({"vip"} if any(p.conditions.vip is not None for p in policies) else set())


class SlaTracker:
    """One per batch (or sweep): the team members it reads once are fresh for each."""

    def __init__(
        self,
        work: WorkRepository,
        writer: TicketService,
        directory: DirectoryRepository,
        policies: PolicyBook,
        clock: Clock,
        warn_fraction: float,
    ) -> None:
        self.work = work
        self.writer = writer
        self.directory = directory
        self.policies = policies
        self.clock = clock
        self.warn_fraction = warn_fraction
        self._members: dict[str, list[str]] | None = None  # team id -> active agents, read once per tracker
        # ticket id -> the version this tracker read and stored the state at (a batch's events of one write
        # are assessed once: the read of the first one saw the others' entries)
        self._assessed: dict[str, int] = {}
        # ticket id -> its head as this tracker read it and its SLA item as this tracker left it: the next event
        # of the same write (or an older one) in the batch needs no read (the item's write is conditional)
        self._heads: dict[str, tuple[Ticket, DueItem | None]] = {}

    def on_event(self, event: dict[str, Any]) -> Assessment | None:
        """Any ticket event that can move a clock or the policy: add its entry to the progress kept in the SLA
        item (``progress``: the ticket's head is read, not its timeline) and store the state, unless this
        tracker read the whole ticket at the event's version or later already."""
        ticket_id, version = str(event["ticket"]["id"]), int(event["ticket"].get("version") or 0)
        if version and self._assessed.get(ticket_id, 0) >= version:
            return None
        if not concerns_sla(event, self.policies.policies()):
            return None
        if event.get("type") in READ_WHOLE or version == 1:
            # The creation's write (nothing kept yet, a couple of entries), or a merge: the other ticket's
            # entries joined this timeline under their own (older) ids, which no event of this ticket brings.
            return self._read_all(ticket_id)
        try:
            ticket, stored = self._head(ticket_id, version)
        except NotFound:
            return None  # a ticket that no longer exists has nothing to track
        if select_policy(self.policies.policies(), ticket, ticket.vip) is None and not (stored and stored.state):
            return None  # no policy applies, and none did: nothing to read or store
        progress = Progress.of(stored.state.get("reader") if stored else None, ticket.created_at)
        added = progress.add(event, ticket.created_at, self.clock()) if progress else None
        if added is False:
            return None  # its entry was read before
        if progress is None or added is None:
            return self._read_all(ticket_id)
        assessment = self.assess(ticket, progress, stored)
        if assessment is None or not self._store(ticket, assessment, stored, progress):
            return self._read_all(ticket_id)
        return assessment

    def _head(self, ticket_id: str, version: int) -> tuple[Ticket, DueItem | None]:
        known = self._heads.get(ticket_id)
        if known is not None and version and known[0].version >= version:
            return known
        ticket, dues = self.work.ticket_head(ticket_id)
        self._heads[ticket_id] = (ticket, dues.get(DUE_SLA))
        return self._heads[ticket_id]

    def _read_all(self, ticket_id: str) -> Assessment | None:
        """Read the whole timeline once (a first event, a late one, another policy); Conflict (SQS retries)
        when another write to the SLA item came between the read and the write."""
        try:
            ticket, timeline, dues = self.work.ticket_state(ticket_id)
        except NotFound:
            return None
        assessment = self.refresh(ticket, timeline, dues.get(DUE_SLA))
        self._assessed[ticket_id] = ticket.version
        return assessment

    def refresh(self, ticket: Ticket, timeline: Sequence[TimelineEntry], stored: DueItem | None) -> Assessment:
        """Recompute the state from the whole timeline and store it; Conflict (SQS retries) when another write
        to the SLA item came between the read and the write."""
        progress = Progress.read(ticket.created_at, timeline, self.clock())
        assessment = self.assess(ticket, progress, stored)
        assert assessment is not None  # a fresh progress serves any policy
        if not self._store(ticket, assessment, stored, progress):
            raise Conflict(f"the SLA state of ticket {ticket.id} changed while it was computed")
        return assessment

    def assess(
        self, ticket: Ticket, progress: Progress | Sequence[TimelineEntry], stored: DueItem | None
    ) -> Assessment | None:
        """The ticket's clocks under its policy, from its progress (or its whole timeline); None when the
        progress was kept under another policy."""
        if not isinstance(progress, Progress):
            progress = Progress.read(ticket.created_at, progress, self.clock())
        current = select_policy(self.policies.policies(), ticket, ticket.vip)
        if current is None:
            return Assessment(None, {}, frozenset())
        pinned = stored.state if stored else {}
        policy = current
        if pinned.get("policy_id") == current.id and pinned.get("policy_version") != current.version:
            policy = self.policies.pinned(current.id, int(pinned["policy_version"]))
        if not progress.usable_for(policy):
            return None
        fired = frozenset(pinned.get("fired", ())) if pinned.get("policy_id") == policy.id else frozenset()
        now = self.clock()
        clocks = states_of(policy, progress.reader.finish(now), now, self.warn_fraction)
        return Assessment(policy, {str(m): s for m, s in clocks.items()}, fired)

    def _store(self, ticket: Ticket, assessment: Assessment, stored: DueItem | None, progress: Progress) -> bool:
        """Store the state with the progress (written only when it changed, and only over the item read);
        False when another write came between."""
        state = assessment.state()
        if assessment.policy is not None:
            progress.fold(assessment.policy, self.clock())
            state["reader"] = progress.doc()
        if stored is None and not state:
            return True  # no policy applies, and never did: nothing to store
        before = stored.basis_version if stored else 0
        item = DueItem(DUE_SLA, ticket.id, assessment.next_due(), state, max(before + 1, ticket.version))
        if stored is not None and (stored.state, stored.due_at) == (item.state, item.due_at):
            return True
        if not self.work.put_due(item, expected=before):
            self._heads.pop(ticket.id, None)
            return False
        self._heads[ticket.id] = (ticket, item)
        return True

    # -- the sweep -------------------------------------------------------------------------------

    def fire_due(self, ticket_id: str) -> list[str]:
        """Alert every target of the ticket that is past its warning or due time; return what fired. It reads
        the whole timeline (one Query each time the ticket falls due, not on every event) and keeps the progress
        it made."""
        ticket, timeline, dues = self.work.ticket_state(ticket_id)
        stored = dues.get(DUE_SLA)
        progress = Progress.read(ticket.created_at, timeline, self.clock())
        assessment = self.assess(ticket, progress, stored)
        assert assessment is not None  # a fresh progress serves any policy
        now, fired, done = self.clock(), set(assessment.fired), []
        policy, team, current = assessment.policy, self._team(ticket.team_id), ticket
        for metric, state in sorted(assessment.clocks.items()):
            if policy is None or state.met_at is not None:
                continue
            breach, warning = alert_key(metric, state, "breach"), alert_key(metric, state, "warning")
            if state.due_at is not None and state.due_at <= now and breach not in fired:
                fired |= {breach, warning}  # a breach makes a late warning pointless
                kind, key = "breached", breach
            elif state.warn_at is not None and state.warn_at <= now and warning not in fired:
                fired.add(warning)
                kind, key = "warning", warning
            else:
                continue
            written = self._alert(current, team, policy, metric, state, kind, key)
            if written is not None:
                current = written
                done.append(key)
        # An alert's entries move no clock; a breach's changes may pin another policy: the ticket they wrote
        # is the one assessed (its later changes come as events).
        after = self.assess(current, progress, stored) or assessment
        self._store(current, Assessment(after.policy, after.clocks, after.fired | fired), stored, progress)
        return done

    def _alert(
        self, ticket: Ticket, team: Team | None, policy: Policy, metric: str, state: ClockState, kind: str, key: str
    ) -> Ticket | None:
        """Write the alert (and a breach's actions) once; the ticket after it, or None if it was written before.
        ``ticket`` is the version the caller holds (the write retries on a newer one)."""
        breached = kind == "breached"
        data = {
            "metric": metric,
            "due_at": _iso(state.due_at),
            "target_minutes": state.target_seconds // 60,
            "business": state.business,
            "policy_id": policy.id,
            "policy_version": policy.version,
            "policy_name": policy.name,
        }

        def build(current: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            changes = self._breach_changes(current, policy, team) if breached else {}
            after, entries = current.change(SLA_ACTOR, now, **changes)
            notify = self._recipients(current, team, breached, policy)
            alert = TimelineEntry.system(
                after, f"sla.{kind}", SLA_ACTOR, now, data={**data, "notify_agent_ids": notify, "actions": changes}
            )
            return after, [alert, *entries]

        claim = Key(keys.sla_alert(ticket.id, key), ticket.id)
        try:
            written = self.writer.automatic(ticket.id, build, claims=[claim], known=ticket)
        except Duplicate:
            return None
        from chalicelib.core import observability

        observability.count("SlaBreaches" if breached else "SlaWarnings", metric=metric)
        return written

    @staticmethod
    def _breach_changes(ticket: Ticket, policy: Policy, team: Team | None) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if "raise_priority" in policy.breach_actions and ticket.priority in RAISED:
            changes["priority"] = RAISED[ticket.priority]
        if "escalate" in policy.breach_actions and team is not None and team.escalation_team_id:
            changes["team_id"] = team.escalation_team_id
            changes["assignee_id"] = None
        return changes

    def _recipients(self, ticket: Ticket, team: Team | None, breached: bool, policy: Policy) -> list[str]:
        found: list[str] = [ticket.assignee_id] if ticket.assignee_id else []
        if team is not None and (breached or not found):
            found += self._team_members(team.id)
        if breached and team is not None and team.lead_id and "notify_lead" in policy.breach_actions:
            found.append(team.lead_id)
        return list(dict.fromkeys(found))

    def _team_members(self, team_id: str) -> list[str]:
        if self._members is None:
            self._members = {}
            for agent in every(self.directory.list_agents):
                for member_of in agent.teams if agent.active else ():
                    self._members.setdefault(member_of, []).append(agent.id)
        return self._members.get(team_id, [])

    def _team(self, team_id: str | None) -> Team | None:
        from chalicelib.people.directory import team_or_none

        return team_or_none(self.directory, team_id)
