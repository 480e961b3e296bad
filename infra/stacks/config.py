"""Stage parameters: ``infra/config/<stage>.json``, overridden by CDK context (``-c key=value``).

Everything a deployment may differ in lives here, validated once, so that the constructs read typed
values and a typo fails the synth with a message that names the key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from aws_cdk.aws_logs import RetentionDays
from constructs import Node

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,20}$")  # the same rule as chalicelib.core.settings
DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ADDRESS_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]+@([a-z0-9-]+\.)+[a-z]{2,63}$")
# Keys a stage file may leave out (added after stages existed), with their defaults.
OPTIONAL: dict[str, Any] = {
    "ops_email": None,
    # The portal's public base URL (a custom domain); unset, the REST API's own URL with its stage.
    "portal_url": None,
    # The chat's sockets: page origins besides the portal's own, and the WebSocket stage's throttling.
    "chat_allowed_origins": [],
    "chat_throttle_rate": 50,
    "chat_throttle_burst": 100,
    # The IANA zone whose days the reports are kept in (docs/decisions/060-reports.md).
    "report_time_zone": "UTC",
}
URL_PATTERN = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,63}(/[A-Za-z0-9._~-]+)*/?$")
ORIGIN_PATTERN = re.compile(r"^https://[a-z0-9.-]+(:[0-9]{1,5})?$")
# The retention periods CloudWatch Logs accepts.
LOG_RETENTION = {
    1: RetentionDays.ONE_DAY,
    3: RetentionDays.THREE_DAYS,
    5: RetentionDays.FIVE_DAYS,
    7: RetentionDays.ONE_WEEK,
    14: RetentionDays.TWO_WEEKS,
    30: RetentionDays.ONE_MONTH,
    60: RetentionDays.TWO_MONTHS,
    90: RetentionDays.THREE_MONTHS,
    120: RetentionDays.FOUR_MONTHS,
    150: RetentionDays.FIVE_MONTHS,
    180: RetentionDays.SIX_MONTHS,
    365: RetentionDays.ONE_YEAR,
    400: RetentionDays.THIRTEEN_MONTHS,
    545: RetentionDays.EIGHTEEN_MONTHS,
    731: RetentionDays.TWO_YEARS,
    1096: RetentionDays.THREE_YEARS,
    1827: RetentionDays.FIVE_YEARS,
    3653: RetentionDays.TEN_YEARS,
}


class ConfigError(ValueError):
    """The stage configuration cannot be deployed."""


@dataclass(frozen=True)
class StageConfig:
    stage: str
    support_domain: str
    support_addresses: tuple[str, ...]
    raw_mail_retention_days: int
    alarm_email: str | None
    # Subscribed to the ops topic (SLA warnings and breaches), not to the alarms.
    ops_email: str | None
    log_retention_days: int
    # Deletion protection and RETAIN on the table, user pool and bucket (prod).
    protect_data: bool
    # Only one receipt rule set is active per account and region: turn this off for a second stage
    # that shares both with another one.
    activate_receipt_rule_set: bool
    tracing: bool
    api_throttle_rate: int
    api_throttle_burst: int
    chat_allowed_origins: tuple[str, ...]
    chat_throttle_rate: int
    chat_throttle_burst: int
    # The portal's public base URL (a custom domain): ticket, sign-in and survey links in mail start with it.
    portal_url: str | None = None
    # The IANA zone whose days the reports are kept in (docs/decisions/060-reports.md).
    report_time_zone: str = "UTC"

    @classmethod
    def load(cls, node: Node) -> StageConfig:
        stage = str(node.try_get_context("stage") or "dev")
        if not STAGE_PATTERN.match(stage):
            raise ConfigError(f"context 'stage': {stage!r} does not match {STAGE_PATTERN.pattern}")
        path = CONFIG_DIR / f"{stage}.json"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.json")))
            raise ConfigError(f"no configuration for stage {stage!r}: create {path} (known: {known})")
        values: dict[str, Any] = json.loads(path.read_text())
        for field in fields(cls):
            override = node.try_get_context(field.name)
            if field.name != "stage" and override is not None:
                values[field.name] = override
        return cls.from_mapping(stage, values, source=str(path))

    @classmethod
    def from_mapping(cls, stage: str, values: dict[str, Any], source: str = "config") -> StageConfig:
        expected = {f.name for f in fields(cls)} - {"stage"}
        values = OPTIONAL | values
        unknown = set(values) - expected
        missing = expected - set(values)
        if unknown or missing:
            raise ConfigError(f"{source}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
        config = cls(
            stage=stage,
            support_domain=str(values["support_domain"]).lower(),
            support_addresses=_addresses(values["support_addresses"]),
            raw_mail_retention_days=_int(values, "raw_mail_retention_days"),
            alarm_email=values["alarm_email"] or None,
            ops_email=values["ops_email"] or None,
            log_retention_days=_int(values, "log_retention_days"),
            protect_data=_bool(values, "protect_data"),
            activate_receipt_rule_set=_bool(values, "activate_receipt_rule_set"),
            tracing=_bool(values, "tracing"),
            api_throttle_rate=_int(values, "api_throttle_rate"),
            api_throttle_burst=_int(values, "api_throttle_burst"),
            portal_url=str(values["portal_url"]).rstrip("/") if values["portal_url"] else None,
            chat_allowed_origins=_addresses(values["chat_allowed_origins"]),
            chat_throttle_rate=_int(values, "chat_throttle_rate"),
            chat_throttle_burst=_int(values, "chat_throttle_burst"),
            report_time_zone=str(values["report_time_zone"]),
        )
        config._validate(source)
        return config

    def _validate(self, source: str) -> None:
        problems = self._mail_problems() + self._limit_problems()
        if self.portal_url is not None and not URL_PATTERN.match(self.portal_url):
            problems.append(f"portal_url {self.portal_url!r} is not an https:// URL")
        problems += [
            f"chat origin {o!r} is not https://host[:port]"
            for o in self.chat_allowed_origins
            if not ORIGIN_PATTERN.match(o)
        ]
        if problems:
            raise ConfigError(f"{source} (stage {self.stage}): " + "; ".join(problems))

    def _mail_problems(self) -> list[str]:
        problems = []
        if not DOMAIN_PATTERN.match(self.support_domain):
            problems.append(f"support_domain {self.support_domain!r} is not a domain name")
        problems += [
            f"support address {a!r} is malformed" for a in self.support_addresses if not ADDRESS_PATTERN.match(a)
        ]
        if not self.support_addresses:
            problems.append("support_addresses is empty")
        for key, address in (("alarm_email", self.alarm_email), ("ops_email", self.ops_email)):
            if address is not None and not ADDRESS_PATTERN.match(address):
                problems.append(f"{key} {address!r} is malformed")
        return problems

    def _limit_problems(self) -> list[str]:
        problems = []
        if self.raw_mail_retention_days < 1:
            problems.append("raw_mail_retention_days must be at least 1")
        if self.log_retention_days not in LOG_RETENTION:
            problems.append(f"log_retention_days must be one of {sorted(LOG_RETENTION)}")
        if not _known_zone(self.report_time_zone):
            problems.append(f"report_time_zone {self.report_time_zone!r} is not an IANA time zone")
        if self.api_throttle_rate < 1 or self.api_throttle_burst < 1:
            problems.append("api_throttle_rate and api_throttle_burst must be positive")
        if self.chat_throttle_rate < 1 or self.chat_throttle_burst < 1:
            problems.append("chat_throttle_rate and chat_throttle_burst must be positive")
        return problems

    @property
    def log_retention(self) -> RetentionDays:
        return LOG_RETENTION[self.log_retention_days]

    @property
    def receipt_recipients(self) -> list[str]:
        """The domain (every address in it, including signed reply addresses) plus outside addresses."""
        outside = [a for a in self.support_addresses if not a.lower().endswith("@" + self.support_domain)]
        return [self.support_domain, *sorted(set(outside))]


def _addresses(value: Any) -> tuple[str, ...]:
    # Context from the command line is a string: accept "a@x.org,b@x.org".
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _int(values: dict[str, Any], key: str) -> int:
    try:
        return int(values[key])
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key}: {values[key]!r} is not an integer") from exc


def _bool(values: dict[str, Any], key: str) -> bool:
    value = values[key]
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes"):
        return True
    if str(value).lower() in ("false", "0", "no"):
        return False
    raise ConfigError(f"{key}: {value!r} is not a boolean")


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
