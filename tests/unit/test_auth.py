"""Authentication: development JWTs, Cognito JWTs (against a JWKS), personal API tokens."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.core.errors import Forbidden, Unauthenticated
from chalicelib.core.settings_model import Settings
from chalicelib.domain.people import Role
from chalicelib.people.auth import Authenticator, mint_dev_token
from chalicelib.people.directory import DirectoryService
from tests.fakes.memory import InMemoryDirectoryRepository

DEV_KEY = "d" * 40


def dev_settings() -> Settings:
    return Settings(auth_mode="dev", dev_signing_key=DEV_KEY, signing_key="s" * 40)  # type: ignore[call-arg]


@pytest.fixture
def directory() -> InMemoryDirectoryRepository:
    return InMemoryDirectoryRepository()


@pytest.fixture
def auth(directory: InMemoryDirectoryRepository) -> Authenticator:
    return Authenticator(dev_settings(), directory)


@pytest.fixture
def agent(directory: InMemoryDirectoryRepository) -> Any:
    return DirectoryService(directory).create_agent("ben@example.com", "Ben")


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer    "])
def test_requests_without_a_bearer_credential_are_unauthenticated(auth: Authenticator, header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(header)


def test_a_development_token_identifies_the_agent(auth: Authenticator, agent: Any) -> None:
    principal = auth.authenticate(f"Bearer {mint_dev_token(DEV_KEY, agent.subject)}")
    assert principal.agent.id == agent.id
    assert principal.via == "jwt"
    with pytest.raises(Forbidden):
        principal.require(Role.ADMIN)


def test_expired_wrongly_signed_and_foreign_tokens_are_refused(auth: Authenticator, agent: Any) -> None:
    expired = mint_dev_token(DEV_KEY, agent.subject, ttl_seconds=-10)
    forged = mint_dev_token("x" * 40, agent.subject)
    stranger = mint_dev_token(DEV_KEY, "nobody")
    for token in (expired, forged, stranger, "not-a-jwt"):
        with pytest.raises(Unauthenticated):
            auth.authenticate(f"Bearer {token}")


def test_a_deactivated_agent_is_refused(
    auth: Authenticator, agent: Any, directory: InMemoryDirectoryRepository
) -> None:
    directory.update_agent(replace(agent, active=False, version=2), 1)
    with pytest.raises(Unauthenticated, match="deactivated"):
        auth.authenticate(f"Bearer {mint_dev_token(DEV_KEY, agent.subject)}")


def test_personal_api_tokens_work_until_revoked(
    auth: Authenticator, agent: Any, directory: InMemoryDirectoryRepository
) -> None:
    service = DirectoryService(directory)
    token, secret = service.issue_token(agent.id, "CI integration")
    assert secret.startswith("ldk_") and token.token_hash not in secret
    assert auth.authenticate(f"Bearer {secret}").via == "api_token"
    service.revoke_token(agent.id, token.id, agent)
    with pytest.raises(Unauthenticated, match="revoked"):
        auth.authenticate(f"Bearer {secret}")


class StaticJwks:
    def __init__(self, public_key: Any) -> None:
        self.key = public_key

    def get_signing_key_from_jwt(self, token: str) -> Any:
        return type("Key", (), {"key": self.key})()


def cognito(directory: InMemoryDirectoryRepository) -> tuple[Authenticator, Any, Settings]:
    settings = Settings(  # type: ignore[call-arg]
        auth_mode="cognito", cognito_user_pool_id="us-east-1_pool", cognito_client_id="client-1", signing_key="s" * 40
    )
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    authenticator = Authenticator(settings, directory)
    authenticator._jwks = StaticJwks(private.public_key())
    return authenticator, private, settings


def test_cognito_access_tokens_are_checked_against_the_pool_and_client(directory: InMemoryDirectoryRepository) -> None:
    authenticator, private, settings = cognito(directory)
    member = DirectoryService(directory).create_agent("c@example.com", "C", subject="cognito-sub-1")
    now = int(time.time())
    claims = {
        "sub": "cognito-sub-1",
        "iss": settings.cognito_issuer,
        "token_use": "access",
        "client_id": "client-1",
        "exp": now + 60,
    }
    good = jwt.encode(claims, private, algorithm="RS256")
    assert authenticator.authenticate(f"Bearer {good}").agent.id == member.id
    other_client = jwt.encode({**claims, "client_id": "client-2"}, private, algorithm="RS256")
    other_pool = jwt.encode(
        {**claims, "iss": "https://cognito-idp.us-east-1.amazonaws.com/other"}, private, algorithm="RS256"
    )
    for token in (other_client, other_pool):
        with pytest.raises(Unauthenticated):
            authenticator.authenticate(f"Bearer {token}")


def test_cognito_refuses_development_tokens(directory: InMemoryDirectoryRepository, agent: Any) -> None:
    authenticator, _, _ = cognito(directory)
    with pytest.raises(Unauthenticated):
        authenticator.authenticate(f"Bearer {mint_dev_token(DEV_KEY, agent.subject)}")
