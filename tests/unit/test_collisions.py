"""The 409-or-accept decision for an agent's write is made on consistent data (issue: an eventually
consistent read of the entries since the caller's version could miss a colleague's note just written)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.errors import Conflict
from chalicelib.domain.people import Role
from chalicelib.domain.timeline import Actor, ActorKind, TimelineEntry
from chalicelib.tickets.service import NewTicket, TicketService
from tests import fakes
from tests.fakes.memory import InMemoryTicketRepository


class LaggingTickets(InMemoryTicketRepository):
    """DynamoDB's eventual consistency, at its worst: a read that is not strongly consistent does not see the
    entries of the latest version yet (the ticket item itself may already be current)."""

    def entries_since(self, ticket_id: str, version: int, consistent: bool = False) -> list[TimelineEntry]:
        found = super().entries_since(ticket_id, version, consistent)
        if consistent or not found:
            return found
        newest = max(e.ticket_version for e in found)
        return [e for e in found if e.ticket_version < newest]


@pytest.fixture
def desk(settings: Any) -> Any:
    repos = fakes.memory_repositories()
    lagging = LaggingTickets(repos.customers)
    return fakes.Container(settings, fakes.Repositories(lagging, *_rest(repos)), cache_seconds=0.0)


def _rest(repos: Any) -> tuple[Any, ...]:
    return (
        repos.customers,
        repos.directory,
        repos.mail,
        repos.config,
        repos.work,
        repos.objects,
        repos.kb,
        repos.access,
        repos.uploads,
        repos.surveys,
        repos.chat,
    )


def test_a_reply_based_on_a_version_before_a_colleagues_note_is_refused_even_when_reads_lag(desk: Any) -> None:
    tickets: TicketService = desk.tickets
    ann, ben = (
        Actor(ActorKind.AGENT, desk.directory.create_agent(f"{n}@x.example", n, Role.AGENT).id) for n in ("ann", "ben")
    )
    ticket, _ = tickets.create(ann, NewTicket(subject="Refund", body_text="Please", requester_email="c@x.example"))
    read_by_ann = ticket.version
    tickets.note(ben, ticket.id, read_by_ann, "Do NOT refund: fraud case")  # lands after Ann's read
    with pytest.raises(Conflict) as refused:
        tickets.reply(ann, ticket.id, read_by_ann, "Refunded!")
    assert refused.value.details is not None
    assert [c["event"] for c in refused.value.details.changes] == ["note.added"]
