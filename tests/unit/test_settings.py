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
