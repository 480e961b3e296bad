"""Pydantic models of the webhook routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
)

from chalicelib.domain.people import Webhook
from chalicelib.http.schemas import In, Out

PORT = r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# http(s), a host name or IPv4 address, an optional port, then anything without white space.
WEBHOOK_URL = rf"^https?://[A-Za-z0-9.-]+(:{PORT})?([/?#][^\s\x1c-\x1f]*)?$"


class WebhookIn(In):
    url: Annotated[str, StringConstraints(pattern=WEBHOOK_URL, max_length=2000)]
    events: list[Annotated[str, StringConstraints(pattern=r"^(\*|[a-z_]+\.[a-z_*]+)$")]] = Field(min_length=1)


class WebhookOut(Out):
    id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, w: Webhook) -> WebhookOut:
        return cls.model_validate(w)


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="HMAC-SHA256 key for the X-Lambdesk-Signature header; shown once.")


class WebhookListOut(Out):
    items: list[WebhookOut]
