"""Webhook delivery: a consumer of the events queue.

Each event goes to every active webhook subscribed to its type, POSTed as JSON with an HMAC-SHA256
signature (``X-Lambdesk-Signature: t=<unix time>,v1=<hex of HMAC(secret, "<t>.<body>")>``). A failed
delivery fails the queue record: SQS retries it with back-off and, after the receive limit, moves it to the
dead-letter queue. Deliveries already made are recorded, so a retry or a redelivered message does not
POST them again (receivers also get the event id to dedupe the rare repeat).

The list of webhooks is read once per container every ``cache_seconds`` (like the configuration documents):
one Query per event was a third of the DynamoDB requests this consumer made; a new, changed or deleted webhook
takes effect within that time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chalicelib.domain.people import Webhook
from chalicelib.events.envelope import matches
from chalicelib.storage.ports import DirectoryRepository

DELIVERY_RECORD_SECONDS = 7 * 24 * 3600
USER_AGENT = "Lambdesk-Webhooks/1"


class DeliveryFailed(Exception):
    """The receiver did not accept the event; the queue will retry it."""


@dataclass(frozen=True)
class Delivery:
    webhook_id: str
    status: int | None
    outcome: str  # delivered, duplicate, refused


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def is_private_target(url: str) -> bool:
    """True when the URL's host resolves to a loopback, private or link-local address (SSRF guard)."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            return True
    return False


class WebhookDispatcher:
    def __init__(
        self,
        directory: DirectoryRepository,
        signing_key: bytes,
        timeout_seconds: float,
        allow_private: bool,
        http: Any = None,
        cache_seconds: float = 30.0,
    ) -> None:
        import urllib3

        self.directory = directory
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, list[Webhook]] | None = None
        self.signing_key = signing_key
        self.allow_private = allow_private
        self.http = http or urllib3.PoolManager(timeout=urllib3.Timeout(total=timeout_seconds), retries=False)

    def deliver(self, event: dict[str, Any]) -> list[Delivery]:
        """Deliver one event to every subscribed webhook; raise DeliveryFailed if any must be retried."""
        from chalicelib.core.signing import webhook_secret

        results: list[Delivery] = []
        failures: list[str] = []
        # ``report`` is the reports consumer's chain (domain/report_chain.py): internal, not part of the payload.
        public = {k: v for k, v in event.items() if k != "report"}
        body = json.dumps(public, separators=(",", ":"), sort_keys=True).encode()
        for webhook in self._subscribers(event["type"]):
            if self.directory.was_delivered(webhook.id, event["id"]):
                results.append(Delivery(webhook.id, None, "duplicate"))
                continue
            if not self.allow_private and is_private_target(webhook.url):
                # Permanent: retrying cannot help, and the address must never be called.
                results.append(Delivery(webhook.id, None, "refused"))
                continue
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Lambdesk-Event": event["type"],
                "X-Lambdesk-Event-Id": event["id"],
                "X-Lambdesk-Signature": signature(webhook_secret(self.signing_key, webhook.id), timestamp, body),
            }
            status = self._post(webhook.url, body, headers)
            if status is not None and 200 <= status < 300:
                self.directory.mark_delivered(webhook.id, event["id"], DELIVERY_RECORD_SECONDS)
                results.append(Delivery(webhook.id, status, "delivered"))
            else:
                failures.append(f"{webhook.id}: {status or 'no response'}")
        if failures:
            raise DeliveryFailed(f"event {event['id']} not accepted by " + ", ".join(failures))
        return results

    def _subscribers(self, event_type: str) -> list[Webhook]:
        return [w for w in self._webhooks() if w.active and matches(event_type, w.events)]

    def _webhooks(self) -> list[Webhook]:
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] >= self.cache_seconds:
            self._cached = (now, list(self.directory.list_webhooks()))
        return self._cached[1]

    def forget(self) -> None:
        """Read the webhooks again at the next event (this container changed them)."""
        self._cached = None

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int | None:
        import urllib3

        try:
            response = self.http.request("POST", url, body=body, headers=headers, redirect=False)
        except urllib3.exceptions.HTTPError:
            return None
        return int(response.status)
