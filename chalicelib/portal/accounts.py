"""Signing customers in and out: ask for a sign-in mail, sign in with its link or its code, start a session.

Asking answers the same whatever the address: the mail goes to any well-formed address (an address the desk
does not know becomes a customer only when its owner signs in with the mail). Requests are rate limited per
address and per IP before anything is queued; the mail is sent asynchronously by the outbound mail queue
(``SignInMail``), retried and dead-lettered like every other mail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.access import limits
from chalicelib.access.signins import new_attempt
from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.ids import new_id

if TYPE_CHECKING:
    from chalicelib.access.limits import RateLimits
    from chalicelib.access.sessions import Sessions, Started
    from chalicelib.access.signins import SignIns
    from chalicelib.people.customers import CustomerService

# The event type of a sign-in mail on the outbound mail queue.
SIGN_IN_EVENT = "portal.sign_in"
Enqueue = Callable[[dict[str, Any]], None]


class Accounts:
    def __init__(
        self,
        signins: SignIns,
        sessions: Sessions,
        limits: RateLimits,
        customers: CustomerService,
        enqueue: Enqueue,
        clock: Clock = utcnow,
    ) -> None:
        self.signins = signins
        self.sessions = sessions
        self.limits = limits
        self.customers = customers
        self.enqueue = enqueue
        self.clock = clock

    def request_sign_in(self, email: str, ip: str, locale: str) -> str:
        """Queue a sign-in mail to ``email``; returns the attempt id the asking browser keeps (for the code).
        Raises ``RateLimited`` when the address or the IP asked too often."""
        self.limits.spend(limits.SIGN_IN_PER_ADDRESS, email)
        self.limits.spend(limits.SIGN_IN_PER_IP, ip)
        token, attempt_hash = new_attempt()
        self.enqueue(
            {
                "id": new_id(),
                "type": SIGN_IN_EVENT,
                "occurred_at": self.clock().isoformat(),
                "attempt": attempt_hash,
                "email": email.strip().lower(),
                "locale": locale,
            }
        )
        return token

    def sign_in_with_link(self, link: str) -> Started:
        """Raises ``SignInRefused`` for a used, expired or unknown link."""
        return self._start(self.signins.confirm_link(link))

    def sign_in_with_code(self, attempt: str | None, code: str, ip: str) -> Started:
        """Raises ``SignInRefused`` (a wrong code says how many tries are left) or ``RateLimited``."""
        self.limits.spend(limits.CODES_PER_IP, ip)
        return self._start(self.signins.confirm_code(attempt, code))

    def _start(self, email: str) -> Started:
        customer = self.customers.resolve_email(email)
        return self.sessions.start(customer.id)


def queue_sender(url: str | None) -> Enqueue:
    """Send a message to the SQS queue at ``url`` (the outbound mail queue); without a URL, every send fails
    loudly (the deployment forgot LAMBDESK_OUTBOUND_QUEUE_URL)."""

    def send(message: dict[str, Any]) -> None:
        import json

        from chalicelib.core.clients import client

        if not url:
            raise RuntimeError("set LAMBDESK_OUTBOUND_QUEUE_URL: the portal's sign-in mail goes through it")
        client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(message, separators=(",", ":")))

    return send
