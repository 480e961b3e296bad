"""Web unit fixtures: the settings a page sees, over https (the default) or plain http (the local stack)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import reset_caches


@pytest.fixture
def plain_http(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LAMBDESK_WEB_PLAIN_HTTP", "true")
    reset_caches()
    yield
    monkeypatch.delenv("LAMBDESK_WEB_PLAIN_HTTP")
    reset_caches()


@pytest.fixture
def https(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LAMBDESK_WEB_PLAIN_HTTP", raising=False)
    reset_caches()
    yield
    reset_caches()
