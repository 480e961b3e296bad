"""Agent API: webhooks (admins)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Result, Routes

if TYPE_CHECKING:
    from chalicelib.people.directory import DirectoryService
    from chalicelib.webhooks import schemas
else:
    schemas = lazy_module("chalicelib.webhooks.schemas")


@dataclass(frozen=True)
class Needs:
    directory: DirectoryService
    signing_key: bytes
    # This container's webhook consumer reads the list again (others within their cache time).
    changed: Callable[[], None] = lambda: None


deps: Provider[Needs] = Provider("webhooks.routes")
routes = Routes(__name__, "chalicelib.webhooks.schemas", tag="admin")
bp = routes.bp


@routes(
    "/v1/webhooks",
    "POST",
    summary="Subscribe a URL to ticket events (secret shown once)",
    body="WebhookIn",
    response="WebhookCreatedOut",
    status=201,
    admin=True,
)
def create_webhook(call: Call) -> schemas.WebhookCreatedOut:
    data: schemas.WebhookIn = call.body
    from chalicelib.core.signing import webhook_secret

    needs = deps()
    webhook = needs.directory.create_webhook(data.url, data.events, call.principal.agent.id)
    needs.changed()
    secret = webhook_secret(needs.signing_key, webhook.id)
    return schemas.WebhookCreatedOut(**schemas.WebhookOut.of(webhook).model_dump(), secret=secret)


@routes("/v1/webhooks", "GET", summary="List webhooks", response="WebhookListOut", admin=True)
def list_webhooks(call: Call) -> schemas.WebhookListOut:
    return schemas.WebhookListOut(items=[schemas.WebhookOut.of(w) for w in deps().directory.list_webhooks()])


@routes("/v1/webhooks/{webhook_id}", "DELETE", summary="Delete a webhook", status=204, admin=True)
def delete_webhook(call: Call, webhook_id: str) -> Result:
    needs = deps()
    needs.directory.delete_webhook(webhook_id)
    needs.changed()
    return Result(None, 204)
