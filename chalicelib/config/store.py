"""The desk's configuration: routing rules, SLA policies (versioned), calendars, triggers and macros.

Admins change it through the API; every change is validated (a ValueError from the document parsers
becomes a 400 naming the field), written with the version it was based on, and audited in the same
transaction. Consumers and sweeps read a ``Snapshot``, cached per container for ``cache_seconds``: one
Query per kind at most twice a minute, however many tickets there are.

SLA policies are versioned: every write stores an immutable copy (``sla_policy@v`` / ``<id>#<version>``)
that tickets pin, so an edit applies to new tickets and never rewrites a running clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalicelib.calendars.calendar import BusinessCalendar
from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import FieldProblem, InvalidInput, NotFound
from chalicelib.core.ids import new_id
from chalicelib.storage.ports_desk import AuditRecord, ConfigRepository, Document

if TYPE_CHECKING:
    from chalicelib.automations.macros import Macro
    from chalicelib.automations.triggers import Trigger
    from chalicelib.domain.views import Page
    from chalicelib.routing.rules import RoutingRule
    from chalicelib.sla.policies import Policy
    from chalicelib.storage.ports import DirectoryRepository, StartKey

RULE, POLICY, CALENDAR, TRIGGER, MACRO = "routing_rule", "sla_policy", "calendar", "trigger", "macro"
KINDS = (RULE, POLICY, CALENDAR, TRIGGER, MACRO)
POLICY_VERSIONS = "sla_policy@v"


def version_id(policy_id: str, version: int) -> str:
    return f"{policy_id}#{version:06d}"


@dataclass(frozen=True)
class Snapshot:
    rules: tuple[RoutingRule, ...] = ()
    policies: tuple[Policy, ...] = ()  # current versions, in matching order
    calendars: dict[str, BusinessCalendar] = field(default_factory=dict)
    triggers: tuple[Trigger, ...] = ()
    macros: dict[str, Macro] = field(default_factory=dict)


def _invalid(exc: ValueError) -> InvalidInput:
    """``"conditions.priorities: unknown ..."`` -> a problem on that field."""
    text = str(exc)
    path, sep, message = text.partition(": ")
    if sep and " " not in path:
        return InvalidInput([FieldProblem(path, message)])
    return InvalidInput(text)


class DeskConfig:
    def __init__(
        self,
        repo: ConfigRepository,
        directory: DirectoryRepository,
        clock: Clock = utcnow,
        cache_seconds: float = 30.0,
    ) -> None:
        self.repo = repo
        self.directory = directory
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._snapshot: tuple[float, Snapshot] | None = None
        self._pinned: dict[tuple[str, int], Policy] = {}

    # -- what consumers read ---------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        now = time.monotonic()
        if self._snapshot is None or now - self._snapshot[0] >= self.cache_seconds:
            self._snapshot = (now, self._load())
        return self._snapshot[1]

    def forget(self) -> None:
        self._snapshot = None

    def _load(self) -> Snapshot:
        from chalicelib.automations.macros import macro_from_doc
        from chalicelib.automations.triggers import trigger_from_doc
        from chalicelib.routing.rules import rule_from_doc

        calendars = self._calendars()
        policies = [self._stored_policy(d.id, d.version, d.body) for d in self.repo.list_documents(POLICY)]
        rules = [rule_from_doc({**d.body, "id": d.id}) for d in self.repo.list_documents(RULE)]
        triggers = [trigger_from_doc({**d.body, "id": d.id}) for d in self.repo.list_documents(TRIGGER)]
        macros = {d.id: macro_from_doc({**d.body, "id": d.id}) for d in self.repo.list_documents(MACRO)}
        return Snapshot(
            rules=tuple(sorted(rules, key=lambda r: (r.position, r.id))),
            policies=tuple(sorted(policies, key=lambda p: (p.position, p.id))),
            calendars=calendars,
            triggers=tuple(sorted(triggers, key=lambda t: (t.position, t.id))),
            macros=macros,
        )

    def _calendars(self) -> dict[str, BusinessCalendar]:
        from chalicelib.sla.documents import calendar_from_doc

        return {d.id: calendar_from_doc(d.body) for d in self.repo.list_documents(CALENDAR)}

    @staticmethod
    def _policy(
        policy_id: str, version: int, body: Mapping[str, Any], calendars: Mapping[str, BusinessCalendar]
    ) -> Policy:
        from chalicelib.sla.documents import policy_from_doc

        return policy_from_doc(policy_id, version, body, calendars)

    def macro(self, macro_id: str) -> Macro:
        """A macro, from the snapshot or, when it is newer than the snapshot, its document. Raises NotFound."""
        from chalicelib.automations.macros import macro_from_doc

        found = self.snapshot().macros.get(macro_id)
        if found is None:
            found = macro_from_doc({**self.repo.get_document(MACRO, macro_id).body, "id": macro_id})
        return found

    def pinned_policy(self, policy_id: str, version: int) -> Policy:
        """The exact version a ticket was assigned (immutable, so cached for the container's life)."""
        key = (policy_id, version)
        if key not in self._pinned:
            doc = self.repo.get_document(POLICY_VERSIONS, version_id(policy_id, version))
            self._pinned[key] = self._stored_policy(policy_id, version, doc.body)
        return self._pinned[key]

    def _stored_policy(self, policy_id: str, version: int, body: Mapping[str, Any]) -> Policy:
        """A stored policy version with the copy of its calendar it keeps: a calendar edit makes new versions
        of the policies that use it (``replace``), so a pinned version never changes under a ticket."""
        from chalicelib.sla.documents import calendar_from_doc

        calendar_id = body.get("calendar_id")
        calendars = {calendar_id: calendar_from_doc(body["calendar"])} if calendar_id else {}
        return self._policy(policy_id, version, body, calendars)

    # -- administration --------------------------------------------------------------------------

    def documents(self, kind: str) -> list[Document]:
        return sorted(self.repo.list_documents(kind), key=lambda d: (int(d.body.get("position", 0)), d.id))

    def get(self, kind: str, doc_id: str) -> Document:
        return self.repo.get_document(kind, doc_id)

    def create(self, actor_id: str, kind: str, body: dict[str, Any]) -> Document:
        doc_id = new_id()
        normalised = self._validated(kind, doc_id, 1, body)
        doc = Document(kind, doc_id, normalised, 1, self.clock(), actor_id)
        self.repo.write_document(
            doc, None, self._audit(actor_id, "create", kind, doc_id, None, normalised), self._keep(doc)
        )
        self.forget()
        return doc

    def replace(self, actor_id: str, kind: str, doc_id: str, based_on: int, body: dict[str, Any]) -> Document:
        before = self.repo.get_document(kind, doc_id)
        normalised = self._validated(kind, doc_id, before.version + 1, body)
        doc = Document(kind, doc_id, normalised, before.version + 1, self.clock(), actor_id)
        audit = self._audit(actor_id, "update", kind, doc_id, before.body, normalised)
        self.repo.write_document(doc, based_on, audit, self._keep(doc))
        if kind == CALENDAR:
            for policy in self.repo.list_documents(POLICY):
                if policy.body.get("calendar_id") == doc_id:
                    self.replace(actor_id, POLICY, policy.id, policy.version, policy.body)
        self.forget()
        return doc

    def delete(self, actor_id: str, kind: str, doc_id: str, based_on: int) -> None:
        before = self.repo.get_document(kind, doc_id)
        if kind == CALENDAR:
            users = [d.id for d in self.repo.list_documents(POLICY) if d.body.get("calendar_id") == doc_id]
            if users:
                raise InvalidInput(f"calendar is used by SLA policies {', '.join(users)}", "calendar_id")
        if kind == MACRO:
            users = [d.id for d in self.repo.list_documents(TRIGGER) if _reply_macro(d.body) == doc_id]
            if users:
                raise InvalidInput(f"macro is used by triggers {', '.join(users)}", "macro_id")
        self.repo.delete_document(
            kind, doc_id, based_on, self._audit(actor_id, "delete", kind, doc_id, before.body, None)
        )
        self.forget()

    def audit_trail(self, limit: int, start: StartKey = None) -> Page[AuditRecord]:
        return self.repo.list_audit(limit, start)

    def _keep(self, doc: Document) -> list[Document]:
        if doc.kind != POLICY:
            return []
        return [Document(POLICY_VERSIONS, version_id(doc.id, doc.version), doc.body, 1, doc.updated_at, doc.updated_by)]

    def _audit(self, actor_id: str, action: str, kind: str, target_id: str, before: Any, after: Any) -> AuditRecord:
        return AuditRecord(new_id(), self.clock(), actor_id, action, kind, target_id, before, after)

    # -- validation ------------------------------------------------------------------------------

    def _validated(self, kind: str, doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        """The document as stored (normalised by a round trip through the domain object)."""
        validators: dict[str, Callable[[str, int, dict[str, Any]], dict[str, Any]]] = {
            RULE: self._rule,
            POLICY: self._policy_doc,
            CALENDAR: self._calendar_doc,
            TRIGGER: self._trigger,
            MACRO: self._macro,
        }
        if kind not in validators:
            raise NotFound("configuration kind", kind)
        try:
            return validators[kind](doc_id, version, body)
        except ValueError as exc:
            raise _invalid(exc) from None

    def _rule(self, doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.routing.rules import rule_from_doc, rule_to_doc, validate_rule

        rule = rule_from_doc({**body, "id": doc_id})
        validate_rule(rule, set(self._calendars()))
        if rule.actions.team_id:
            self._team_exists(rule.actions.team_id, "actions.team_id")
        return _without_id(rule_to_doc(rule))

    def _policy_doc(self, doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.sla.documents import calendar_to_doc, policy_to_doc

        calendars = self._calendars()
        policy = self._policy(doc_id, version, body, calendars)
        for team_id in sorted(policy.conditions.team_ids or ()):
            self._team_exists(team_id, "conditions.team_ids")
        stored = policy_to_doc(policy)
        if policy.calendar_id and policy.calendar is not None:
            stored["calendar"] = calendar_to_doc(policy.calendar_id, policy.calendar)
        return stored

    def _calendar_doc(self, doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.sla.documents import calendar_from_doc, calendar_to_doc

        name = str(body.get("name") or "").strip()
        if not name:
            raise ValueError("name: a calendar needs a name")
        return calendar_to_doc(name, calendar_from_doc(body))

    def _trigger(self, doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.automations.triggers import trigger_from_doc, trigger_to_doc, validate_trigger

        trigger = trigger_from_doc({**body, "id": doc_id})
        validate_trigger(trigger)
        macro_id = trigger.actions.reply_macro_id
        if macro_id and not any(d.id == macro_id for d in self.repo.list_documents(MACRO)):
            raise ValueError(f"actions.reply_macro_id: no macro {macro_id!r}")
        return _without_id(trigger_to_doc(trigger))

    def _macro(self, doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.automations.macros import macro_from_doc, macro_to_doc, validate_macro

        macro = macro_from_doc({**body, "id": doc_id})
        validate_macro(macro)
        return _without_id(macro_to_doc(macro))

    def _team_exists(self, team_id: str, path: str) -> None:
        try:
            self.directory.get_team(team_id)
        except NotFound:
            raise ValueError(f"{path}: no team {team_id!r}") from None


def _without_id(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "id"}


def _reply_macro(body: Mapping[str, Any]) -> Any:
    return (body.get("actions") or {}).get("reply_macro_id")
