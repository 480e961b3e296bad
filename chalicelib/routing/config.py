"""Routing rules as configuration: the ``routing_rule`` document kind and the parsed rules the router reads."""

from __future__ import annotations

from typing import Any

from chalicelib.config.calendars import CalendarBook
from chalicelib.config.store import DocumentKind, DocumentStore, Parsed
from chalicelib.core.errors import FieldError, NotFound
from chalicelib.routing.rules import RoutingRule, rule_from_doc, rule_to_doc, validate_rule
from chalicelib.storage.ports import DirectoryRepository

RULE = "routing_rule"


def rule_kind(calendars: CalendarBook, directory: DirectoryRepository) -> DocumentKind:
    def normalise(doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        rule = rule_from_doc({**body, "id": doc_id})
        validate_rule(rule, calendars.ids())
        if rule.actions.team_id:
            try:
                directory.get_team(rule.actions.team_id)
            except NotFound:
                raise FieldError("actions.team_id", f"no team {rule.actions.team_id!r}") from None
        return {k: v for k, v in rule_to_doc(rule).items() if k != "id"}

    return DocumentKind(RULE, normalise)


class RoutingConfig:
    """What the router reads of the configuration: the rules in order, and the calendars they name."""

    def __init__(self, store: DocumentStore, calendars: CalendarBook) -> None:
        self.calendars = calendars
        self._rules = Parsed(
            store,
            RULE,
            lambda docs: tuple(
                sorted((rule_from_doc({**d.body, "id": d.id}) for d in docs), key=lambda r: (r.position, r.id))
            ),
        )

    def rules(self) -> tuple[RoutingRule, ...]:
        return self._rules()

    def calendar_users(self, calendar_id: str) -> list[str]:
        """The rules whose business-hours condition uses a calendar (it cannot be deleted while they do)."""
        return [f"routing rule {r.id}" for r in self.rules() if r.conditions.calendar_id == calendar_id]
