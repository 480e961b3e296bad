"""Rate limits in fixed windows, counted in the table (one UpdateItem ADD per attempt).

Subjects (an address, an IP) are hashed before they become counter keys, so the counters hold no address.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.access.tokens import digest
from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import RateLimited
from chalicelib.storage.slice_ports import AccessRepository


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


# Sign-in mails per address and per browser address (IP), and codes tried per IP.
SIGN_IN_PER_ADDRESS = Limit("portal-signin-address", 5, 3600)
SIGN_IN_PER_IP = Limit("portal-signin-ip", 20, 3600)
CODES_PER_IP = Limit("portal-code-ip", 30, 3600)


class RateLimits:
    def __init__(self, repo: AccessRepository, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.clock = clock

    def spend(self, limit: Limit, subject: str) -> None:
        """Count one attempt of ``subject``; raise ``RateLimited`` once the window holds more than allowed."""
        now = self.clock()
        used = self.repo.hit(f"{limit.name}:{digest(subject.strip().lower())[:32]}", limit.window_seconds, now)
        if used > limit.count:
            retry_after = limit.window_seconds - int(now.timestamp()) % limit.window_seconds
            raise RateLimited(f"{limit.name}: more than {limit.count} in {limit.window_seconds} s", retry_after)
