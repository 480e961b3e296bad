"""Admin-managed configuration documents (routing rules, SLA policies, calendars, triggers, macros, ...).

The store is generic: each feature registers the kinds of document it owns (``DocumentKind``: how a body is
checked and normalised, whether every version is kept, what refuses a delete, what follows an edit), in the
composition root. The store knows none of them by name, so configuration depends on no feature.

Admins change documents through the API; every change is validated (a ``FieldError`` names the field),
written with the version it was based on, and audited in the same transaction. Consumers read
``current(kind)``, cached per container for ``cache_seconds``: one Query per kind at most twice a minute,
however many tickets there are. Kinds with ``keep_versions`` store an immutable copy of every version
(``<kind>@v`` / ``<id>#<version>``) that tickets can pin: an edit never rewrites what a running ticket uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import InvalidInput, NotFound
from chalicelib.core.ids import new_id
from chalicelib.storage.ports import AuditRecord, ConfigRepository, Document

if TYPE_CHECKING:
    from chalicelib.domain.views import Page
    from chalicelib.storage.ports import StartKey

T = TypeVar("T")


def versions_kind(kind: str) -> str:
    """Where the immutable versions of a kind's documents are kept."""
    return f"{kind}@v"


def version_id(doc_id: str, version: int) -> str:
    return f"{doc_id}#{version:06d}"


@dataclass(frozen=True)
class DocumentKind:
    """What a feature tells the store about one kind of document it owns.

    ``normalise(doc_id, version, body)`` returns the body as stored (raises ``FieldError``);
    ``users(doc_id)`` names the documents that still use this one (a delete is refused while any do);
    ``after_replace(actor_id, doc)`` runs after an edit (e.g. new versions of the policies using a calendar).
    """

    name: str
    normalise: Callable[[str, int, dict[str, Any]], dict[str, Any]]
    keep_versions: bool = False
    users: Callable[[str], list[str]] = field(default=lambda doc_id: [])
    users_field: str = "id"
    after_replace: Callable[[str, Document], None] | None = None


class DocumentStore:
    def __init__(self, repo: ConfigRepository, clock: Clock = utcnow, cache_seconds: float = 30.0) -> None:
        self.repo = repo
        self.clock = clock
        self.cache_seconds = cache_seconds
        self.kinds: dict[str, DocumentKind] = {}
        self._current: dict[str, tuple[float, tuple[Document, ...]]] = {}
        self._versions: dict[tuple[str, str, int], Document] = {}

    def register(self, kind: DocumentKind) -> None:
        self.kinds[kind.name] = kind

    # -- what consumers read ---------------------------------------------------------------------

    def current(self, kind: str) -> tuple[Document, ...]:
        """The kind's documents in their order (``position``, then id), cached for ``cache_seconds``.

        The same tuple is returned until the cache is refreshed, so a reader may keep what it parsed from it
        for as long as it gets the same object back."""
        now = time.monotonic()
        cached = self._current.get(kind)
        if cached is None or now - cached[0] >= self.cache_seconds:
            cached = (now, tuple(self.documents(kind)))
            self._current[kind] = cached
        return cached[1]

    def version(self, kind: str, doc_id: str, version: int) -> Document:
        """One stored version of a document that keeps its versions (immutable: cached for the container)."""
        key = (kind, doc_id, version)
        if key not in self._versions:
            self._versions[key] = self.repo.get_document(versions_kind(kind), version_id(doc_id, version))
        return self._versions[key]

    def forget(self) -> None:
        self._current.clear()

    # -- administration --------------------------------------------------------------------------

    def documents(self, kind: str) -> list[Document]:
        return sorted(self.repo.list_documents(kind), key=lambda d: (int(d.body.get("position", 0)), d.id))

    def get(self, kind: str, doc_id: str) -> Document:
        return self.repo.get_document(kind, doc_id)

    def create(self, actor_id: str, kind: str, body: dict[str, Any], doc_id: str | None = None) -> Document:
        """A new document; ``doc_id`` for kinds whose documents are named by what they are about (a team's
        survey settings), else a new id. A taken id raises AlreadyExists."""
        doc_id = doc_id or new_id()
        normalised = self._kind(kind).normalise(doc_id, 1, body)
        doc = Document(kind, doc_id, normalised, 1, self.clock(), actor_id)
        self.repo.write_document(
            doc, None, self._audit(actor_id, "create", kind, doc_id, None, normalised), self._keep(doc)
        )
        self.forget()
        return doc

    def replace(self, actor_id: str, kind: str, doc_id: str, based_on: int, body: dict[str, Any]) -> Document:
        spec = self._kind(kind)
        before = self.repo.get_document(kind, doc_id)
        normalised = spec.normalise(doc_id, before.version + 1, body)
        doc = Document(kind, doc_id, normalised, before.version + 1, self.clock(), actor_id)
        audit = self._audit(actor_id, "update", kind, doc_id, before.body, normalised)
        self.repo.write_document(doc, based_on, audit, self._keep(doc))
        self.forget()
        if spec.after_replace is not None:
            spec.after_replace(actor_id, doc)
            self.forget()
        return doc

    def delete(self, actor_id: str, kind: str, doc_id: str, based_on: int) -> None:
        spec = self._kind(kind)
        before = self.repo.get_document(kind, doc_id)
        users = spec.users(doc_id)
        if users:
            raise InvalidInput(f"{kind} is used by {', '.join(users)}", spec.users_field)
        self.repo.delete_document(
            kind, doc_id, based_on, self._audit(actor_id, "delete", kind, doc_id, before.body, None)
        )
        self.forget()

    def audit_trail(self, limit: int, start: StartKey = None) -> Page[AuditRecord]:
        return self.repo.list_audit(limit, start)

    def _kind(self, kind: str) -> DocumentKind:
        if kind not in self.kinds:
            raise NotFound("configuration kind", kind)
        return self.kinds[kind]

    def _keep(self, doc: Document) -> list[Document]:
        if not self.kinds[doc.kind].keep_versions:
            return []
        copy = Document(
            versions_kind(doc.kind), version_id(doc.id, doc.version), doc.body, 1, doc.updated_at, doc.updated_by
        )
        return [copy]

    def _audit(self, actor_id: str, action: str, kind: str, target_id: str, before: Any, after: Any) -> AuditRecord:
        return AuditRecord(new_id(), self.clock(), actor_id, action, kind, target_id, before, after)


class Parsed(Generic[T]):
    """A reader's parse of a kind's current documents, redone only when the store hands out new ones."""

    def __init__(self, store: DocumentStore, kind: str, parse: Callable[[tuple[Document, ...]], T]) -> None:
        self.store = store
        self.kind = kind
        self.parse = parse
        self._source: tuple[Document, ...] | None = None
        self._value: T | None = None

    def __call__(self) -> T:
        docs = self.store.current(self.kind)
        if self._value is None or docs is not self._source:
            self._value, self._source = self.parse(docs), docs
        return self._value
