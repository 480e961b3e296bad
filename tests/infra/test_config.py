"""Stage configuration: files plus command-line context, validated before anything is built."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="infra dependencies not installed: pip install -r infra/requirements.txt")

sys.path.append(str(Path(__file__).resolve().parents[2] / "infra"))

from stacks.config import ConfigError, StageConfig

VALID: dict[str, Any] = {
    "support_domain": "help.example.org",
    "support_addresses": ["support@help.example.org", "billing@example.org"],
    "raw_mail_retention_days": 30,
    "alarm_email": "ops@example.org",
    "log_retention_days": 90,
    "protect_data": True,
    "activate_receipt_rule_set": True,
    "tracing": False,
    "api_throttle_rate": 50,
    "api_throttle_burst": 100,
}


def test_command_line_strings_are_parsed_into_typed_values() -> None:
    config = StageConfig.from_mapping(
        "prod",
        VALID
        | {"support_addresses": "a@help.example.org, b@help.example.org", "raw_mail_retention_days": "7"}
        | {"protect_data": "false", "alarm_email": ""},
    )
    assert config.support_addresses == ("a@help.example.org", "b@help.example.org")
    assert config.raw_mail_retention_days == 7
    assert config.protect_data is False
    assert config.alarm_email is None


def test_ops_email_may_be_left_out_and_is_then_none() -> None:
    assert "ops_email" not in VALID
    assert StageConfig.from_mapping("prod", VALID).ops_email is None
    assert StageConfig.from_mapping("prod", VALID | {"ops_email": "sla@example.org"}).ops_email == "sla@example.org"
    assert StageConfig.from_mapping("prod", VALID | {"ops_email": ""}).ops_email is None


def test_the_pages_address_may_be_left_out_and_must_be_a_url_when_given() -> None:
    assert StageConfig.from_mapping("prod", VALID).portal_url is None
    given = VALID | {"portal_url": "https://help.example.org"}
    assert StageConfig.from_mapping("prod", given).portal_url == "https://help.example.org"
    with pytest.raises(ConfigError, match="portal_url"):
        StageConfig.from_mapping("prod", VALID | {"portal_url": "help.example.org/portal?x=1"})


def test_the_report_zone_defaults_to_utc_and_must_be_an_iana_zone() -> None:
    assert StageConfig.from_mapping("prod", VALID).report_time_zone == "UTC"
    given = VALID | {"report_time_zone": "Europe/Riga"}
    assert StageConfig.from_mapping("prod", given).report_time_zone == "Europe/Riga"
    with pytest.raises(ConfigError, match="report_time_zone"):
        StageConfig.from_mapping("prod", VALID | {"report_time_zone": "Mars/Olympus"})


def test_receipt_recipients_are_the_domain_plus_outside_addresses() -> None:
    config = StageConfig.from_mapping("prod", VALID)
    assert config.receipt_recipients == ["help.example.org", "billing@example.org"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("support_domain", "not a domain", "support_domain"),
        ("support_addresses", [], "support_addresses is empty"),
        ("log_retention_days", 31, "log_retention_days must be one of"),
        ("raw_mail_retention_days", 0, "raw_mail_retention_days"),
        ("alarm_email", "nobody", "alarm_email"),
        ("ops_email", "nobody@", "ops_email"),
        ("protect_data", "maybe", "protect_data"),
    ],
)
def test_invalid_values_fail_with_the_key_named(key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        StageConfig.from_mapping("prod", VALID | {key: value})


def test_unknown_and_missing_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown keys \\['typo'\\], missing keys \\['tracing'\\]"):
        StageConfig.from_mapping("prod", {k: v for k, v in VALID.items() if k != "tracing"} | {"typo": 1})


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_shipped_stage_files_are_valid(stage: str) -> None:
    class Node:
        def try_get_context(self, key: str) -> Any:
            return stage if key == "stage" else None

    config = StageConfig.load(Node())  # type: ignore[arg-type]
    assert config.stage == stage
    assert config.protect_data is (stage == "prod")
