"""Secrets and their hashes: what a browser or a mail holds, and what the table keeps instead.

A token is 32 random bytes, URL-safe (43 characters); the table stores its SHA-256 only. Where a retried queue
message must produce the same secret (a ticket link in a redelivered mail, the link and code of one sign-in
request), the secret is an HMAC of what the message names under the deployment's signing key: unguessable
without the key, and the same on every retry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32
CODE_DIGITS = 6
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """What the table keeps of a secret: its SHA-256 (hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _mac(key: bytes, purpose: str, parts: tuple[str, ...]) -> bytes:
    message = "\0".join((purpose, *parts)).encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def derive(key: bytes, purpose: str, *parts: str) -> str:
    """A token determined by ``purpose`` and ``parts`` under ``key`` (URL-safe, 43 characters)."""
    return base64.urlsafe_b64encode(_mac(key, purpose, parts)).decode().rstrip("=")


def derive_code(key: bytes, purpose: str, *parts: str) -> str:
    """A six-digit code determined like ``derive`` (uniform enough: 64 bits reduced modulo 10^6)."""
    number = int.from_bytes(_mac(key, purpose, parts)[:8], "big") % 10**CODE_DIGITS
    return f"{number:0{CODE_DIGITS}d}"


def code_mac(key: bytes, attempt_hash: str, code: str) -> str:
    """What the table keeps of a code: an HMAC bound to its attempt (a leaked table cannot be tried offline)."""
    return _mac(key, "sign-in-code-mac", (attempt_hash, code)).hex()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def well_formed(value: str | None) -> bool:
    """A value that could be one of our tokens (anything else is refused before a database read)."""
    return bool(value) and _TOKEN.match(value or "") is not None


def normal_code(value: str | None) -> str | None:
    """The six digits of a code as typed ("123 456", "123-456"), or None."""
    digits = "".join(c for c in (value or "") if c in "0123456789")
    cleaned = (value or "").replace(" ", "").replace("-", "")
    return digits if len(digits) == CODE_DIGITS and cleaned == digits else None
