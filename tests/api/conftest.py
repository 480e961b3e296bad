"""API tier fixtures: the app through ``chalice.test.Client``, on in-memory services, contract-checked.

``api`` is unauthenticated; ``admin_api`` and ``agent_api`` send a development JWT for the ``admin`` and
``agent`` fixtures. Every response any of them receives is validated against ``GET /openapi.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.contract import Api, Contract
from tests.api.report_world import report_day, reported  # noqa: F401  (report tests' worked desk)
from tests.api.support import Desk, chalice_client
from tests.api.survey_world import world  # noqa: F401  (the survey tests' desk on a settable clock)


@pytest.fixture(scope="session")
def openapi_document() -> dict[str, Any]:
    """The document exactly as the app serves it (the one public, service-free route needed to bootstrap)."""
    response = chalice_client().http.get("/openapi.json")
    assert response.status_code == 200, response.body
    document: dict[str, Any] = json.loads(response.body)
    return document


@pytest.fixture(scope="session")
def contract(openapi_document: dict[str, Any]) -> Contract:
    return Contract(openapi_document)


@pytest.fixture
def client(memory_svc: Any) -> Iterator[Any]:
    """``chalice.test.Client(app)`` with the in-memory services installed as the app's services."""
    with chalice_client() as c:
        yield c


@pytest.fixture
def api(client: Any, contract: Contract) -> Api:
    return Api(client.http, contract)


@pytest.fixture
def admin_api(api: Api, admin: Any) -> Api:
    return api.as_(admin)


@pytest.fixture
def agent_api(api: Api, agent: Any) -> Api:
    return api.as_(agent)


@pytest.fixture
def desk(admin_api: Api) -> Desk:
    """State built by the admin through the API."""
    return Desk(admin_api)


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The portal on in-memory services with ``LAMBDESK_PORTAL_URL`` set: ``.svc``, ``.browser()`` (a new
    browser), ``.mailbox`` (sign-in mail sent through the outbound handler to a fake SES)."""
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings
    from tests import fakes
    from tests.api.portal_support import PORTAL_URL, Browser, Mailbox
    from tests.conftest import reset_caches

    monkeypatch.setenv("LAMBDESK_PORTAL_URL", PORTAL_URL)
    reset_caches()
    svc = fakes.memory_services(get_settings())
    bootstrap.use(svc)

    class Portal:
        def __init__(self, http: Any) -> None:
            self.svc = svc
            self.http = http
            self.mailbox = Mailbox(svc)

        def browser(self, language: str = "en") -> Browser:
            return Browser(self.http, language)

    with chalice_client() as c:
        yield Portal(c.http)
    bootstrap.use(None)
    reset_caches()
