"""Attachments of agents' replies: uploaded straight to S3 by presigned POST, then named in the reply.

``start`` gives an agent an upload of one file: a key of their own (``attachments/uploads/<agent>/<upload>/<name>``,
the upload id random), and a policy that S3 enforces: exactly that key, that content type, 1 byte up to the
attachment limit. No agent can write another's key: the key is in the signed policy. ``resolve`` checks what a
reply names: the key is one of the caller's uploads, the object exists and is within the limits. The reply's
entry lists the attachments (``data.attachments``), which the outbound mail attaches and the timeline serves by
presigned URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core.clock import Clock
from chalicelib.core.errors import InvalidInput, NotFound, TooLarge
from chalicelib.core.ids import new_id
from chalicelib.core.resources import AGENT_UPLOAD_PREFIX
from chalicelib.storage.objects import MissingObject, ObjectStore

UPLOAD_SECONDS = 900
MAX_PER_REPLY = 10
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    key: str
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


def safe_name(filename: str) -> str:
    """The file name as it goes into the key: letters, digits, ``._-``; never empty, never a path."""
    name = _UNSAFE.sub("_", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("._") or "attachment"
    return name[-100:]


def owner_prefix(agent_id: str) -> str:
    return f"{AGENT_UPLOAD_PREFIX}{agent_id}/"


class Uploads:
    def __init__(self, store: ObjectStore, bucket: str, max_bytes: int, clock: Clock) -> None:
        self.store = store
        self.bucket = bucket
        self.max_bytes = max_bytes
        self.clock = clock

    def start(self, agent_id: str, filename: str, content_type: str, size: int) -> Upload:
        if size > self.max_bytes:
            raise TooLarge(f"an attachment is at most {self.max_bytes} bytes", "size")
        key = f"{owner_prefix(agent_id)}{new_id()}/{safe_name(filename)}"
        post = self.store.presign_post(self.bucket, key, content_type, self.max_bytes, UPLOAD_SECONDS)
        expires = self.clock() + timedelta(seconds=UPLOAD_SECONDS)
        return Upload(key, post.url, post.fields, expires, self.max_bytes)

    def resolve(self, agent_id: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        """What the reply's entry records for each uploaded file (``key``, ``filename``, ``content_type``,
        ``size``); 400 naming ``attachments[i]`` for a key that is not the caller's upload or not uploaded."""
        if len(keys) > MAX_PER_REPLY:
            raise InvalidInput(f"at most {MAX_PER_REPLY} attachments per reply", "attachments")
        files, total = [], 0
        for n, key in enumerate(dict.fromkeys(keys)):
            where = f"attachments[{n}]"
            # Another agent's key, or one nothing was uploaded under, names no upload of the caller's: 404.
            if not key.startswith(owner_prefix(agent_id)) or ".." in key.split("/"):
                raise NotFound(f"upload ({where})", key)
            try:
                info = self.store.head(self.bucket, key)
            except MissingObject:
                raise NotFound(f"upload ({where})", key) from None
            total += info.size
            files.append(
                {"key": key, "filename": key.rsplit("/", 1)[-1], "content_type": info.content_type, "size": info.size}
            )
        if total > self.max_bytes:
            raise TooLarge(f"a reply's attachments are at most {self.max_bytes} bytes together", "attachments")
        return files
