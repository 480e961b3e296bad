"""Who is calling: bearer JWTs (Cognito in AWS, a development key locally) and personal API tokens.

The app verifies every request itself; Chalice's Cognito authorizer is not enforced by ``chalice local``
or the test client, so it is never relied on. Heavy imports (PyJWT, cryptography) happen at first use.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import Unauthenticated
from chalicelib.domain.people import Agent, Principal
from chalicelib.people.directory import TOKEN_PREFIX, hash_token

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings
    from chalicelib.storage.ports import DirectoryRepository

DEV_ISSUER = "lambdesk-dev"
DEV_AUDIENCE = "lambdesk"


class Authenticator:
    """Who is calling. Every request reads the agent (and an API token) with a strongly consistent read, so a
    deactivation, a demotion or a revoked token takes effect on the next request in every container. Only the
    mapping of a token subject to its agent id, which never changes, is remembered by the container.
    """

    def __init__(self, settings: Settings, directory: DirectoryRepository) -> None:
        self.settings = settings
        self.directory = directory
        self._agent_ids: dict[str, str] = {}  # token subject -> agent id
        self._jwks: Any = None

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthenticated("missing Authorization header (Bearer token)")
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        if credential.startswith(TOKEN_PREFIX):
            return self._api_token(credential)
        return self._jwt(credential)

    def _api_token(self, secret: str) -> Principal:
        token = self.directory.find_token(hash_token(secret), consistent=True)
        if token is None or token.revoked_at is not None:
            raise Unauthenticated("unknown or revoked API token")
        return Principal(self._active_agent(token.agent_id, by_subject=False), "api_token")

    def _jwt(self, token: str) -> Principal:
        import jwt

        try:
            if self.settings.auth_mode == "dev":
                claims = jwt.decode(
                    token,
                    self.settings.dev_signing_key or "",
                    algorithms=["HS256"],
                    audience=DEV_AUDIENCE,
                    issuer=DEV_ISSUER,
                    options={"require": ["exp", "sub"]},
                )
            else:
                claims = self._cognito_claims(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        return Principal(self._active_agent(str(claims["sub"]), by_subject=True), "jwt")

    def _cognito_claims(self, token: str) -> dict[str, Any]:
        import jwt

        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(f"{self.settings.cognito_issuer}/.well-known/jwks.json", lifespan=3600)
        key = self._jwks.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=self.settings.cognito_issuer,
            options={"require": ["exp", "sub", "token_use"], "verify_aud": False},
        )
        # Access tokens name the app client in client_id, ID tokens in aud.
        client = claims.get("client_id") if claims["token_use"] == "access" else claims.get("aud")
        if client != self.settings.cognito_client_id:
            raise jwt.InvalidAudienceError("token was issued to another app client")
        return claims

    def _active_agent(self, key: str, *, by_subject: bool) -> Agent:
        from chalicelib.core.errors import NotFound

        agent_id = self._agent_id(key) if by_subject else key
        try:
            agent = self.directory.get_agent(agent_id, consistent=True) if agent_id else None
        except NotFound:
            agent = None
        if agent is None:
            raise Unauthenticated("the token's subject is not a Lambdesk agent")
        if not agent.active:
            raise Unauthenticated("this agent is deactivated")
        return agent

    def _agent_id(self, subject: str) -> str | None:
        if subject not in self._agent_ids:
            found = self.directory.agent_id_for_subject(subject)
            if found is None:
                return None
            self._agent_ids[subject] = found
        return self._agent_ids[subject]


def mint_dev_token(signing_key: str, subject: str, ttl_seconds: int = 12 * 3600) -> str:
    """A development JWT (local stack, tests, the ``lambdesk token`` command)."""
    import jwt

    now = int(time.time())
    claims = {"sub": subject, "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, signing_key, algorithm="HS256")
