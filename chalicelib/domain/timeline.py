"""Timeline entries: public messages, internal notes and system events.

Every change to a ticket is one entry, and every entry is a domain event: the relay publishes each
new entry to the events topic (docs/decisions/003-events-through-dynamodb-streams.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.core.ids import new_id

if TYPE_CHECKING:
    from chalicelib.domain.tickets import Ticket


class ActorKind(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str | None = None

    @property
    def is_customer(self) -> bool:
        return self.kind is ActorKind.CUSTOMER


SYSTEM = Actor(ActorKind.SYSTEM, "lambdesk")
# Everything a trigger's action writes is authored by the system actor ``trigger:<id>``.
TRIGGER_ACTOR_PREFIX = "trigger:"


def trigger_actor(trigger_id: str) -> Actor:
    """The author of everything a trigger's action writes."""
    return Actor(ActorKind.SYSTEM, f"{TRIGGER_ACTOR_PREFIX}{trigger_id}")


def fired_by_trigger(event: Mapping[str, Any]) -> str | None:
    """The id of the trigger whose action wrote this event (an event envelope), or ``None``."""
    actor = event.get("actor") or {}
    actor_id = actor.get("id") or ""
    if actor.get("kind") != ActorKind.SYSTEM or not actor_id.startswith(TRIGGER_ACTOR_PREFIX):
        return None
    return actor_id[len(TRIGGER_ACTOR_PREFIX) :] or None


class EntryKind(StrEnum):
    MESSAGE = "message"  # public: the customer sees it
    NOTE = "note"  # internal: never shown or sent to a customer
    EVENT = "event"  # a system record of a change


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class TimelineEntry:
    ticket_id: str
    id: str
    at: datetime
    kind: EntryKind
    event: str
    author: Actor
    ticket_number: int
    ticket_version: int
    body_text: str | None = None
    body_html: str | None = None
    channel: str | None = None
    changes: tuple[Change, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    # Set on entries copied into a ticket by a merge: the relay does not publish them again.
    merged_from: str | None = None
    # The ticket's channel (fixed at creation): its events tell consumers a chat's ticket from the others.
    ticket_channel: str | None = None
    # On entries the reports count: the previous counted entry and the tracked fields after this one
    # (``domain.report_chain``), so the reports consumer reads neither the timeline nor the head.
    report: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def public(self) -> bool:
        return self.kind is EntryKind.MESSAGE

    @classmethod
    def system(
        cls,
        ticket: Ticket,
        name: str,
        actor: Actor,
        at: datetime,
        changes: list[Change] | None = None,
        data: dict[str, Any] | None = None,
    ) -> TimelineEntry:
        return cls(
            ticket_id=ticket.id,
            id=new_id(),
            at=at,
            kind=EntryKind.EVENT,
            event=name,
            author=actor,
            ticket_number=ticket.number,
            ticket_version=ticket.version,
            changes=tuple(changes or ()),
            data=dict(data or {}),
            ticket_channel=str(ticket.channel),
        )

    @classmethod
    def post(
        cls,
        ticket: Ticket,
        kind: EntryKind,
        actor: Actor,
        at: datetime,
        body_text: str,
        body_html: str | None = None,
        channel: str | None = None,
    ) -> TimelineEntry:
        """A message or note; ``ticket`` is the version the post produces."""
        return cls(
            ticket_id=ticket.id,
            id=new_id(),
            at=at,
            kind=kind,
            event="message.added" if kind is EntryKind.MESSAGE else "note.added",
            author=actor,
            ticket_number=ticket.number,
            ticket_version=ticket.version,
            body_text=body_text,
            body_html=body_html,
            channel=channel,
            ticket_channel=str(ticket.channel),
        )
