"""The ``chat`` queue's handlers: ticket events that sockets should hear.

* ``message.added``: a public message on a chat's ticket that did not come through the chat itself (an agent's
  reply through the REST API, say) is logged under the conversation's next seq (claim ``CHATENTRY#<entry>``:
  a redelivered event logs nothing twice) and pushed to the customer's and the agent's sockets. Internal notes
  are never public, so they never reach a customer's socket.
* ``ticket.updated`` to solved or closed: a live chat on that ticket ends.

Only a chat's ticket (channel ``chat``) has a conversation: an event whose envelope names another channel
(``ticket.channel``) is skipped without a request; events from before the envelope carried it look it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.chat.push import Pusher
from chalicelib.chat.service import ChatService
from chalicelib.domain.chat import ChatEvent, Side
from chalicelib.domain.tickets import Channel
from chalicelib.domain.timeline import ActorKind
from chalicelib.storage import keys
from chalicelib.storage.chat_ports import ChatRepository
from chalicelib.storage.ports import TicketRepository


@dataclass(frozen=True)
class Pushed:
    seq: int
    sockets: int


@dataclass(frozen=True)
class Skipped:
    reason: str


class ChatRelay:
    def __init__(
        self, repo: ChatRepository, tickets: TicketRepository, chat: ChatService, pusher: Pusher, clock: Any
    ) -> None:
        self.repo = repo
        self.tickets = tickets
        self.chat = chat
        self.pusher = pusher
        self.clock = clock

    def on_message(self, event: dict[str, Any]) -> Pushed | Skipped:
        if not event.get("public"):
            return Skipped("not public")
        if (event.get("data") or {}).get("chat"):
            return Skipped("came through the chat")
        conversation_id = self._conversation(event)
        if conversation_id is None:
            return Skipped("not a chat")
        author = Side.CUSTOMER if event["actor"]["kind"] == str(ActorKind.CUSTOMER) else Side.AGENT
        claim = keys.chat_entry(event["id"])
        seq = self.repo.claimed(claim)
        if seq is None:
            seq = self.repo.next_seq(conversation_id)
            logged = ChatEvent(seq, "message", _at(event), author, self._body(event))
            if not self.repo.append(conversation_id, logged, claim):
                seq = self.repo.claimed(claim) or seq
        conversation = self.repo.get_conversation(conversation_id)
        frame = {
            "type": "message",
            "conversation": conversation_id,
            "seq": seq,
            "author": str(author),
            "body": self._body(event),
            "at": event.get("occurred_at"),
        }
        sent = self.pusher.to_conversation(conversation_id, frame)
        if conversation.agent_id:
            sent += self.pusher.to_agent(conversation.agent_id, frame)
        return Pushed(seq, sent)

    def on_updated(self, event: dict[str, Any]) -> Skipped | Pushed:
        closing = any(
            c.get("field") == "status" and c.get("new") in ("solved", "closed") for c in event.get("changes") or []
        )
        if not closing:
            return Skipped("no end")
        conversation_id = self._conversation(event)
        if conversation_id is None:
            return Skipped("not a chat")
        conversation = self.repo.get_conversation(conversation_id, consistent=True)
        if not conversation.state.live:
            return Skipped("already over")
        ended = self.chat.end(conversation, Side.AGENT, "ticket solved")
        return Pushed(ended.version, 0)

    def _conversation(self, event: dict[str, Any]) -> str | None:
        """The conversation of the event's ticket; None, without a read, when the envelope says it is no chat."""
        channel = event["ticket"].get("channel")
        if channel is not None and channel != str(Channel.CHAT):
            return None
        return self.repo.conversation_for_ticket(event["ticket"]["id"])

    def _body(self, event: dict[str, Any]) -> str:
        """The event carries a preview: the whole text is read from the entry when it was cut (claim check)."""
        preview = str(event.get("body_preview") or "")
        if int(event.get("body_chars") or 0) <= len(preview):
            return preview
        version = int(event["ticket"]["version"])
        for entry in self.tickets.entries_since(event["ticket"]["id"], version - 1, consistent=True):
            if entry.id == event["id"]:
                return entry.body_text or ""
        return preview


def _at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(event["occurred_at"]))
