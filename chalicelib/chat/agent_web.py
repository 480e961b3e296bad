"""Agents' sign-in to web pages: a one-time link by mail, then a second factor (TOTP) every agent must set up.

API tokens stay for the REST API; these sessions are for pages (the chat console, and the web workspace that
grows from it). Links are random, stored hashed, single use and short-lived; following one shows a page whose
button POSTs (mail scanners fetch links). The TOTP step refuses a code already used (replay) and locks after
repeated wrong codes. When the portal's customer sign-in (branch ``portal``) is merged, the link and session
machinery should be shared with it: only who may sign in and what the session opens differ.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.core.errors import Unauthenticated
from chalicelib.domain.people import Agent
from chalicelib.storage import keys
from chalicelib.storage.chat_ports import ChatRepository
from chalicelib.storage.ports import DirectoryRepository

LINK_TTL = timedelta(minutes=15)
SECOND_FACTOR_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
TOTP_STEP_SECONDS = 30
MAX_CODE_TRIES = 5  # wrong codes per agent per five minutes
ISSUER = "Lambdesk"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SecondFactor:
    agent: Agent
    # A secret to set up now (shown once, as text and as an otpauth:// URI), or None when the agent has one.
    new_secret: str | None
    setup_uri: str | None


class AgentWebAuth:
    def __init__(
        self,
        repo: ChatRepository,
        directory: DirectoryRepository,
        clock: Callable[[], datetime],
        send_link: Callable[[str, str], None],
    ) -> None:
        self.repo = repo
        self.directory = directory
        self.clock = clock
        self.send_link = send_link

    def request_link(self, email: str, link_url: str) -> None:
        """Mail a sign-in link if the address is an active agent's; say nothing either way (no enumeration)."""
        agent = self.directory.find_agent_by_email(email.strip().lower())
        if agent is None or not agent.active:
            return
        token = secrets.token_urlsafe(32)
        self.repo.put_secret(keys.agent_link(digest(token)), {"agent_id": agent.id}, self.clock() + LINK_TTL)
        self.send_link(agent.email, f"{link_url}?token={token}")

    def use_link(self, token: str) -> str:
        """The link, used once: a short-lived second-factor step (its token goes in a cookie)."""
        found = self.repo.take_secret(keys.agent_link(digest(token)), self.clock()) if token else None
        if found is None:
            raise Unauthenticated("this sign-in link is unknown, used or expired")
        step = secrets.token_urlsafe(32)
        self.repo.put_secret(keys.agent_second_factor(digest(step)), found, self.clock() + SECOND_FACTOR_TTL)
        return step

    def second_factor(self, step: str | None) -> SecondFactor:
        import pyotp

        value = self._step(step)
        agent = self._agent(str(value["agent_id"]))
        if self.repo.get_secret(keys.agent_totp(agent.id), self.clock()) is not None:
            return SecondFactor(agent, None, None)
        secret = str(value.get("new_secret") or "")
        if not secret:
            secret = pyotp.random_base32()
            self.repo.put_secret(
                keys.agent_second_factor(digest(step or "")),
                {**value, "new_secret": secret},
                self.clock() + SECOND_FACTOR_TTL,
            )
        uri = pyotp.TOTP(secret).provisioning_uri(name=agent.email, issuer_name=ISSUER)
        return SecondFactor(agent, secret, uri)

    def verify(self, step: str | None, code: str) -> str:
        """A right, unused code: the session token (its cookie opens agent pages for ``SESSION_TTL``)."""
        value = self._step(step)
        agent = self._agent(str(value["agent_id"]))
        now = self.clock()
        if self.repo.hit(f"totp#{agent.id}", 300, now) > MAX_CODE_TRIES:
            raise Unauthenticated("too many wrong codes: wait five minutes")
        stored = self.repo.get_secret(keys.agent_totp(agent.id), now)
        secret = str(stored["secret"]) if stored else str(value.get("new_secret") or "")
        last = int(stored.get("last_step", -1)) if stored else -1
        used = _matching_step(secret, code.strip(), now)
        if not secret or used is None or used <= last:
            raise Unauthenticated("that code is not right (or was used already)")
        self.repo.put_secret(keys.agent_totp(agent.id), {"secret": secret, "last_step": used}, None)
        self.repo.delete_secret(keys.agent_second_factor(digest(step or "")))
        session = secrets.token_urlsafe(32)
        self.repo.put_secret(keys.agent_session(digest(session)), {"agent_id": agent.id}, now + SESSION_TTL)
        return session

    def session(self, token: str | None) -> Agent:
        found = self.repo.get_secret(keys.agent_session(digest(token)), self.clock()) if token else None
        if found is None:
            raise Unauthenticated("sign in to open agent pages")
        return self._agent(str(found["agent_id"]))

    def sign_out(self, token: str | None) -> None:
        if token:
            self.repo.delete_secret(keys.agent_session(digest(token)))

    def _step(self, step: str | None) -> dict[str, object]:
        found = self.repo.get_secret(keys.agent_second_factor(digest(step)), self.clock()) if step else None
        if found is None:
            raise Unauthenticated("start again from a new sign-in link")
        return found

    def _agent(self, agent_id: str) -> Agent:
        agent = self.directory.get_agent(agent_id, consistent=True)
        if not agent.active:
            raise Unauthenticated("this agent is deactivated")
        return agent


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (of now, or one either side for clock drift) whose code this is."""
    import pyotp

    if not secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code):
            return step
    return None
