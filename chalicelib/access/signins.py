"""Signing in without a password: one mail with a one-time link and a six-digit code, either signs in once.

The browser that asks keeps a random attempt id in a cookie; the mail's link and code are derived from the
attempt (under the signing key), so the queued mail carries no secret and a redelivered message sends the same
link and code. The link's page only shows a button: mail scanners open every link, and only the button's POST
consumes the attempt. A code works in the browser that asked, and only ``MAX_FAILURES`` wrong codes are allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.access.tokens import code_mac, derive, derive_code, digest, new_token, same, well_formed
from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import DomainError
from chalicelib.domain.access import SignInAttempt
from chalicelib.storage.slice_ports import AccessRepository

LIFETIME = timedelta(minutes=15)
MAX_FAILURES = 5


class Refusal(StrEnum):
    EXPIRED = "expired"  # unknown, or older than its lifetime
    USED = "used"
    LOCKED = "locked"  # too many wrong codes
    WRONG_CODE = "wrong_code"


class SignInRefused(DomainError):
    """The link or code does not sign anyone in; ``reason`` says why, ``remaining`` how many codes are left."""

    code = "sign_in_refused"

    def __init__(self, reason: Refusal, remaining: int = 0) -> None:
        super().__init__(f"sign-in refused: {reason}")
        self.reason = reason
        self.remaining = remaining


@dataclass(frozen=True)
class Prepared:
    """What the sign-in mail says: the link's token and the code."""

    link: str
    code: str
    expires_at: datetime


def new_attempt() -> tuple[str, str]:
    """A new attempt: ``(id for the browser's cookie, its hash for the queued mail)``."""
    token = new_token()
    return token, digest(token)


class SignIns:
    def __init__(self, repo: AccessRepository, key: bytes, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.key = key
        self.clock = clock

    def prepare(
        self, attempt_hash: str, email: str, issued_at: datetime, lifetime: timedelta = LIFETIME
    ) -> Prepared | None:
        """The link and code of an attempt, stored (hashed) at first call; None when it has expired already."""
        link = derive(self.key, "sign-in-link", attempt_hash)
        code = derive_code(self.key, "sign-in-code", attempt_hash)
        expires_at = issued_at + lifetime
        if expires_at <= self.clock():
            return None
        attempt = SignInAttempt(
            attempt_hash,
            email.strip().lower(),
            digest(link),
            code_mac(self.key, attempt_hash, code),
            issued_at,
            expires_at,
        )
        self.repo.put_sign_in(attempt)  # False on a redelivery: the same attempt is stored already
        return Prepared(link, code, expires_at)

    def pending(self, link: str) -> SignInAttempt | None:
        """The unused, unexpired attempt a link belongs to (reading consumes nothing)."""
        if not well_formed(link):
            return None
        attempt = self.repo.sign_in_by_link(digest(link), self.clock())
        return attempt if attempt and attempt.used_at is None else None

    def confirm_link(self, link: str) -> str:
        """Consume the attempt of ``link``; the address it signs in. Raises ``SignInRefused``."""
        if not well_formed(link):
            raise SignInRefused(Refusal.EXPIRED)
        attempt = self.repo.sign_in_by_link(digest(link), self.clock())
        return self._use(attempt)

    def confirm_code(self, attempt_token: str | None, code: str) -> str:
        """Consume the browser's attempt when ``code`` is its code. Raises ``SignInRefused``."""
        if attempt_token is None or not well_formed(attempt_token):
            raise SignInRefused(Refusal.EXPIRED)
        attempt_hash = digest(attempt_token)
        attempt = self.repo.get_sign_in(attempt_hash, self.clock())
        open_attempt = attempt is not None and attempt.used_at is None and attempt.failures < MAX_FAILURES
        if open_attempt and attempt and not same(code_mac(self.key, attempt_hash, code), attempt.code_mac):
            remaining = MAX_FAILURES - self.repo.fail_sign_in(attempt_hash)
            raise SignInRefused(Refusal.WRONG_CODE if remaining > 0 else Refusal.LOCKED, max(remaining, 0))
        return self._use(attempt)

    def _use(self, attempt: SignInAttempt | None) -> str:
        if attempt is None:
            raise SignInRefused(Refusal.EXPIRED)
        if attempt.used_at is not None:
            raise SignInRefused(Refusal.USED)
        if attempt.failures >= MAX_FAILURES:
            raise SignInRefused(Refusal.LOCKED)
        if not self.repo.use_sign_in(attempt.id_hash, self.clock(), MAX_FAILURES):
            raise SignInRefused(Refusal.USED)
        return attempt.email
