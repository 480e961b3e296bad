"""The chat's per-minute sweep: rings that ran out move on, idle chats end, the line is offered again.

It reads only the sparse due index (live conversations' next deadline): work proportional to what is due.
A customer's ping moves a ring on sooner; this is the safety net when nobody pings.
"""

from __future__ import annotations

from typing import Any

from chalicelib.chat.ring import ChatRouter
from chalicelib.chat.service import ChatService
from chalicelib.core.errors import Conflict
from chalicelib.domain.chat import ConversationState, Side

BATCH = 100


def sweep(chat: ChatService, router: ChatRouter) -> dict[str, Any]:
    now = chat.clock()
    rung_out = ended = 0
    for conversation_id in chat.repo.due_conversations(now, BATCH):
        conversation = chat.repo.get_conversation(conversation_id, consistent=True)
        try:
            if conversation.state is ConversationState.RINGING:
                router.ring_out(conversation)
                rung_out += 1
            elif conversation.state.live and conversation.due_at and conversation.due_at <= now:
                chat.end(conversation, Side.SYSTEM, "inactivity")
                ended += 1
        except Conflict:
            continue  # changed meanwhile: the next sweep reads it again
    return {"rung_out": rung_out, "ended": ended, "offered": router.drain()}
