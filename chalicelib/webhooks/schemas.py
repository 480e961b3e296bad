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


class WebhookIn(In):
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2000)]
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
