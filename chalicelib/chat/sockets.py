"""The WebSocket side: ``$connect`` (single-use token, Origin), frames, ``$disconnect``.

``app.py``'s ``on_ws_connect/message/disconnect`` hand API Gateway's events to ``chalicelib.chat.websocket``,
which calls this. Every reply goes out through the Management API (API Gateway does not return a Lambda's
result to the socket without route responses), so the sender's ack and the other side's message travel alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.chat import protocol
from chalicelib.chat.push import Pusher
from chalicelib.chat.ring import ChatRouter
from chalicelib.chat.service import ChatService, digest
from chalicelib.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.chat import Connection, Conversation, ConversationState, Side
from chalicelib.storage.chat_ports import ChatRepository

# API Gateway closes a socket after 2 h; the item outlives it a little (TTL deletion is lazy anyway).
CONNECTION_HOURS = 3
RATE_WINDOW_SECONDS = 10
RATE_LIMIT = 30  # frames per socket per window: typing and pings included
# Agents read their heartbeat from a directory lookup: who they are and their chat capacity.
AgentInfo = Callable[[str], tuple[str, int]]


class Sockets:
    def __init__(
        self,
        repo: ChatRepository,
        chat: ChatService,
        router: ChatRouter,
        pusher: Pusher,
        agent_info: AgentInfo,
        allowed_origins: frozenset[str],
        clock: Callable[[], datetime],
    ) -> None:
        self.repo = repo
        self.chat = chat
        self.router = router
        self.pusher = pusher
        self.agent_info = agent_info
        self.allowed_origins = allowed_origins
        self.clock = clock

    def open(self, connection_id: str, token: str | None, origin: str | None) -> Connection:
        if not origin or origin.rstrip("/") not in self.allowed_origins:
            raise Forbidden(f"sockets are not accepted from the origin {origin!r}")
        now = self.clock()
        grant = self.repo.take_grant(digest(token), now) if token else None
        if grant is None:
            raise Unauthenticated("an unknown, used or expired connect token")
        connection = Connection(
            connection_id,
            grant.side,
            now,
            now + timedelta(hours=CONNECTION_HOURS),
            grant.conversation_id,
            grant.agent_id,
        )
        if grant.side is Side.AGENT and grant.agent_id:
            # Before the socket is stored: nothing may be sent to a socket still in its $connect (API Gateway
            # answers Gone, which would forget it). Offers reach it from its first ping on.
            self._heartbeat(grant.agent_id)
        self.repo.put_connection(connection)
        return connection

    def close(self, connection_id: str) -> None:
        connection = self.repo.get_connection(connection_id, self.clock())
        if connection is not None:
            self.repo.delete_connection(connection)

    def frame(self, connection_id: str, raw: str | None) -> None:
        connection = self.repo.get_connection(connection_id, self.clock())
        if connection is None:
            return  # closed meanwhile (or never opened): nothing to answer to
        if self.repo.hit(f"chat#{connection_id}", RATE_WINDOW_SECONDS, self.clock()) > RATE_LIMIT:
            self._reply(
                connection,
                {
                    "type": "error",
                    "code": "rate_limited",
                    "field": "frame",
                    "message": f"at most {RATE_LIMIT} frames in {RATE_WINDOW_SECONDS} s",
                },
            )
            return
        try:
            parsed = protocol.parse(raw)
            self._act(connection, parsed)
        except InvalidInput as exc:
            self._reply(connection, protocol.error(exc))
        except (Forbidden, Unauthenticated, NotFound, Conflict) as exc:
            self._reply(
                connection, {"type": "error", "code": exc.code, "field": "conversation", "message": exc.message}
            )

    # -- actions ----------------------------------------------------------------------------------------

    def _act(self, connection: Connection, frame: protocol.Frame) -> None:
        if frame.action == "ping":
            self._ping(connection)
            return
        conversation = self._conversation(connection, frame)
        actions: dict[str, Callable[[Connection, Conversation, protocol.Frame], None]] = {
            "send": self._send,
            "resume": self._resume,
            "typing": self._typing,
            "accept": self._accept,
            "end": self._end,
        }
        actions[frame.action](connection, conversation, frame)

    def _conversation(self, connection: Connection, frame: protocol.Frame) -> Conversation:
        conversation = self.repo.get_conversation(frame.conversation or "", consistent=True)
        if connection.side is Side.CUSTOMER and connection.conversation_id != conversation.id:
            raise Forbidden("this socket belongs to another conversation")
        if (
            connection.side is Side.AGENT
            and frame.action not in ("accept", "resume")
            and conversation.agent_id != connection.agent_id
        ):
            raise Forbidden("this chat is not yours: accept it first")
        return conversation

    def _ping(self, connection: Connection) -> None:
        reply: dict[str, Any] = {"type": "pong"}
        if connection.side is Side.AGENT and connection.agent_id:
            self._heartbeat(connection.agent_id)
        elif connection.conversation_id:
            conversation = self.repo.get_conversation(connection.conversation_id)
            conversation = self._due(conversation)
            reply["state"] = str(conversation.state)
            if conversation.state in (ConversationState.QUEUED, ConversationState.RINGING):
                self._reply(connection, self._queue_frame(conversation))
        self._reply(connection, reply)

    def _send(self, connection: Connection, conversation: Conversation, frame: protocol.Frame) -> None:
        client_id, body = frame.client_id or "", frame.body or ""
        if connection.side is Side.AGENT:
            seq = self.chat.agent_message(conversation, connection.agent_id or "", client_id, body)
            author = Side.AGENT
        else:
            seq = self.chat.customer_message(conversation, client_id, body)
            author = Side.CUSTOMER
        self._reply(connection, {"type": "ack", "client_id": client_id, "seq": seq})
        self.chat.announce_message(conversation, seq, body, author, skip=connection.id)

    def _resume(self, connection: Connection, conversation: Conversation, frame: protocol.Frame) -> None:
        """Everything after ``since``, in order; then where the conversation stands."""
        since = frame.since
        while events := self.chat.since(conversation.id, since):
            for event in events:
                self._reply(connection, event.frame(conversation.id))
            since = events[-1].seq
        self._reply(
            connection,
            {"type": "status", "conversation": conversation.id, "state": str(conversation.state), "resumed_to": since},
        )
        if conversation.state in (ConversationState.QUEUED, ConversationState.RINGING):
            self._reply(connection, self._queue_frame(conversation))

    def _typing(self, connection: Connection, conversation: Conversation, frame: protocol.Frame) -> None:
        typing = {"type": "typing", "conversation": conversation.id, "author": str(connection.side)}
        if connection.side is Side.AGENT:
            self.pusher.to_conversation(conversation.id, typing)
        elif conversation.agent_id:
            self.pusher.to_agent(conversation.agent_id, typing)

    def _accept(self, connection: Connection, conversation: Conversation, frame: protocol.Frame) -> None:
        agent_id = connection.agent_id
        if connection.side is not Side.AGENT or not agent_id:
            raise Forbidden("only agents accept chats")
        accepted = self.router.take(conversation, agent_id)
        name, _ = self.agent_info(agent_id)
        self.chat.assign(accepted, agent_id)
        event = self.chat.log_status(accepted, "active", agent=name)
        self.pusher.to_conversation(conversation.id, event.frame(conversation.id))
        self.pusher.to_agent(agent_id, event.frame(conversation.id))

    def _end(self, connection: Connection, conversation: Conversation, frame: protocol.Frame) -> None:
        self.chat.end(conversation, connection.side)

    # -- helpers ---------------------------------------------------------------------------------------

    def _heartbeat(self, agent_id: str) -> None:
        name, capacity = self.agent_info(agent_id)
        self.repo.heartbeat(agent_id, name, capacity, self.clock())
        self.router.drain()

    def _due(self, conversation: Conversation) -> Conversation:
        """A ring that ran out is moved on at the customer's next ping (the sweep is the safety net)."""
        if (
            conversation.state is ConversationState.RINGING
            and conversation.ring_until
            and conversation.ring_until <= self.clock()
        ):
            return self.router.ring_out(conversation)
        return conversation

    def _queue_frame(self, conversation: Conversation) -> dict[str, Any]:
        position = self.router.position(conversation.id)
        return {"type": "queue", "conversation": conversation.id, "position": position or 1}

    def _reply(self, connection: Connection, frame: dict[str, Any]) -> None:
        self.pusher.one(connection.id, protocol.encode(frame))


def refusal(exc: DomainError) -> dict[str, Any]:
    """What ``$connect`` answers when it refuses: API Gateway turns a non-2xx status into a failed handshake."""
    status = 403 if isinstance(exc, Forbidden) else 401
    return {"statusCode": status, "body": exc.message}
