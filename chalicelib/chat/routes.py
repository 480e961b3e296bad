"""Chat API: start a conversation (no token), reconnect, poll and send without a socket, end it, mail its
transcript; agents' connect tokens and the waiting line.

A conversation's own routes take its resume token in the ``X-Chat-Token`` header (never in a URL that logs
keep). A signed-in portal customer is recognised through ``Needs.identify``, which the composition root wires
to the portal session (until then it answers None, and a chat starts from the name and email given).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from chalice.app import Request

from chalicelib.core import observability
from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Result, Routes

if TYPE_CHECKING:
    from chalicelib.chat import schemas
    from chalicelib.chat.ring import ChatRouter
    from chalicelib.chat.service import ChatService
else:
    schemas = lazy_module("chalicelib.chat.schemas")


@dataclass(frozen=True)
class Needs:
    chat: ChatService
    router: ChatRouter
    ws_url: str
    # The customer id of a signed-in portal session, if the request carries one.
    identify: Callable[[Request], str | None]
    mail_transcript: Callable[[str, str, str], None]


deps: Provider[Needs] = Provider("chat.routes")
routes = Routes(__name__, "chalicelib.chat.schemas", tag="chat")
bp = routes.bp
CONVERSATION = "/v1/chat/conversations/{conversation_id}"
TOKEN_HEADER = "x-chat-token"


def ws_url(base: str, token: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}{urlencode({'token': token})}"


@routes("/v1/chat/availability", summary="Whether anyone can chat now", response="AvailabilityOut", public=True)
def availability(call: Call) -> schemas.AvailabilityOut:
    return schemas.AvailabilityOut(status=deps().router.availability().value)


@routes(
    "/v1/chat/conversations",
    "POST",
    summary="Start a chat (or, when nobody can chat, leave a message answered by email)",
    body="StartChatIn",
    response="StartedOut",
    status=201,
    public=True,
)
def start_conversation(call: Call) -> Result:
    from chalicelib.chat.service import StartChat

    needs = deps()
    data: schemas.StartChatIn = call.body
    request = StartChat(data.name, str(data.email) if data.email else None, data.message, needs.identify(call.request))
    started = needs.chat.start(request)
    if started.conversation is None:
        observability.count("ChatOffline")
        # 201 either way (one success status per route): without ticket_id nothing was created yet.
        return Result(schemas.StartedOut(offline=True, ticket_id=started.ticket_id))
    observability.count("ChatStarted")
    conversation = started.conversation
    return Result(
        schemas.StartedOut(
            offline=False,
            conversation_id=conversation.id,
            ticket_id=conversation.ticket_id,
            state=str(conversation.state),
            connect_token=started.connect_token,
            ws_url=ws_url(needs.ws_url, started.connect_token or ""),
            resume_token=started.secret,
        )
    )


@routes(
    CONVERSATION + "/connect",
    "POST",
    summary="A new connect token (after a disconnect)",
    response="ConnectOut",
    public=True,
)
def connect_again(call: Call, conversation_id: str) -> schemas.ConnectOut:
    needs = deps()
    token = needs.chat.customer_token(conversation_id, call.request.headers.get(TOKEN_HEADER, ""))
    return schemas.ConnectOut(connect_token=token, ws_url=ws_url(needs.ws_url, token))


@routes(
    CONVERSATION + "/events",
    summary="What happened after a seq (the polling fallback)",
    query="EventsQuery",
    response="EventsOut",
    public=True,
)
def conversation_events(call: Call, conversation_id: str) -> schemas.EventsOut:
    chat = deps().chat
    conversation = chat.authorized(conversation_id, call.request.headers.get(TOKEN_HEADER))
    events = chat.since(conversation.id, call.query.since)
    return schemas.EventsOut(
        conversation_id=conversation.id,
        state=str(conversation.state),
        events=[schemas.ChatEventOut.model_validate(e, from_attributes=True) for e in events],
    )


@routes(
    CONVERSATION + "/messages",
    "POST",
    summary="Send a message without a socket (same ack, same idempotency)",
    body="ChatMessageIn",
    response="AckOut",
    public=True,
)
def send_message(call: Call, conversation_id: str) -> schemas.AckOut:
    chat = deps().chat
    conversation = chat.authorized(conversation_id, call.request.headers.get(TOKEN_HEADER))
    data: schemas.ChatMessageIn = call.body
    seq = chat.customer_message(conversation, data.client_id, data.body)
    chat.announce_message(conversation, seq, data.body)
    return schemas.AckOut(client_id=data.client_id, seq=seq)


@routes(CONVERSATION + "/end", "POST", summary="End the chat", response="ConversationOut", public=True)
def end_conversation(call: Call, conversation_id: str) -> schemas.ConversationOut:
    from chalicelib.domain.chat import Side

    chat = deps().chat
    conversation = chat.authorized(conversation_id, call.request.headers.get(TOKEN_HEADER))
    ended = chat.end(conversation, Side.CUSTOMER)
    return schemas.ConversationOut(conversation_id=ended.id, ticket_id=ended.ticket_id, state=str(ended.state))


@routes(
    CONVERSATION + "/transcript",
    "POST",
    summary="Mail the transcript to the customer",
    response="TranscriptOut",
    status=202,
    public=True,
)
def mail_transcript(call: Call, conversation_id: str) -> schemas.TranscriptOut:
    from chalicelib.core.errors import InvalidInput

    needs = deps()
    conversation = needs.chat.authorized(conversation_id, call.request.headers.get(TOKEN_HEADER))
    address = needs.chat.customers.get(conversation.customer_id).email
    if not address:
        raise InvalidInput("the chat has no email address to mail the transcript to", "email")
    needs.mail_transcript(address, "Your chat transcript", needs.chat.transcript(conversation))
    return schemas.TranscriptOut(sent_to=address)


@routes("/v1/chat/agent-connect", "POST", summary="A connect token for the agent's chat socket", response="ConnectOut")
def agent_connect(call: Call) -> schemas.ConnectOut:
    needs = deps()
    token = needs.chat.agent_token(call.principal.agent.id)
    return schemas.ConnectOut(connect_token=token, ws_url=ws_url(needs.ws_url, token))


@routes("/v1/chat/queue", summary="Chats waiting for an agent, and those offered to me", response="QueueOut")
def chat_queue(call: Call) -> schemas.QueueOut:
    needs = deps()
    waiting = needs.chat.waiting(call.principal.agent.id)
    return schemas.QueueOut(
        conversations=[
            schemas.QueueItemOut(
                conversation_id=c.id,
                ticket_id=c.ticket_id,
                state=str(c.state),
                waiting_since=c.queued_at or c.created_at,
                offered_to_me=c.ring_agent_id == call.principal.agent.id,
            )
            for c in waiting
        ]
    )
