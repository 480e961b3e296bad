from __future__ import annotations

import re

import pytest

from chalicelib.core import settings as settings_module
from chalicelib.core.settings import SettingsError, get_settings


@pytest.fixture(autouse=True)
def _fresh() -> object:
    settings_module.reset()
    yield
    settings_module.reset()


def test_development_tokens_are_refused_in_prod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDESK_STAGE", "prod")
    with pytest.raises(SettingsError, match="auth_mode 'dev' is not allowed in the prod stage"):
        get_settings()


def test_cognito_mode_names_the_missing_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDESK_AUTH_MODE", "cognito")
    with pytest.raises(SettingsError, match="LAMBDESK_COGNITO_USER_POOL_ID"):
        get_settings()


def test_a_signing_key_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAMBDESK_SIGNING_KEY")
    with pytest.raises(SettingsError, match="LAMBDESK_SIGNING_KEY"):
        get_settings()


def test_short_keys_are_refused_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDESK_DEV_SIGNING_KEY", "short")
    with pytest.raises(SettingsError, match="LAMBDESK_DEV_SIGNING_KEY"):
        get_settings()


def test_names_derive_from_the_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDESK_STAGE", "qa")
    loaded = get_settings()
    assert loaded.table == "lambdesk-qa-data"
    assert loaded.names.queue("webhooks") == "lambdesk-qa-webhooks"
    assert loaded.names.dlq("webhooks") == "lambdesk-qa-webhooks-dlq"


def test_an_unknown_report_zone_is_refused_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDESK_REPORT_TIME_ZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match="LAMBDESK_REPORT_TIME_ZONE"):
        get_settings()
    monkeypatch.setenv("LAMBDESK_REPORT_TIME_ZONE", "Europe/Riga")
    settings_module.reset()
    assert get_settings().report_time_zone == "Europe/Riga"


def test_the_environment_is_read_as_pydantic_settings_read_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefixed names, aliases without the prefix, names in any case, values converted to the field's type."""
    monkeypatch.setenv("lambdesk_support_name", "Desk")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("LAMBDESK_CHAT_CAPACITY", "5")
    monkeypatch.setenv("LAMBDESK_WEB_PLAIN_HTTP", "true")
    monkeypatch.setenv("LAMBDESK_REGION", "ap-south-1")  # the field's alias, not the prefixed name, is read
    s = get_settings()
    assert (s.support_name, s.region, s.chat_capacity, s.web_plain_http) == ("Desk", "eu-west-1", 5, True)


def test_keyword_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core.settings_model import Settings

    monkeypatch.setenv("LAMBDESK_SUPPORT_NAME", "From the environment")
    assert Settings(support_name="Given").support_name == "Given"  # type: ignore[call-arg]
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert Settings(AWS_REGION="us-west-2").region == "us-west-2"  # type: ignore[call-arg]
    assert Settings(region="us-west-2").region == "eu-west-1"  # type: ignore[call-arg]  # by its alias only


# -- every rule of every field, each refused with the variable's name and accepted at its boundary ---------

REFUSED = [
    ("LAMBDESK_STAGE", "Prod", "should match pattern"),
    ("LAMBDESK_STAGE", "a" * 22, "should match pattern"),
    ("LAMBDESK_SLA_WARN_FRACTION", "0", "greater than 0"),
    ("LAMBDESK_SLA_WARN_FRACTION", "1.01", "less than or equal to 1"),
    ("LAMBDESK_SLA_WARN_FRACTION", "three quarters", "valid number"),
    ("LAMBDESK_REPORT_TIME_ZONE", "", "at least 1 character"),
    ("LAMBDESK_REPORT_TIME_ZONE", "A" * 65, "at most 64 characters"),
    ("LAMBDESK_LAKE_STREAM", "no spaces", "should match pattern"),
    ("LAMBDESK_AUTH_MODE", "basic", "'cognito' or 'dev'"),
    ("LAMBDESK_SIGNING_KEY", "k" * 31, "at least 32 characters"),
    ("LAMBDESK_SUPPORT_DOMAIN", "Support.Example.com", "should match pattern"),
    ("LAMBDESK_MAX_ATTACHMENT_BYTES", "0", "greater than 0"),
    ("LAMBDESK_MAX_ATTACHMENT_BYTES", "1.5", "valid integer"),
    ("LAMBDESK_KB_POINTER_SECONDS", "-1", "greater than or equal to 0"),
    ("LAMBDESK_KB_POINTER_SECONDS", "301", "less than or equal to 300"),
    ("LAMBDESK_KB_ACK_ARTICLES", "4", "less than or equal to 3"),
    ("LAMBDESK_TRACING", "maybe", "valid boolean"),
    ("LAMBDESK_WEBHOOK_TIMEOUT_SECONDS", "0", "greater than 0"),
    ("LAMBDESK_WEBHOOK_TIMEOUT_SECONDS", "31", "less than or equal to 30"),
    ("LAMBDESK_WEBHOOKS_ALLOW_PRIVATE", "", "valid boolean"),
    ("LAMBDESK_WEB_PLAIN_HTTP", "2", "valid boolean"),
    ("LAMBDESK_WEB_CONNECT_ORIGINS", "http://chat.example.com", "should match pattern"),
    ("LAMBDESK_PORTAL_URL", "ftp://help.example.com", "should match pattern"),
    ("LAMBDESK_PORTAL_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024 + 1), "less than or equal to 104857600"),
    ("LAMBDESK_PORTAL_MAX_UPLOAD_BYTES", "0", "greater than 0"),
    ("LAMBDESK_CHAT_ALLOWED_ORIGINS", "wss://chat.example.com", "should match pattern"),
    ("LAMBDESK_CHAT_RING_SECONDS", "4", "greater than or equal to 5"),
    ("LAMBDESK_CHAT_RING_SECONDS", "301", "less than or equal to 300"),
    ("LAMBDESK_CHAT_PRESENCE_SECONDS", "29", "greater than or equal to 30"),
    ("LAMBDESK_CHAT_PRESENCE_SECONDS", "901", "less than or equal to 900"),
    ("LAMBDESK_CHAT_QUEUE_LIMIT", "-1", "greater than or equal to 0"),
    ("LAMBDESK_CHAT_QUEUE_LIMIT", "501", "less than or equal to 500"),
    ("LAMBDESK_CHAT_INACTIVITY_MINUTES", "0", "greater than or equal to 1"),
    ("LAMBDESK_CHAT_INACTIVITY_MINUTES", "1441", "less than or equal to 1440"),
    ("LAMBDESK_CHAT_CAPACITY", "0", "greater than or equal to 1"),
    ("LAMBDESK_CHAT_CAPACITY", "21", "less than or equal to 20"),
    ("LAMBDESK_CHAT_CAPACITY", "three", "valid integer"),
]


@pytest.mark.parametrize(("variable", "value", "message"), REFUSED)
def test_each_rule_refuses_a_bad_value_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"{variable}: [^;]*{re.escape(message)}"):
        get_settings()


ACCEPTED = [
    ("LAMBDESK_STAGE", "a" + "b" * 20, "stage", "a" + "b" * 20),
    ("LAMBDESK_SLA_WARN_FRACTION", "1", "sla_warn_fraction", 1.0),
    ("LAMBDESK_SLA_WARN_FRACTION", " 0.5 ", "sla_warn_fraction", 0.5),
    ("LAMBDESK_LAKE_STREAM", "metrics.stream_1", "lake_stream", "metrics.stream_1"),
    ("LAMBDESK_SIGNING_KEY", "k" * 32, "signing_key", "k" * 32),
    ("LAMBDESK_MAX_ATTACHMENT_BYTES", "1", "max_attachment_bytes", 1),
    ("LAMBDESK_KB_POINTER_SECONDS", "0", "kb_pointer_seconds", 0.0),
    ("LAMBDESK_KB_ACK_ARTICLES", "0", "kb_ack_articles", 0),
    ("LAMBDESK_TRACING", "YES", "tracing", True),
    ("LAMBDESK_TRACING", "off", "tracing", False),
    ("LAMBDESK_WEBHOOK_TIMEOUT_SECONDS", "30", "webhook_timeout_seconds", 30.0),
    ("LAMBDESK_WEB_CONNECT_ORIGINS", "wss://a.example https://b.example:8443", "web_connect_origins", None),
    ("LAMBDESK_PORTAL_URL", "https://help.example.com/api/", "portal_url", None),
    ("LAMBDESK_PORTAL_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024), "portal_max_upload_bytes", 100 * 1024 * 1024),
    ("LAMBDESK_CHAT_ALLOWED_ORIGINS", "http://127.0.0.1:8000", "chat_allowed_origins", None),
    ("LAMBDESK_CHAT_INACTIVITY_MINUTES", "1440", "chat_inactivity_minutes", 1440),
    ("LAMBDESK_CHAT_CAPACITY", "20", "chat_capacity", 20),
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000", "aws_endpoint_url", None),
]


@pytest.mark.parametrize(("variable", "value", "name", "expected"), ACCEPTED)
def test_each_rule_accepts_its_boundary(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, name: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(get_settings(), name) == (value if expected is None else expected)


def test_every_error_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDESK_STAGE", "BAD")
    monkeypatch.setenv("LAMBDESK_CHAT_CAPACITY", "99")
    with pytest.raises(SettingsError) as raised:
        get_settings()
    assert "LAMBDESK_STAGE:" in str(raised.value) and "LAMBDESK_CHAT_CAPACITY:" in str(raised.value)


def test_the_consistency_checks_run_on_valid_fields_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A prod stage with dev tokens is refused, and a signing key may be an SSM parameter's name instead."""
    monkeypatch.setenv("LAMBDESK_AUTH_MODE", "cognito")
    monkeypatch.setenv("LAMBDESK_COGNITO_USER_POOL_ID", "us-east-1_pool")
    monkeypatch.setenv("LAMBDESK_COGNITO_CLIENT_ID", "client")
    monkeypatch.setenv("LAMBDESK_STAGE", "prod")
    monkeypatch.delenv("LAMBDESK_SIGNING_KEY")
    with pytest.raises(SettingsError, match="LAMBDESK_SIGNING_KEY or LAMBDESK_SIGNING_KEY_PARAMETER"):
        get_settings()
    monkeypatch.setenv("LAMBDESK_SIGNING_KEY_PARAMETER", "/lambdesk/prod/signing-key")
    settings_module.reset()
    loaded = get_settings()
    assert (loaded.auth_mode, loaded.cognito_issuer) == (
        "cognito",
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
    )


def test_keyword_arguments_are_checked_too() -> None:
    from chalicelib.core.settings_model import Settings

    with pytest.raises(SettingsError, match="LAMBDESK_CHAT_CAPACITY: Input should be less than or equal to 20"):
        Settings(chat_capacity=21)
    with pytest.raises(SettingsError, match="LAMBDESK_SUPPORT_NAME: Input should be a valid string"):
        Settings(support_name=5)
    assert Settings(chat_capacity="4", tracing=1, unknown="ignored").chat_capacity == 4


def test_settings_are_immutable_and_replace_checks_the_copy() -> None:
    from chalicelib.core.settings_model import Settings

    loaded = get_settings()
    with pytest.raises(AttributeError):
        loaded.stage = "other"  # type: ignore[misc]
    changed = loaded.replace(portal_url="https://help.example.com", region="eu-north-1")
    assert (changed.portal_base, changed.region, changed.stage) == ("https://help.example.com", "eu-north-1", "test")
    assert loaded.portal_url is None and changed != loaded and loaded.replace() == loaded
    with pytest.raises(SettingsError, match="LAMBDESK_PORTAL_URL"):
        loaded.replace(portal_url="not a url")
    with pytest.raises(TypeError, match="no such settings: colour"):
        loaded.replace(colour="blue")
    assert "test-hmac" not in repr(loaded)  # keys stay out of logs
    assert isinstance(loaded, Settings)


def test_each_field_is_declared_with_the_type_it_is_annotated_with() -> None:
    import typing

    from chalicelib.core.settings_model import Settings

    hints = typing.get_type_hints(Settings)
    for name, field in Settings.FIELDS.items():
        expected = typing.Optional[field.kind] if field.optional else field.kind  # noqa: UP045
        if field.choices:
            expected = typing.Literal[field.choices]  # type: ignore[valid-type]
        assert hints[name] == expected, name
    assert set(hints) - {"FIELDS"} == set(Settings.FIELDS) and len(Settings.FIELDS) == 41
