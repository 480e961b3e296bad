"""Per-ticket signed reply addresses: ``<local>+<number>-<mac>@<domain>``.

A reply to one of these threads onto its ticket whatever its headers say. The MAC (HMAC-SHA256 of the
ticket number under the deployment's signing key, 10 base32 characters, lower case because some mail
servers lower-case local parts) stops anyone from writing into a ticket by guessing its number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from email.utils import parseaddr

_TOKEN = re.compile(r"^(?P<number>[0-9]{1,12})-(?P<mac>[a-z2-7]{10})$")


def _mac(key: bytes, number: int) -> str:
    digest = hmac.new(key, f"reply:{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:10]


def reply_address(support_address: str, number: int, key: bytes) -> str:
    local, _, domain = support_address.partition("@")
    return f"{local}+{number}-{_mac(key, number)}@{domain}"


def ticket_number_from(address: str, support_domain: str, key: bytes) -> int | None:
    """The ticket number a signed reply address points to; None if unsigned, forged or foreign."""
    _, addr = parseaddr(address)
    local, _, domain = addr.lower().partition("@")
    if domain != support_domain.lower() or "+" not in local:
        return None
    match = _TOKEN.match(local.split("+", 1)[1])
    if not match:
        return None
    number = int(match["number"])
    return number if hmac.compare_digest(match["mac"], _mac(key, number)) else None
