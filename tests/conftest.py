"""Fixtures shared by every tier: settings, in-memory services, moto in server mode, agents and tokens."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from devtools.ports import free_port

# Property tests check results, not speed: on a loaded 2-core CI machine a per-example deadline or the "input
# generation is slow" health check only makes them flaky. Timing belongs to the benchmarks.
hypothesis_settings.register_profile("lambdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("lambdesk")

ROOT = Path(__file__).resolve().parent.parent
DEV_KEY = "test-dev-signing-key-0123456789abcdef"
SIGNING_KEY = "test-hmac-signing-key-0123456789abcdef"

# The app reads its settings from the environment at first use; tests set a complete, local one.
os.environ.update(
    {
        "LAMBDESK_STAGE": "test",
        "LAMBDESK_AUTH_MODE": "dev",
        "LAMBDESK_DEV_SIGNING_KEY": DEV_KEY,
        "LAMBDESK_SIGNING_KEY": SIGNING_KEY,
        "LAMBDESK_WEBHOOKS_ALLOW_PRIVATE": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "Lambdesk",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto server's request log
os.environ.pop("AWS_PROFILE", None)


def reset_caches() -> None:
    from chalicelib import bootstrap
    from chalicelib.core import clients, settings, signing

    settings.reset()
    if hasattr(clients.client, "cache_clear"):  # a test may have replaced the factory
        clients.reset()
    signing.signing_key.cache_clear()
    bootstrap.use(None)


@pytest.fixture
def settings() -> Iterator[Any]:
    reset_caches()
    from chalicelib.core.settings import get_settings

    yield get_settings()
    reset_caches()


@pytest.fixture
def memory_svc(settings: Any) -> Iterator[Any]:
    """In-memory services installed as the app's services."""
    from chalicelib import bootstrap
    from tests import fakes

    svc = fakes.memory_services(settings)
    bootstrap.use(svc)
    yield svc
    bootstrap.use(None)


def make_token(agent: Any) -> str:
    from chalicelib.people.auth import mint_dev_token

    return mint_dev_token(DEV_KEY, agent.subject)


@pytest.fixture
def admin(memory_svc: Any) -> Any:
    from chalicelib.domain.people import Role

    return memory_svc.directory.create_agent("ada@example.com", "Ada Admin", Role.ADMIN)


@pytest.fixture
def agent(memory_svc: Any) -> Any:
    return memory_svc.directory.create_agent("ben@example.com", "Ben Agent")


# -- moto in server mode ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    from devtools.moto_isolation import serialize_writes

    serialize_writes()  # concurrent tests and workers: isolated writes, as DynamoDB's are
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the SDK (and the app's settings) at the moto server for one test."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    reset_caches()
    yield moto_url
    reset_caches()


@pytest.fixture
def table(aws: str) -> str:
    """A fresh table with every index and the stream, as infra/ deploys it; the models bound to it."""
    import boto3

    from chalicelib.storage.dynamodb.models import bind
    from devtools.provision import create_table

    name = f"lambdesk-test-{uuid.uuid4().hex[:10]}"
    create_table(boto3.client("dynamodb", endpoint_url=aws), name)
    bind(name, "us-east-1", aws)
    return name


@pytest.fixture
def dynamo_svc(table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """DynamoDB-backed services on a fresh table, installed as the app's services."""
    from chalicelib import bootstrap
    from chalicelib.core.settings import get_settings

    monkeypatch.setenv("LAMBDESK_TABLE_NAME", table)
    reset_caches()
    svc = bootstrap.dynamodb_container(get_settings())
    svc.auth.cache_seconds = 0.0
    bootstrap.use(svc)
    yield svc
    bootstrap.use(None)
