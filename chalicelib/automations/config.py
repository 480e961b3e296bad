"""Triggers and macros as configuration: their document kinds and the parsed forms automations read."""

from __future__ import annotations

from typing import Any

from chalicelib.automations.macros import Macro, macro_from_doc, macro_to_doc, validate_macro
from chalicelib.automations.triggers import Trigger, trigger_from_doc, trigger_to_doc, validate_trigger
from chalicelib.config.store import DocumentKind, DocumentStore, Parsed
from chalicelib.core.errors import FieldError

TRIGGER, MACRO = "trigger", "macro"


def _without_id(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "id"}


def trigger_kind(store: DocumentStore) -> DocumentKind:
    def normalise(doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        trigger = trigger_from_doc({**body, "id": doc_id})
        validate_trigger(trigger)
        macro_id = trigger.actions.reply_macro_id
        if macro_id and not any(d.id == macro_id for d in store.documents(MACRO)):
            raise FieldError("actions.reply_macro_id", f"no macro {macro_id!r}")
        return _without_id(trigger_to_doc(trigger))

    return DocumentKind(TRIGGER, normalise)


def macro_kind(store: DocumentStore) -> DocumentKind:
    def normalise(doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        macro = macro_from_doc({**body, "id": doc_id})
        validate_macro(macro)
        return _without_id(macro_to_doc(macro))

    def users(doc_id: str) -> list[str]:
        return [f"trigger {d.id}" for d in store.documents(TRIGGER) if _reply_macro(d.body) == doc_id]

    return DocumentKind(MACRO, normalise, users=users, users_field="macro_id")


def _reply_macro(body: dict[str, Any]) -> Any:
    return (body.get("actions") or {}).get("reply_macro_id")


class AutomationConfig:
    """The enabled triggers in order and the macros by id, parsed once per refresh of the store's cache."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._triggers = Parsed(
            store,
            TRIGGER,
            lambda docs: tuple(
                sorted((trigger_from_doc({**d.body, "id": d.id}) for d in docs), key=lambda t: (t.position, t.id))
            ),
        )
        self._macros = Parsed(store, MACRO, lambda docs: {d.id: macro_from_doc({**d.body, "id": d.id}) for d in docs})

    def triggers(self) -> tuple[Trigger, ...]:
        return self._triggers()

    def macros(self) -> dict[str, Macro]:
        return self._macros()

    def macro(self, macro_id: str) -> Macro:
        """A macro, from the cache or, when it is newer than the cache, its document. Raises NotFound."""
        found = self.macros().get(macro_id)
        if found is None:
            found = macro_from_doc({**self.store.get(MACRO, macro_id).body, "id": macro_id})
        return found
