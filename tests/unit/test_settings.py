from __future__ import annotations

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
