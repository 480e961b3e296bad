"""Who takes a chat: agents' chat presence, chat capacity, the waiting line and the ring.

The chat keeps its own assignment rather than reusing routing's team strategies (docs/decisions/043-chat.md):
a chat needs someone *present now* (a heartbeat under ``presence`` old, sent by the agent console's socket),
counts against a chat capacity of its own, and is offered to one agent at a time for ``ring`` seconds; one
who lets it ring out is not offered it again and their missed-chat count goes up. The cap is enforced by the
write itself (``reserve``: a set ADD with ``size(chats) < capacity``), as routing's ticket cap is (030): two
routers offering the same agent their last slot cannot both win. Ordering (``rank``) is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.core.errors import AtCapacity, Conflict
from chalicelib.domain.chat import Conversation, ConversationState, Presence
from chalicelib.storage.chat_ports import ChatRepository

QUEUE_READ = 50


class Availability(StrEnum):
    ONLINE = "online"  # someone present has room
    BUSY = "busy"  # agents are present, all at capacity: a new chat waits in line
    OFFLINE = "offline"  # nobody present: the widget becomes a message form


@dataclass(frozen=True)
class Timing:
    ring: timedelta
    presence: timedelta
    inactivity: timedelta


def fresh(p: Presence, now: datetime, presence: timedelta) -> bool:
    return p.seen_at >= now - presence


def rank(presences: Sequence[Presence], now: datetime, presence: timedelta, exclude: Sequence[str] = ()) -> list[str]:
    """Agents who may be offered a chat, best first: present, with room, not excluded; least loaded
    (share of capacity), then fewest missed chats, then id (a stable order)."""
    eligible = [
        p for p in presences if fresh(p, now, presence) and p.capacity > len(p.chats) and p.agent_id not in exclude
    ]
    eligible.sort(key=lambda p: (len(p.chats) / p.capacity, p.missed, p.agent_id))
    return [p.agent_id for p in eligible]


def availability(presences: Sequence[Presence], now: datetime, presence: timedelta) -> Availability:
    present = [p for p in presences if fresh(p, now, presence) and p.capacity > 0]
    if not present:
        return Availability.OFFLINE
    return Availability.ONLINE if any(p.capacity > len(p.chats) for p in present) else Availability.BUSY


# Told when something happens that sockets should hear: (conversation, what) -> None.
Announce = Callable[[Conversation, str], None]
# Told when an agent let a chat ring out: (conversation, agent id) -> None (the reports' ``chat.missed``).
Missed = Callable[[Conversation, str], None]


class ChatRouter:
    def __init__(
        self,
        repo: ChatRepository,
        timing: Timing,
        clock: Callable[[], datetime],
        announce: Announce,
        missed: Missed | None = None,
    ):
        self.repo = repo
        self.timing = timing
        self.clock = clock
        self.announce = announce
        self.missed = missed or (lambda conversation, agent_id: None)

    def availability(self) -> Availability:
        return availability(self.repo.presences(), self.clock(), self.timing.presence)

    def deadline(self, c: Conversation, now: datetime) -> datetime | None:
        """What the sweep waits for: the ring running out, else the conversation falling idle."""
        if c.state is ConversationState.RINGING and c.ring_until:
            return c.ring_until
        return c.last_activity_at + self.timing.inactivity if c.state.live else None

    def route(self, c: Conversation) -> Conversation:
        """Offer a waiting conversation to the best agent who has room; it stays in line if nobody has."""
        if c.state is not ConversationState.QUEUED:
            return c
        now = self.clock()
        fresh_since = now - self.timing.presence
        for agent_id in rank(self.repo.presences(), now, self.timing.presence, c.missed_by):
            try:
                self.repo.reserve(agent_id, c.id, fresh_since)
            except AtCapacity:
                continue
            ringing = replace(
                c, state=ConversationState.RINGING, ring_agent_id=agent_id, ring_until=now + self.timing.ring
            )
            ringing = replace(ringing, due_at=self.deadline(ringing, now), version=c.version + 1)
            try:
                self.repo.save_conversation(ringing, c.version)
            except Conflict:
                self.repo.release(agent_id, c.id)
                return self.repo.get_conversation(c.id, consistent=True)
            if c.queued_at:
                self.repo.dequeue(c.id, c.queued_at)
            self.announce(ringing, "ringing")
            return ringing
        return c

    def ring_out(self, c: Conversation) -> Conversation:
        """The ring ran out: the agent missed it (counted, never offered it again); it goes back in line, in its
        place, and to the next agent."""
        now = self.clock()
        if c.state is not ConversationState.RINGING or not c.ring_agent_id or (c.ring_until and c.ring_until > now):
            return c
        missed = c.ring_agent_id
        back = replace(
            c,
            state=ConversationState.QUEUED,
            ring_agent_id=None,
            ring_until=None,
            missed_by=(*c.missed_by, missed),
            queued_at=c.queued_at or now,
            version=c.version + 1,
        )
        back = replace(back, due_at=self.deadline(back, now))
        # Back in line and no longer the missed agent's in one write: were the hold dropped after, the same
        # agent taking it from the line in between would keep an active chat that counts against nobody.
        self.repo.save_conversation(back, c.version, release=missed)
        self.repo.count_missed(missed)
        self.repo.enqueue(c.id, back.queued_at or now)
        self.announce(back, "missed")
        routed = self.route(back)  # the customer's chat goes on first; the reports' note is after it
        self.missed(back, missed)
        return routed

    def take(self, c: Conversation, agent_id: str) -> Conversation:
        """An agent accepts: the one it rings for, or anyone with room taking it from the line."""
        now = self.clock()
        if c.state is ConversationState.RINGING and c.ring_agent_id != agent_id:
            raise Conflict("this chat is offered to another agent")
        if c.state is ConversationState.QUEUED:
            self.repo.reserve(agent_id, c.id, now - self.timing.presence)
        elif c.state is not ConversationState.RINGING:
            raise Conflict(f"this chat is {c.state}")
        active = replace(
            c,
            state=ConversationState.ACTIVE,
            agent_id=agent_id,
            ring_agent_id=None,
            ring_until=None,
            last_activity_at=now,
            version=c.version + 1,
        )
        active = replace(active, due_at=self.deadline(active, now))
        try:
            self.repo.save_conversation(active, c.version)
        except Conflict:
            if c.state is ConversationState.QUEUED:
                self.repo.release(agent_id, c.id)
            raise
        if c.queued_at:
            self.repo.dequeue(c.id, c.queued_at)
        return active

    def free(self, c: Conversation) -> None:
        """The conversation is over: whoever it counted against has room again, and the line moves."""
        for agent_id in {c.agent_id, c.ring_agent_id} - {None}:
            self.repo.release(str(agent_id), c.id)
        if c.queued_at:
            self.repo.dequeue(c.id, c.queued_at)
        self.drain()

    def drain(self) -> int:
        """Offer waiting conversations, oldest first, while anyone has room."""
        offered = 0
        for conversation_id in self.repo.queued(QUEUE_READ):
            c = self.repo.get_conversation(conversation_id, consistent=True)
            if c.state is not ConversationState.QUEUED:
                continue
            if self.route(c).state is ConversationState.QUEUED:
                # One nobody could take: those behind it exclude fewer agents only if it had missed some.
                if not c.missed_by:
                    break
                continue
            offered += 1
        return offered

    def position(self, conversation_id: str) -> int | None:
        """1 for the first in line; None when it is not waiting."""
        line = self.repo.queued(QUEUE_READ * 4)
        return line.index(conversation_id) + 1 if conversation_id in line else None
