"""The frame protocol (JSON over the socket): what clients may send, what the server sends back. Pure.

Client -> server: ``send`` (conversation, client_id, body), ``resume`` (conversation, since), ``typing``
(conversation), ``ping``; agents also ``accept`` and both sides ``end`` (conversation).
Server -> client: ``ack`` (client_id, seq), ``message``, ``typing``, ``status``, ``queue`` (position), ``pong``,
``error`` (code, field, message). API Gateway refuses frames over 32 KB: bodies are capped well below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import FieldProblem, InvalidInput

# API Gateway's WebSocket frame limit is 32 KB; a message frame carries the body plus ~200 bytes.
MAX_FRAME_BYTES = 32 * 1024
MAX_BODY_CHARS = 4000  # up to 4 bytes each in UTF-8: 16 KB, and JSON escapes stay under the frame limit
CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
CONVERSATION_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
ACTIONS = ("send", "resume", "typing", "ping", "accept", "end")


@dataclass(frozen=True)
class Frame:
    action: str
    conversation: str | None = None
    client_id: str | None = None
    body: str | None = None
    since: int = 0


class FrameError(InvalidInput):
    """A frame that cannot be acted on; the ``error`` frame names the field."""


def parse(raw: str | bytes | None) -> Frame:
    data = _json(raw)
    action = data.get("action")
    if action not in ACTIONS:
        raise FrameError(f"one of {', '.join(ACTIONS)}", "action")
    if action == "ping":
        return Frame("ping")
    conversation = data.get("conversation")
    if not isinstance(conversation, str) or not CONVERSATION_ID.match(conversation):
        raise FrameError("a conversation id", "conversation")
    if action == "send":
        return Frame("send", conversation, _client_id(data.get("client_id")), _body(data.get("body")))
    if action == "resume":
        since = data.get("since", 0)
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            raise FrameError("a sequence number (0 or more)", "since")
        return Frame("resume", conversation, since=since)
    return Frame(str(action), conversation)


def _json(raw: str | bytes | None) -> dict[str, Any]:
    if raw is None:
        raise FrameError("an empty frame", "frame")
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode())
    if size > MAX_FRAME_BYTES:
        raise FrameError(f"frames are at most {MAX_FRAME_BYTES} bytes", "frame")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameError("not JSON", "frame") from exc
    if not isinstance(data, dict):
        raise FrameError("a JSON object", "frame")
    return data


def _client_id(value: Any) -> str:
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise FrameError("8 to 64 letters, digits or dashes (a UUID)", "client_id")
    return value


def _body(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FrameError("the message text", "body")
    if len(value) > MAX_BODY_CHARS:
        raise FrameError(f"at most {MAX_BODY_CHARS} characters", "body")
    if any(ord(c) < 32 and c not in "\t\r\n" for c in value):
        raise FrameError("text without control characters", "body")
    return value.strip()


def error(exc: InvalidInput, code: str = "invalid_frame") -> dict[str, Any]:
    problem = exc.problems[0] if exc.problems else FieldProblem("frame", exc.message)
    return {"type": "error", "code": code, "field": problem.field, "message": problem.message}


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
