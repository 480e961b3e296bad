"""CSRF tokens: an HMAC over a session (or, before sign-in, a pre-session cookie), a time and a nonce.

Every POST form carries ``csrf_token``; ``check_csrf`` refuses a missing, foreign, tampered or stale token
with ``CsrfRejected`` (a 403 page). The key is a parameter: callers pass the deployment's signing key
(``chalicelib.core.signing.signing_key()``), which keeps this package below the services.
Each token has a fresh nonce, so the token in a page never repeats (no BREACH-style guessing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from chalicelib.core.errors import Forbidden
from chalicelib.web.cookies import get_cookie, set_cookie
from chalicelib.web.forms import Form

FIELD = "csrf_token"
PRESESSION_COOKIE = "presession"
PRESESSION_MAX_AGE = 7 * 24 * 3600
MAX_AGE_SECONDS = 12 * 3600
CLOCK_SKEW_SECONDS = 60
_NONCE_BYTES = 8
_MAC_BYTES = 16
_TOKEN_BYTES = 8 + _NONCE_BYTES + _MAC_BYTES


class CsrfRejected(Forbidden):
    """The form did not come from a page this site served to this browser (or it is too old)."""

    code = "csrf_rejected"


def _mac(key: bytes, binding: str, payload: bytes) -> bytes:
    return hmac.new(key, b"csrf\0" + binding.encode() + b"\0" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def issue_token(key: bytes, binding: str, *, now: float | None = None) -> str:
    """A token for the forms of a page served to the holder of ``binding`` (session or pre-session id)."""
    issued = int(time.time() if now is None else now)
    payload = issued.to_bytes(8, "big") + secrets.token_bytes(_NONCE_BYTES)
    return base64.urlsafe_b64encode(payload + _mac(key, binding, payload)).decode().rstrip("=")


def check_csrf(
    form: Form, binding: str | None, key: bytes, *, now: float | None = None, max_age: int = MAX_AGE_SECONDS
) -> None:
    """Raise ``CsrfRejected`` unless ``form`` carries a fresh token issued for ``binding``."""
    token = form.get(FIELD) or ""
    if not binding:
        raise CsrfRejected("no session or pre-session cookie came with the form")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        raw = b""
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if len(raw) != _TOKEN_BYTES or not hmac.compare_digest(mac, _mac(key, binding, payload)):
        raise CsrfRejected("the form's CSRF token is missing or was not issued for this browser")
    age = int(time.time() if now is None else now) - int.from_bytes(payload[:8], "big")
    if not -CLOCK_SKEW_SECONDS <= age <= max_age:
        raise CsrfRejected("the form's CSRF token has expired")


def presession(cookies: dict[str, str]) -> tuple[str, str | None]:
    """The pre-session id that binds tokens before sign-in, and the ``Set-Cookie`` value when it is new."""
    current = get_cookie(cookies, PRESESSION_COOKIE)
    if current and len(current) >= 22:
        return current, None
    fresh = secrets.token_urlsafe(24)
    return fresh, set_cookie(PRESESSION_COOKIE, fresh, max_age=PRESESSION_MAX_AGE)
