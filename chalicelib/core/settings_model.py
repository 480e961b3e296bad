"""The settings model. Import it through ``chalicelib.core.settings``, which loads it at first use.

A plain pydantic model that reads the environment itself, as pydantic-settings did (``LAMBDESK_`` + the field's
name, or the field's alias without prefix; names case-insensitive; keyword arguments win over the
environment): pydantic-settings cost ~33 ms of every cold start's first request (docs/decisions/006-cold-start.md).
"""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chalicelib.core.limits import check_time_zone
from chalicelib.core.resources import Names

ENV_PREFIX = "LAMBDESK_"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = Field("dev", pattern=r"^[a-z][a-z0-9-]{0,20}$")
    region: str = Field("us-east-1", validation_alias="AWS_REGION")
    # Set only for the local stack and tests (moto server); in AWS the SDK finds the endpoints.
    aws_endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")

    table_name: str | None = None
    events_topic_arn: str | None = None
    # The relay parks events SNS refuses for good here (a queue URL), and the stream moves on.
    relay_dead_letter_url: str | None = None
    # SLA warnings and breaches are published here for operations and chat integrations (optional).
    ops_topic_arn: str | None = None
    # SLA warnings fire at this fraction of each target (default 75 %).
    sla_warn_fraction: float = Field(0.75, gt=0, le=1)
    # Reports keep one item per day of this zone (docs/decisions/060-reports.md); queries in a zone whose days
    # start at other instants are refused.
    report_time_zone: Annotated[str, AfterValidator(check_time_zone)] = Field("UTC", min_length=1, max_length=64)
    # The Firehose stream that takes every metric fact into the data lake (S3, Parquet, Athena); unset: none.
    lake_stream: str | None = Field(None, pattern=r"^[a-zA-Z0-9_.-]{1,64}$")

    # Authentication. ``cognito``: RS256 JWTs from the user pool, checked against its JWKS.
    # ``dev``: HS256 JWTs signed with ``dev_signing_key``; refused in the prod stage.
    auth_mode: Literal["cognito", "dev"] = "cognito"
    cognito_user_pool_id: str | None = None
    cognito_client_id: str | None = None
    dev_signing_key: str | None = Field(None, min_length=32)

    # HMAC key for cursors, signed links and reply addresses: the value itself (local stack, tests)
    # or the name of an SSM SecureString parameter holding it (AWS), read at first use and cached.
    signing_key: str | None = Field(None, min_length=32)
    signing_key_parameter: str | None = None

    # Email. Mail to any address at the support domain reaches the desk; replies go out from
    # ``support_address`` with a per-ticket signed Reply-To (``<local>+<token>@<domain>``).
    support_domain: str = Field("support.example.com", pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    support_address: str = "help@support.example.com"
    support_name: str = "Lambdesk Support"
    mail_bucket: str | None = None
    ses_configuration_set: str | None = None
    # Largest attachment kept (bytes); larger ones are listed but not stored.
    max_attachment_bytes: int = Field(25 * 1024 * 1024, gt=0)

    # How often a function that searches the knowledge base asks whether a newer index was built (seconds):
    # a publish is searchable within the build time plus this. Default 30; 1 in the local stack's stage.
    kb_pointer_seconds: float | None = Field(None, ge=0, le=300)
    # How many articles the acknowledgement mail of a new ticket offers, each with a "this solved it" link
    # (0: none). Needs the portal URL.
    kb_ack_articles: int = Field(3, ge=0, le=3)

    tracing: bool = False
    log_level: str = "INFO"
    webhook_timeout_seconds: float = Field(5.0, gt=0, le=30)
    # Webhooks to private or loopback addresses are refused unless allowed (the local stack allows them).
    webhooks_allow_private: bool = False

    # Web pages. The local stack serves them over plain http: cookies then lose ``Secure`` (and with it the
    # ``__Host-`` prefix, which browsers accept only on Secure cookies) and no HSTS header is sent.
    web_plain_http: bool = False
    # Origins besides 'self' that pages may connect to (CSP connect-src), e.g. the chat's wss:// origin.
    web_connect_origins: str = Field("", pattern=r"^((wss?|https)://[A-Za-z0-9.-]+(:[0-9]{1,5})?( |$))*$")

    # The customer portal's public base URL: ticket links, sign-in links and survey links in mail start with it
    # (locally http://127.0.0.1:8000; in AWS the API's URL with its stage, or a custom domain). Unset, mail
    # carries no portal links, no survey is sent, and pages derive the URL from the request.
    portal_url: str | None = Field(None, pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*/?$")
    # The queue the portal's sign-in mail goes through (the outbound mail queue, with its DLQ).
    outbound_queue_url: str | None = None
    # The largest file a customer may attach in the portal (bytes).
    portal_max_upload_bytes: int = Field(10 * 1024 * 1024, gt=0, le=100 * 1024 * 1024)
    # Live chat (docs/decisions/043-chat.md). The socket URL clients open (wss://...; the local bridge: ws://),
    # the API Gateway Management API endpoint that sends to sockets (https://<api>.execute-api.../<stage>; the
    # local bridge serves the same API), and the page origins a socket may be opened from (besides the site's).
    chat_ws_url: str = ""
    chat_management_url: str | None = None
    chat_allowed_origins: str = Field("", pattern=r"^((https?)://[A-Za-z0-9.-]+(:[0-9]{1,5})?( |$))*$")
    chat_ring_seconds: int = Field(30, ge=5, le=300)
    chat_presence_seconds: int = Field(120, ge=30, le=900)
    chat_queue_limit: int = Field(20, ge=0, le=500)
    chat_inactivity_minutes: int = Field(30, ge=1, le=24 * 60)
    # Chats an agent holds at once (never more than their ticket capacity).
    chat_capacity: int = Field(3, ge=1, le=20)

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        """The environment's values under the keyword arguments (``data``)."""
        if not isinstance(data, dict):
            return data
        environment = {key.lower(): value for key, value in os.environ.items()}
        merged: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            key = alias if isinstance(alias, str) else ENV_PREFIX + name
            if key.lower() in environment:
                merged[alias if isinstance(alias, str) else name] = environment[key.lower()]
        return merged | data

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.auth_mode == "dev":
            if self.stage == "prod":
                raise ValueError("auth_mode 'dev' is not allowed in the prod stage")
            if not self.dev_signing_key:
                raise ValueError("auth_mode 'dev' needs LAMBDESK_DEV_SIGNING_KEY (32+ characters)")
        elif not (self.cognito_user_pool_id and self.cognito_client_id):
            raise ValueError("auth_mode 'cognito' needs LAMBDESK_COGNITO_USER_POOL_ID and LAMBDESK_COGNITO_CLIENT_ID")
        if not (self.signing_key or self.signing_key_parameter):
            raise ValueError("set LAMBDESK_SIGNING_KEY or LAMBDESK_SIGNING_KEY_PARAMETER")
        return self

    @property
    def kb_pointer_interval(self) -> float:
        if self.kb_pointer_seconds is not None:
            return self.kb_pointer_seconds
        return 1.0 if self.stage == "local" else 30.0

    @property
    def names(self) -> Names:
        return Names(self.stage)

    @property
    def table(self) -> str:
        return self.table_name or self.names.table

    @property
    def bucket(self) -> str:
        return self.mail_bucket or f"{self.names.mail_bucket_prefix}-local"

    @property
    def portal_base(self) -> str | None:
        """``portal_url`` without a trailing slash (paths such as ``/portal/t/...`` are appended to it)."""
        return self.portal_url.rstrip("/") if self.portal_url else None

    @property
    def cognito_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.cognito_user_pool_id}"
