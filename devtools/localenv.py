"""The environment of a local stack: endpoints, names and development keys.

The stack writes it to ``.local/stack.json`` when it starts, so the ``lambdesk`` command (and tests) can
talk to the same moto server and mint tokens with the same key.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chalicelib.core.resources import Names

ROOT = Path(__file__).resolve().parent.parent
# Tests run a second stack beside a developer's and point this elsewhere.
STATE_FILE = Path(os.environ.get("LAMBDESK_LOCAL_STATE", ROOT / ".local" / "stack.json"))
ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
# Local only (never deployed): a queue subscribed to the ops topic with raw delivery, where developers and
# e2e tests read what operations would get. No function consumes it, so the worker leaves it alone.
OPS_INBOX = "ops-inbox"


class NoStack(LookupError):
    """No local stack has written its state: nothing to talk to."""


@dataclass
class LocalEnv:
    stage: str = "local"
    moto_port: int = 5050
    api_port: int = 8000
    smtp_port: int = 2525
    ws_port: int = 8001
    host: str = "127.0.0.1"
    dev_signing_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    signing_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    support_domain: str = "support.lambdesk.local"
    # The zone whose days the reports are kept in (decision 060).
    report_time_zone: str = "UTC"

    @property
    def names(self) -> Names:
        return Names(self.stage)

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def ws_url(self) -> str:
        """The chat's WebSocket bridge (``devtools/ws_bridge.py``); its Management API is on the next port."""
        return f"ws://{self.host}:{self.ws_port}"

    @property
    def ws_management_url(self) -> str:
        return f"http://{self.host}:{self.ws_port + 1}"

    @property
    def support_address(self) -> str:
        return f"help@{self.support_domain}"

    @property
    def bucket(self) -> str:
        return f"{self.names.mail_bucket_prefix}-local"

    @property
    def inbound_topic_arn(self) -> str:
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{self.names.inbound_topic}"

    @property
    def events_topic_arn(self) -> str:
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{self.names.events_topic}"

    @property
    def ops_topic_arn(self) -> str:
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{self.names.ops_topic}"

    @property
    def relay_dead_letter_url(self) -> str:
        return f"{self.moto_url}/{ACCOUNT}/{self.names.relay_dlq}"

    @property
    def outbound_queue_url(self) -> str:
        return f"{self.moto_url}/{ACCOUNT}/{self.names.queue('outbound')}"

    @property
    def portal_url(self) -> str:
        """The portal's base URL: links in the mail the stack sends start with it."""
        return self.api_url

    @property
    def ops_inbox_queue(self) -> str:
        return self.names.queue(OPS_INBOX)

    def environ(self) -> dict[str, str]:
        """What the app reads (``chalicelib.core.settings_model.Settings``) plus the SDK's endpoint and credentials."""
        return {
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "LAMBDESK_STAGE": self.stage,
            "LAMBDESK_AUTH_MODE": "dev",
            "LAMBDESK_DEV_SIGNING_KEY": self.dev_signing_key,
            "LAMBDESK_SIGNING_KEY": self.signing_key,
            "LAMBDESK_EVENTS_TOPIC_ARN": self.events_topic_arn,
            "LAMBDESK_RELAY_DEAD_LETTER_URL": self.relay_dead_letter_url,
            "LAMBDESK_OPS_TOPIC_ARN": self.ops_topic_arn,
            "LAMBDESK_WEBHOOKS_ALLOW_PRIVATE": "true",
            "LAMBDESK_WEB_PLAIN_HTTP": "true",
            "LAMBDESK_WEB_CONNECT_ORIGINS": self.ws_url,
            "LAMBDESK_CHAT_WS_URL": self.ws_url,
            "LAMBDESK_CHAT_MANAGEMENT_URL": self.ws_management_url,
            "LAMBDESK_CHAT_ALLOWED_ORIGINS": f"{self.api_url} http://localhost:{self.api_port}",
            "LAMBDESK_SUPPORT_DOMAIN": self.support_domain,
            "LAMBDESK_SUPPORT_ADDRESS": self.support_address,
            "LAMBDESK_MAIL_BUCKET": self.bucket,
            "LAMBDESK_PORTAL_URL": self.portal_url,
            "LAMBDESK_OUTBOUND_QUEUE_URL": self.outbound_queue_url,
            "LAMBDESK_REPORT_TIME_ZONE": self.report_time_zone,
            "POWERTOOLS_METRICS_NAMESPACE": "Lambdesk",
            "POWERTOOLS_DEV": "false",
        }

    def apply(self) -> None:
        os.environ.update(self.environ())

    def save(self, path: Path | None = None) -> None:
        path = path or STATE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path | None = None) -> LocalEnv:
        path = path or STATE_FILE
        if not path.exists():
            raise NoStack(f"no local stack state at {path}: start it with 'make run'")
        return cls(**json.loads(path.read_text()))
