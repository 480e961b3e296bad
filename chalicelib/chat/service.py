"""Conversations: start one (a ticket on channel ``chat``), hand out connect tokens, write messages with their
sequence numbers, replay what a client missed, end a conversation and mail its transcript.

Every message takes the next ``seq`` of its conversation (an atomic counter) and is logged under it; a client
resumes from the last seq it saw after any reconnect, so nothing depends on delivery while it was away. A
customer's message is one ticket write that also claims its ``client_id`` (``CHATMSG#<conv>#<client id>``):
a resend finds the claim and gets the same ack, never a second message (nothing lost, nothing doubled).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.chat.push import Pusher
from chalicelib.chat.ring import Availability, ChatRouter
from chalicelib.core.errors import Forbidden, InvalidInput, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.chat import ChatEvent, Conversation, ConversationState, Grant, Side
from chalicelib.domain.people import Customer, Identity, IdentityKind
from chalicelib.domain.tickets import Channel, Status, Ticket
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.people.customers import CustomerService
from chalicelib.storage import keys
from chalicelib.storage.chat_ports import ChatRepository
from chalicelib.storage.ports import Key
from chalicelib.tickets.service import NewTicket, TicketService
from chalicelib.tickets.versions import one_version

CONNECT_TOKEN_SECONDS = 60
RESUME_PAGE = 200
OFFLINE_TAG = "chat-offline"


@dataclass(frozen=True)
class StartChat:
    name: str = ""
    email: str | None = None
    message: str = ""
    # A signed-in portal customer (the composition root wires the portal session to it); else None.
    customer_id: str | None = None


@dataclass(frozen=True)
class Started:
    offline: bool
    conversation: Conversation | None = None
    connect_token: str | None = None
    secret: str | None = None
    ticket_id: str | None = None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ChatService:
    def __init__(
        self,
        repo: ChatRepository,
        router: ChatRouter,
        tickets: TicketService,
        customers: CustomerService,
        pusher: Pusher,
        clock: Callable[[], datetime],
        queue_limit: int,
    ) -> None:
        self.repo = repo
        self.router = router
        self.tickets = tickets
        self.customers = customers
        self.pusher = pusher
        self.clock = clock
        self.queue_limit = queue_limit

    # -- start ------------------------------------------------------------------------------------

    def start(self, request: StartChat) -> Started:
        availability = self.router.availability()
        full = availability is Availability.BUSY and len(self.repo.queued(self.queue_limit + 1)) >= self.queue_limit
        if availability is Availability.OFFLINE or full:
            return self._offline(request)
        customer = self._customer(request, fallback=new_id())
        now = self.clock()
        conversation_id, secret = new_id(), secrets.token_urlsafe(32)
        ticket_id = new_id()
        first = request.message.strip()
        first_seq = self.repo.next_seq(conversation_id) if first else 0
        data = {"chat": {"conversation": conversation_id, "seq": first_seq}} if first else {}
        ticket, _ = self.tickets.create(
            Actor(ActorKind.CUSTOMER, customer.id),
            NewTicket(
                subject=_subject(first, customer.name),
                body_text=first,
                channel=Channel.CHAT,
                requester_id=customer.id,
                message_data=data,
                ticket_id=ticket_id,
            ),
            lookups=[Key(keys.chat_ticket(ticket_id), conversation_id)],
            requester=customer,
        )
        conversation = Conversation(
            conversation_id, ticket.id, customer.id, now, ConversationState.QUEUED, now, digest(secret), queued_at=now
        )
        conversation = replace(conversation, due_at=self.router.deadline(conversation, now))
        self.repo.create_conversation(conversation)
        if first:
            self.repo.put_event(conversation_id, ChatEvent(first_seq, "message", now, Side.CUSTOMER, first))
        self.repo.enqueue(conversation_id, now)
        conversation = self.router.route(conversation)
        token = self.grant(Grant(Side.CUSTOMER, now + timedelta(seconds=CONNECT_TOKEN_SECONDS), conversation_id))
        return Started(False, conversation, token, secret, ticket.id)

    def _offline(self, request: StartChat) -> Started:
        """Nobody can chat: with an address and a message, the message becomes a ticket answered by email."""
        if not (request.email or request.customer_id) or not request.message.strip():
            return Started(True)
        customer = self._customer(request, fallback=None)
        ticket, _ = self.tickets.create(
            Actor(ActorKind.CUSTOMER, customer.id),
            NewTicket(
                subject=_subject(request.message, customer.name),
                body_text=request.message.strip(),
                channel=Channel.PORTAL,
                requester_id=customer.id,
                tags=(OFFLINE_TAG,),
                acknowledge=True,
            ),
            requester=customer,
        )
        return Started(True, ticket_id=ticket.id)

    def _customer(self, request: StartChat, fallback: str | None) -> Customer:
        if request.customer_id:
            return self.customers.get(request.customer_id)
        if request.email:
            return self.customers.resolve_email(request.email, request.name or None)
        if fallback is None:
            raise InvalidInput("an email address to answer to", "email")
        visitor = Identity.of(IdentityKind.CHAT, fallback)
        return self.customers.create(request.name or "Chat visitor", [visitor])

    # -- tokens -----------------------------------------------------------------------------------

    def grant(self, grant: Grant) -> str:
        token = secrets.token_urlsafe(24)
        self.repo.put_grant(digest(token), grant)
        return token

    def customer_token(self, conversation_id: str, secret: str) -> str:
        conversation = self.authorized(conversation_id, secret)
        expires = self.clock() + timedelta(seconds=CONNECT_TOKEN_SECONDS)
        return self.grant(Grant(Side.CUSTOMER, expires, conversation.id))

    def agent_token(self, agent_id: str) -> str:
        return self.grant(Grant(Side.AGENT, self.clock() + timedelta(seconds=CONNECT_TOKEN_SECONDS), agent_id=agent_id))

    def authorized(self, conversation_id: str, secret: str | None) -> Conversation:
        """The conversation, if ``secret`` is its customer's key: 404 otherwise, as for an unknown id (a guess
        learns nothing)."""
        conversation = self.repo.get_conversation(conversation_id)
        if not secret or not hmac.compare_digest(conversation.secret_hash, digest(secret)):
            raise NotFound("conversation", conversation_id)
        return conversation

    # -- messages -----------------------------------------------------------------------------------

    def customer_message(self, conversation: Conversation, client_id: str, body: str) -> int:
        """The seq of the customer's message; a resend (same ``client_id``) gets the same seq."""
        claim = keys.chat_client_message(conversation.id, client_id)
        known = self.repo.claimed(claim)
        if known is not None:
            self.repo.put_event(conversation.id, ChatEvent(known, "message", self.clock(), Side.CUSTOMER, body))
            return known
        self._live(conversation)
        seq = self.repo.next_seq(conversation.id)
        customer = self.customers.get(conversation.customer_id)
        from chalicelib.core.errors import Duplicate

        try:
            self.tickets.customer_message(
                customer,
                conversation.ticket_id,
                body,
                str(Channel.CHAT),
                data={"chat": {"conversation": conversation.id, "seq": seq, "client_id": client_id}},
                claims=[Key(claim, str(seq))],
            )
        except Duplicate:
            return self.repo.claimed(claim) or seq  # a concurrent resend won
        self.repo.put_event(conversation.id, ChatEvent(seq, "message", self.clock(), Side.CUSTOMER, body))
        self._touch(conversation)
        return seq

    def agent_message(self, conversation: Conversation, agent_id: str, client_id: str, body: str) -> int:
        """An agent's line in the chat: a public reply on the ticket (first response for SLAs)."""
        if conversation.agent_id != agent_id:
            raise Forbidden("this chat is not yours: accept it first")
        claim = keys.chat_client_message(conversation.id, client_id)
        known = self.repo.claimed(claim)
        if known is not None:
            return known
        self._live(conversation)
        seq = self.repo.next_seq(conversation.id)
        chat_data = {"chat": {"conversation": conversation.id, "seq": seq, "client_id": client_id}}
        actor = Actor(ActorKind.AGENT, agent_id)

        def build(ticket: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            entry = replace(
                TimelineEntry.post(ticket, EntryKind.MESSAGE, actor, now, body, None, str(Channel.CHAT)), data=chat_data
            )
            after, changes = (
                ticket.change(actor, now, status=Status.OPEN) if ticket.status is Status.NEW else (ticket, [])
            )
            return one_version(ticket, after.posted(EntryKind.MESSAGE, actor, now), [entry, *changes])

        from chalicelib.core.errors import Duplicate

        try:
            self.tickets.automatic(conversation.ticket_id, build, claims=[Key(claim, str(seq))])
        except Duplicate:
            return self.repo.claimed(claim) or seq
        self.repo.put_event(conversation.id, ChatEvent(seq, "message", self.clock(), Side.AGENT, body))
        self._touch(conversation)
        return seq

    def announce_message(
        self, conversation: Conversation, seq: int, body: str, author: Side = Side.CUSTOMER, skip: str | None = None
    ) -> None:
        """A new message to every socket of the conversation and of its agent (the sender's own one skipped)."""
        message = {
            "type": "message",
            "conversation": conversation.id,
            "seq": seq,
            "author": str(author),
            "body": body,
            "at": self.clock().isoformat(),
        }
        self.pusher.to_conversation(conversation.id, message, skip=skip)
        for agent_id in {conversation.agent_id, conversation.ring_agent_id} - {None}:
            self.pusher.to_agent(str(agent_id), message, skip=skip)

    def waiting(self, agent_id: str) -> list[Conversation]:
        """The line (oldest first) and the chats offered to or taken by ``agent_id``."""
        mine = next((p.chats for p in self.repo.presences() if p.agent_id == agent_id), frozenset())
        ids = list(dict.fromkeys([*self.repo.queued(50), *sorted(mine)]))
        found = [self.repo.get_conversation(i) for i in ids]
        return [c for c in found if c.state.live]

    def assign(self, conversation: Conversation, agent_id: str) -> None:
        """The accepted chat's ticket is the agent's (an agent's own act: routing counts it, never caps it)."""
        actor = Actor(ActorKind.AGENT, agent_id)

        def build(ticket: Ticket, now: datetime) -> tuple[Ticket, list[TimelineEntry]]:
            changes: dict[str, Any] = {"assignee_id": agent_id}
            if ticket.status is Status.NEW:
                changes["status"] = Status.OPEN
            return ticket.change(actor, now, **changes)

        self.tickets.automatic(conversation.ticket_id, build)

    def record_missed(self, conversation: Conversation, agent_id: str) -> None:
        """The ring ran out at ``agent_id``: a ``chat.missed`` system note on the chat's ticket, which the
        reports count for that agent (decision 060). Once per agent and conversation (a claim: an agent who
        missed a chat is never offered it again, and a sweep that tries again writes nothing). A failed note
        is logged and never stops the chat moving on to the next agent."""
        from chalicelib.core import observability
        from chalicelib.core.errors import Duplicate

        claim = Key(keys.chat_missed(conversation.id, agent_id), agent_id)
        data = {"conversation_id": conversation.id, "agent_id": agent_id}
        try:
            self.tickets.system_note(
                conversation.ticket_id, "chat.missed", "The chat rang out unanswered.", data, claims=[claim]
            )
        except Duplicate:
            return
        except Exception:  # noqa: BLE001 - the ring moves on whatever the note's fate: logged, counted
            observability.logger().exception("chat.missed not recorded", extra=data)
            observability.count("ChatMissedNotRecorded")

    def log_status(self, conversation: Conversation, state: str, **extra: Any) -> ChatEvent:
        event = ChatEvent(
            self.repo.next_seq(conversation.id), "status", self.clock(), Side.SYSTEM, "", {"state": state, **extra}
        )
        self.repo.put_event(conversation.id, event)
        return event

    def since(self, conversation_id: str, since: int) -> list[ChatEvent]:
        return self.repo.events_since(conversation_id, since, RESUME_PAGE)

    def _live(self, conversation: Conversation) -> None:
        if not conversation.state.live:
            raise InvalidInput(f"this chat is {conversation.state}", "conversation")

    def _touch(self, conversation: Conversation) -> None:
        """Keep the inactivity deadline moving (best effort: a concurrent change wins, the sweep re-reads)."""
        now = self.clock()
        if now - conversation.last_activity_at < timedelta(seconds=30):
            return
        touched = replace(conversation, last_activity_at=now, version=conversation.version + 1)
        touched = replace(touched, due_at=self.router.deadline(touched, now))
        from chalicelib.core.errors import Conflict

        try:
            self.repo.save_conversation(touched, conversation.version)
        except Conflict:
            return

    # -- the end ------------------------------------------------------------------------------------

    def end(self, conversation: Conversation, by: Side, reason: str = "ended") -> Conversation:
        if conversation.state is ConversationState.ENDED:
            return conversation
        now = self.clock()
        ended = replace(
            conversation, state=ConversationState.ENDED, ended_at=now, due_at=None, version=conversation.version + 1
        )
        self.repo.save_conversation(ended, conversation.version)
        event = self.log_status(ended, "ended", by=str(by), reason=reason)
        self.tickets.system_note(
            conversation.ticket_id,
            "chat.ended",
            f"Chat ended by the {by} ({reason}).",
            {"conversation_id": conversation.id, "by": str(by), "reason": reason, "messages_seq": event.seq},
        )
        frame = event.frame(conversation.id)
        self.pusher.to_conversation(conversation.id, frame)
        for agent_id in {conversation.agent_id, conversation.ring_agent_id} - {None}:
            self.pusher.to_agent(str(agent_id), frame)
        self.router.free(conversation)
        return ended

    def transcript(self, conversation: Conversation) -> str:
        """The conversation as plain text, oldest first (what the customer is mailed on request)."""
        lines = []
        since = 0
        while page := self.repo.events_since(conversation.id, since, RESUME_PAGE):
            for event in page:
                if event.type == "message":
                    lines.append(f"[{event.at:%Y-%m-%d %H:%M} UTC] {event.author}: {event.body}")
            since = page[-1].seq
        return "\n".join(lines)

    def get(self, conversation_id: str) -> Conversation:
        try:
            return self.repo.get_conversation(conversation_id, consistent=True)
        except NotFound:
            raise


def _subject(message: str, name: str) -> str:
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    return first_line[:80] if first_line else f"Chat with {name}"
