"""SLA policies as configuration: the ``sla_policy`` document kind and the policies the tracker reads.

Every write keeps an immutable copy of the version (``DocumentKind.keep_versions``) with a copy of its
calendar, which tickets pin: an edit (or a calendar edit, which makes new versions of the policies using the
calendar) applies to new tickets and never rewrites a running clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.calendars.documents import calendar_from_doc, calendar_to_doc
from chalicelib.config.calendars import CalendarBook
from chalicelib.config.store import DocumentKind, DocumentStore, Parsed
from chalicelib.core.errors import FieldError, NotFound
from chalicelib.sla.documents import policy_from_doc, policy_to_doc
from chalicelib.sla.policies import Policy
from chalicelib.storage.ports import DirectoryRepository, Document

POLICY = "sla_policy"


def policy_kind(calendars: CalendarBook, directory: DirectoryRepository) -> DocumentKind:
    def normalise(doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        policy = policy_from_doc(doc_id, version, body, calendars.calendars())
        for team_id in sorted(policy.conditions.team_ids or ()):
            try:
                directory.get_team(team_id)
            except NotFound:
                raise FieldError("conditions.team_ids", f"no team {team_id!r}") from None
        stored = policy_to_doc(policy)
        if policy.calendar_id and policy.calendar is not None:
            stored["calendar"] = calendar_to_doc(policy.calendar_id, policy.calendar)
        return stored

    return DocumentKind(POLICY, normalise, keep_versions=True)


def stored_policy(doc_id: str, version: int, body: Mapping[str, Any]) -> Policy:
    """A stored policy version with the copy of its calendar it keeps."""
    calendar_id = body.get("calendar_id")
    calendars = {calendar_id: calendar_from_doc(body["calendar"])} if calendar_id else {}
    return policy_from_doc(doc_id, version, body, calendars)


class PolicyBook:
    """The current policies in matching order, and any version a ticket is pinned to."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._current = Parsed(
            store,
            POLICY,
            lambda docs: tuple(
                sorted((stored_policy(d.id, d.version, d.body) for d in docs), key=lambda p: (p.position, p.id))
            ),
        )
        self._pinned: dict[tuple[str, int], Policy] = {}

    def policies(self) -> tuple[Policy, ...]:
        return self._current()

    def pinned(self, policy_id: str, version: int) -> Policy:
        """The exact version a ticket was assigned (immutable, so parsed once per container)."""
        key = (policy_id, version)
        if key not in self._pinned:
            doc = self.store.version(POLICY, policy_id, version)
            self._pinned[key] = stored_policy(policy_id, version, doc.body)
        return self._pinned[key]

    def calendar_users(self, calendar_id: str) -> list[str]:
        return [f"SLA policy {d.id}" for d in self.store.documents(POLICY) if d.body.get("calendar_id") == calendar_id]

    def recalendar(self, actor_id: str, calendar: Document) -> None:
        """A calendar changed: every policy using it gets a new version with the new copy of the calendar."""
        for doc in self.store.documents(POLICY):
            if doc.body.get("calendar_id") == calendar.id:
                self.store.replace(actor_id, POLICY, doc.id, doc.version, doc.body)
