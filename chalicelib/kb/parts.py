"""The knowledge base's parts, built from what the composition root hands in (``bootstrap.container``).

Kept here so the container states the slice's needs in one call; each part is built at first use, so a
function that only builds the index never loads the search path, and the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property

from chalicelib.core.clock import Clock
from chalicelib.kb.builder import IndexBuilder
from chalicelib.kb.deflection import Deflection
from chalicelib.kb.finder import Finder
from chalicelib.kb.index import IndexCache, Location
from chalicelib.kb.search import SearchEngine
from chalicelib.kb.service import KnowledgeBase
from chalicelib.kb.signals import PendingViews, Signals
from chalicelib.kb.solve_links import SolveLinks
from chalicelib.storage.ports import TicketRepository
from chalicelib.storage.slice_ports import KnowledgeRepository
from chalicelib.tickets.service import TicketService


def default_engine() -> SearchEngine:
    from chalicelib.kb.fts import Fts5Engine

    return Fts5Engine()


class KbParts:
    def __init__(
        self,
        repo: KnowledgeRepository,
        location: Location,
        tickets: TicketService,
        ticket_repo: TicketRepository,
        signing_key: Callable[[], bytes],
        pointer_seconds: float,
        clock: Clock,
        tally: Callable[[Mapping[str, int]], None] | None = None,
        pending: PendingViews | None = None,
    ) -> None:
        self.repo = repo
        self.tally = tally  # the reports' daily counters of the signals (handed in by the root)
        self.pending = pending  # the reports' probable deflections (handed in by the root)
        self.location = location
        self.tickets = tickets
        self.ticket_repo = ticket_repo
        self.signing_key = signing_key
        self.pointer_seconds = pointer_seconds
        self.clock = clock

    @cached_property
    def engine(self) -> SearchEngine:
        return default_engine()

    @cached_property
    def articles(self) -> KnowledgeBase:
        return KnowledgeBase(self.repo, self.clock)

    @cached_property
    def signals(self) -> Signals:
        return Signals(self.signing_key(), self.tally, self.pending)

    @cached_property
    def cache(self) -> IndexCache:
        return IndexCache(self.repo, self.location, self.engine, self.pointer_seconds)

    @cached_property
    def finder(self) -> Finder:
        return Finder(self.cache, self.signals)

    @cached_property
    def deflection(self) -> Deflection:
        return Deflection(self.articles, self.repo, self.signals, self.clock)

    @cached_property
    def solve_links(self) -> SolveLinks:
        return SolveLinks(self.repo, self.tickets, self.ticket_repo, self.clock)

    def builder(self) -> IndexBuilder:
        return IndexBuilder(self.repo, self.location, self.engine, self.clock)
