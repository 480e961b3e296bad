"""The settings model. Import it through ``chalicelib.core.settings``, which loads it at first use.

A plain class, no pydantic: importing pydantic and building a 50-field model cost ~40 ms of every cold start's
first answer (docs/decisions/006-cold-start.md). Each field is declared once, with its default and its rules
(``setting(...)``). The environment is read as pydantic-settings read it: ``LAMBDESK_`` + the field's name, or
the field's alias without prefix; names case-insensitive; keyword arguments (by name, or by alias for a field
that has one) win over the environment; unknown keyword arguments are ignored. Values from the environment are
converted to the field's type (``true``/``yes``/``1``, ``5``, ``0.5``); anything invalid raises
``SettingsError`` naming every variable at fault.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, Literal

from chalicelib.core.limits import check_time_zone
from chalicelib.core.resources import Names
from chalicelib.core.settings import ENV_PREFIX, SettingsError

_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


class Setting:
    """One field: its default, type and rules (the same rules the pydantic model had)."""

    __slots__ = ("alias", "bounds", "check", "choices", "default", "kind", "lengths", "name", "optional", "pattern")

    def __init__(
        self,
        default: Any,
        kind: type | None,
        alias: str | None,
        choices: tuple[str, ...],
        pattern: str | None,
        bounds: tuple[float | None, float | None, float | None, float | None],
        lengths: tuple[int | None, int | None],
        check: Callable[[str], str] | None,
    ) -> None:
        self.name = ""
        self.default = default
        self.kind: type = kind or type(default)
        self.optional = default is None
        self.alias = alias
        self.choices = choices
        self.pattern = pattern
        self.bounds = bounds  # gt, ge, lt, le
        self.lengths = lengths  # min, max
        self.check = check

    @property
    def variable(self) -> str:
        """The environment variable that sets this field."""
        return self.alias or ENV_PREFIX + self.name.upper()

    def parse(self, value: Any) -> Any:
        """The field's value from ``value`` (a keyword argument or an environment string); ValueError if invalid."""
        if value is None:
            if self.optional:
                return None
            raise ValueError(f"Input should be a valid {_NAMES[self.kind]}")
        value = _convert(self.kind, value)
        if self.choices and value not in self.choices:
            raise ValueError("Input should be " + " or ".join(repr(c) for c in self.choices))
        if isinstance(value, str):
            self._check_text(value)
        elif self.kind is not bool:
            self._check_number(value)
        return self.check(value) if self.check else value

    def _check_text(self, value: str) -> None:
        low, high = self.lengths
        if low is not None and len(value) < low:
            raise ValueError(f"String should have at least {low} character{'s' if low != 1 else ''}")
        if high is not None and len(value) > high:
            raise ValueError(f"String should have at most {high} characters")
        if self.pattern is not None and not re.search(self.pattern, value):
            raise ValueError(f"String should match pattern '{self.pattern}'")

    def _check_number(self, value: float) -> None:
        gt, ge, lt, le = self.bounds
        if gt is not None and not value > gt:
            raise ValueError(f"Input should be greater than {gt}")
        if ge is not None and not value >= ge:
            raise ValueError(f"Input should be greater than or equal to {ge}")
        if lt is not None and not value < lt:
            raise ValueError(f"Input should be less than {lt}")
        if le is not None and not value <= le:
            raise ValueError(f"Input should be less than or equal to {le}")


_NAMES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _convert(kind: type, value: Any) -> Any:
    if kind is str:
        if not isinstance(value, str):
            raise ValueError("Input should be a valid string")
        return value
    if kind is bool:
        return _boolean(value)
    if kind is int:
        if isinstance(value, int):
            return int(value)
        try:
            return int(value.strip()) if isinstance(value, str) else _whole(value)
        except (ValueError, TypeError):
            raise ValueError("Input should be a valid integer, unable to parse string as an integer") from None
    if isinstance(value, bool):
        raise ValueError("Input should be a valid number")
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        raise ValueError("Input should be a valid number, unable to parse string as a number") from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError("Input should be a valid boolean, unable to interpret input")


def _whole(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(value)


def setting(
    default: Any,
    *,
    kind: type | None = None,
    alias: str | None = None,
    choices: tuple[str, ...] = (),
    pattern: str | None = None,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    check: Callable[[str], str] | None = None,
) -> Any:
    """Declare a field in ``Settings``' body (typed ``Any`` so that ``stage: str = setting("dev")`` checks)."""
    return Setting(default, kind, alias, choices, pattern, (gt, ge, lt, le), (min_length, max_length), check)


class Settings:
    """What a deployment is configured with. Immutable; ``replace(**changes)`` gives a changed copy."""

    FIELDS: dict[str, Setting]

    stage: str = setting("dev", pattern=r"^[a-z][a-z0-9-]{0,20}$")
    region: str = setting("us-east-1", alias="AWS_REGION")
    # Set only for the local stack and tests (moto server); in AWS the SDK finds the endpoints.
    aws_endpoint_url: str | None = setting(None, kind=str, alias="AWS_ENDPOINT_URL")

    table_name: str | None = setting(None, kind=str)
    events_topic_arn: str | None = setting(None, kind=str)
    # The relay parks events SNS refuses for good here (a queue URL), and the stream moves on.
    relay_dead_letter_url: str | None = setting(None, kind=str)
    # SLA warnings and breaches are published here for operations and chat integrations (optional).
    ops_topic_arn: str | None = setting(None, kind=str)
    # SLA warnings fire at this fraction of each target (default 75 %).
    sla_warn_fraction: float = setting(0.75, gt=0, le=1)
    # Reports keep one item per day of this zone (docs/decisions/060-reports.md); queries in a zone whose days
    # start at other instants are refused.
    report_time_zone: str = setting("UTC", min_length=1, max_length=64, check=check_time_zone)
    # The Firehose stream that takes every metric fact into the data lake (S3, Parquet, Athena); unset: none.
    lake_stream: str | None = setting(None, kind=str, pattern=r"^[a-zA-Z0-9_.-]{1,64}$")

    # Authentication. ``cognito``: RS256 JWTs from the user pool, checked against its JWKS.
    # ``dev``: HS256 JWTs signed with ``dev_signing_key``; refused in the prod stage.
    auth_mode: Literal["cognito", "dev"] = setting("cognito", choices=("cognito", "dev"))
    cognito_user_pool_id: str | None = setting(None, kind=str)
    cognito_client_id: str | None = setting(None, kind=str)
    dev_signing_key: str | None = setting(None, kind=str, min_length=32)

    # HMAC key for cursors, signed links and reply addresses: the value itself (local stack, tests)
    # or the name of an SSM SecureString parameter holding it (AWS), read at first use and cached.
    signing_key: str | None = setting(None, kind=str, min_length=32)
    signing_key_parameter: str | None = setting(None, kind=str)

    # Email. Mail to any address at the support domain reaches the desk; replies go out from
    # ``support_address`` with a per-ticket signed Reply-To (``<local>+<token>@<domain>``).
    support_domain: str = setting("support.example.com", pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    support_address: str = setting("help@support.example.com")
    support_name: str = setting("Lambdesk Support")
    mail_bucket: str | None = setting(None, kind=str)
    ses_configuration_set: str | None = setting(None, kind=str)
    # Largest attachment kept (bytes); larger ones are listed but not stored.
    max_attachment_bytes: int = setting(25 * 1024 * 1024, gt=0)

    # How often a function that searches the knowledge base asks whether a newer index was built (seconds):
    # a publish is searchable within the build time plus this. Default 30; 1 in the local stack's stage.
    kb_pointer_seconds: float | None = setting(None, kind=float, ge=0, le=300)
    # How many articles the acknowledgement mail of a new ticket offers, each with a "this solved it" link
    # (0: none). Needs the portal URL.
    kb_ack_articles: int = setting(3, ge=0, le=3)

    tracing: bool = setting(False)
    log_level: str = setting("INFO")
    webhook_timeout_seconds: float = setting(5.0, gt=0, le=30)
    # Webhooks to private or loopback addresses are refused unless allowed (the local stack allows them).
    webhooks_allow_private: bool = setting(False)

    # Web pages. The local stack serves them over plain http: cookies then lose ``Secure`` (and with it the
    # ``__Host-`` prefix, which browsers accept only on Secure cookies) and no HSTS header is sent.
    web_plain_http: bool = setting(False)
    # Origins besides 'self' that pages may connect to (CSP connect-src), e.g. the chat's wss:// origin.
    web_connect_origins: str = setting("", pattern=r"^((wss?|https)://[A-Za-z0-9.-]+(:[0-9]{1,5})?( |$))*$")

    # The customer portal's public base URL: ticket links, sign-in links and survey links in mail start with it
    # (locally http://127.0.0.1:8000; in AWS the API's URL with its stage, or a custom domain). Unset, mail
    # carries no portal links, no survey is sent, and pages derive the URL from the request.
    portal_url: str | None = setting(
        None, kind=str, pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*/?$"
    )
    # The queue the portal's sign-in mail goes through (the outbound mail queue, with its DLQ).
    outbound_queue_url: str | None = setting(None, kind=str)
    # The largest file a customer may attach in the portal (bytes).
    portal_max_upload_bytes: int = setting(10 * 1024 * 1024, gt=0, le=100 * 1024 * 1024)
    # Live chat (docs/decisions/043-chat.md). The socket URL clients open (wss://...; the local bridge: ws://),
    # the API Gateway Management API endpoint that sends to sockets (https://<api>.execute-api.../<stage>; the
    # local bridge serves the same API), and the page origins a socket may be opened from (besides the site's).
    chat_ws_url: str = setting("")
    chat_management_url: str | None = setting(None, kind=str)
    chat_allowed_origins: str = setting("", pattern=r"^((https?)://[A-Za-z0-9.-]+(:[0-9]{1,5})?( |$))*$")
    chat_ring_seconds: int = setting(30, ge=5, le=300)
    chat_presence_seconds: int = setting(120, ge=30, le=900)
    chat_queue_limit: int = setting(20, ge=0, le=500)
    chat_inactivity_minutes: int = setting(30, ge=1, le=24 * 60)
    # Chats an agent holds at once (never more than their ticket capacity).
    chat_capacity: int = setting(3, ge=1, le=20)

    def __init__(self, **given: Any) -> None:
        environment = {key.lower(): value for key, value in os.environ.items()}
        problems: list[str] = []
        for name, field in self.FIELDS.items():
            key = field.alias or name
            if key in given:
                raw = given[key]
            elif field.variable.lower() in environment:
                raw = environment[field.variable.lower()]
            else:
                object.__setattr__(self, name, field.default)
                continue
            try:
                object.__setattr__(self, name, field.parse(raw))
            except ValueError as exc:
                problems.append(f"{field.variable}: {exc}")
        if not problems:
            problems = self._inconsistencies()
        if problems:
            raise SettingsError("invalid Lambdesk settings: " + "; ".join(problems))

    def _inconsistencies(self) -> list[str]:
        if self.auth_mode == "dev":
            if self.stage == "prod":
                return ["auth_mode 'dev' is not allowed in the prod stage"]
            if not self.dev_signing_key:
                return ["auth_mode 'dev' needs LAMBDESK_DEV_SIGNING_KEY (32+ characters)"]
        elif not (self.cognito_user_pool_id and self.cognito_client_id):
            return ["auth_mode 'cognito' needs LAMBDESK_COGNITO_USER_POOL_ID and LAMBDESK_COGNITO_CLIENT_ID"]
        if not (self.signing_key or self.signing_key_parameter):
            return ["set LAMBDESK_SIGNING_KEY or LAMBDESK_SIGNING_KEY_PARAMETER"]
        return []

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (by field name), checked as a new instance is."""
        values = {(field.alias or name): getattr(self, name) for name, field in self.FIELDS.items()}
        unknown = set(changes) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"no such settings: {', '.join(sorted(unknown))}")
        values |= {(self.FIELDS[name].alias or name): value for name, value in changes.items()}
        return Settings(**values)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"settings are immutable (use replace(): {name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"settings are immutable ({name})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.as_dict().values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.as_dict().items() if "key" not in name)
        return f"Settings({shown})"

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


def _collect(cls: type[Settings]) -> dict[str, Setting]:
    """The class body's ``setting(...)`` declarations, in order, taken off the class (instances hold values)."""
    fields: dict[str, Setting] = {}
    for name, value in list(vars(cls).items()):
        if isinstance(value, Setting):
            value.name = name
            fields[name] = value
            delattr(cls, name)
    return fields


Settings.FIELDS = _collect(Settings)
