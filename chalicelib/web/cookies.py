"""Cookies: ``__Host-`` prefixed, HttpOnly, Secure, SameSite=Lax, Path=/.

Browsers accept a ``__Host-`` cookie only when it is Secure, so the local stack, served over plain http
(setting ``web_plain_http``), sends the same cookies without ``Secure`` and without the prefix. Reading and
writing both go through ``cookie_name``, so the two spellings never meet.
"""

from __future__ import annotations

import re

from chalicelib.core.settings import get_settings

HOST_PREFIX = "__Host-"
# RFC 6265 cookie-octets, less the characters some servers mangle; every value we set is a token or a code.
_VALUE = re.compile(r"^[A-Za-z0-9._~-]{0,512}$")
MAX_COOKIE_HEADER = 8192


def plain_http() -> bool:
    return get_settings().web_plain_http


def cookie_name(base: str) -> str:
    return base if plain_http() else HOST_PREFIX + base


def set_cookie(base: str, value: str, *, max_age: int | None = None, http_only: bool = True) -> str:
    """A ``Set-Cookie`` header value for cookie ``base`` (a session cookie when ``max_age`` is None)."""
    if not _VALUE.match(value):
        raise ValueError(f"cookie {base}: value must be a token (letters, digits, '._~-')")
    parts = [f"{cookie_name(base)}={value}", "Path=/", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if http_only:
        parts.append("HttpOnly")
    if not plain_http():
        parts.append("Secure")
    return "; ".join(parts)


def clear_cookie(base: str) -> str:
    """A ``Set-Cookie`` header value that deletes cookie ``base``."""
    return set_cookie(base, "", max_age=0)


def read_cookies(header: str | None) -> dict[str, str]:
    """The cookies of a ``Cookie`` header; malformed pairs are skipped, the first of a repeated name wins."""
    cookies: dict[str, str] = {}
    for pair in (header or "")[:MAX_COOKIE_HEADER].split(";"):
        name, sep, value = pair.strip().partition("=")
        if sep and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


def get_cookie(cookies: dict[str, str], base: str) -> str | None:
    """The value of cookie ``base`` (under the name this deployment uses), if it is well formed."""
    value = cookies.get(cookie_name(base))
    return value if value and _VALUE.match(value) else None
