"""Business calendars as configuration: the ``calendar`` document kind and the parsed calendars readers use.

Routing rules (inside / outside business hours) and SLA policies (business-time targets) refer to calendars
by id. Which documents use a calendar, and what must follow an edit, is told by those features through the
hooks the composition root passes in: this module depends on neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.calendars.calendar import BusinessCalendar
from chalicelib.calendars.documents import calendar_from_doc, calendar_to_doc
from chalicelib.config.store import DocumentKind, DocumentStore, Parsed
from chalicelib.core.errors import FieldError
from chalicelib.storage.ports import Document

CALENDAR = "calendar"


def calendar_kind(
    users: Callable[[str], list[str]], after_replace: Callable[[str, Document], None] | None = None
) -> DocumentKind:
    return DocumentKind(CALENDAR, _normalise, users=users, users_field="calendar_id", after_replace=after_replace)


def _normalise(doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
    name = str(body.get("name") or "").strip()
    if not name:
        raise FieldError("name", "a calendar needs a name")
    return calendar_to_doc(name, calendar_from_doc(body))


class CalendarBook:
    """The current calendars by id, parsed once per refresh of the store's cache."""

    def __init__(self, store: DocumentStore) -> None:
        self._parsed = Parsed(store, CALENDAR, lambda docs: {d.id: calendar_from_doc(d.body) for d in docs})

    def calendars(self) -> dict[str, BusinessCalendar]:
        return self._parsed()

    def ids(self) -> set[str]:
        return set(self.calendars())
