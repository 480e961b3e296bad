"""New tickets per sender, over sliding windows: a hostile or broken autoresponder cannot open a ticket with
every answer to our acknowledgement.

A responder that does not mark itself automatic (no ``Auto-Submitted``, no ``Precedence``) got through every
classifier and opened 30 tickets in 30 rounds. Now a sender opens at most ``limit`` new tickets per window
(3 an hour, 10 a day: a customer asking three different questions in an hour still gets three tickets);
further mail from them joins their latest open ticket with a note saying why, or, with no open ticket, is
quarantined as a flood. The outbound side sends at most one acknowledgement per address an hour
(``caps.ACKNOWLEDGEMENT_CAP``), so the loop stops after its first round.

The hour is a sliding window estimated from two fixed ones (the current count plus the previous window's,
weighted by how much of it still overlaps: the usual sliding-window counter, exact for evenly spread events,
never more than one window's count off); the day is a fixed window. Costs: three requests per mail that would
open a ticket, none for replies on existing tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.storage.ports import MailRepository


@dataclass(frozen=True)
class FloodLimit:
    window_seconds: int
    limit: int
    sliding: bool = True

    def counter(self, sender: str) -> str:
        return f"newticket#{self.window_seconds}#{sender.lower()}"

    def describe(self, count: float) -> str:
        hours = self.window_seconds // 3600
        span = "an hour" if hours == 1 else f"{hours} hours"
        return f"{count:g} new tickets from this sender in {span} (at most {self.limit})"


NEW_TICKET_LIMITS = (FloodLimit(3600, 3), FloodLimit(86400, 10, sliding=False))


@dataclass(frozen=True)
class Flooding:
    limit: FloodLimit
    count: float

    def reason(self) -> str:
        return self.limit.describe(self.count)


class SenderFloods:
    def __init__(self, mail: MailRepository, limits: tuple[FloodLimit, ...] = NEW_TICKET_LIMITS) -> None:
        self.mail = mail
        self.limits = limits

    def count_new_ticket(self, sender: str, now: datetime) -> Flooding | None:
        """Count one new ticket for ``sender``; the first limit this goes past, if any (every window is
        counted, so a sender who keeps trying stays over the limit until the windows end)."""
        exceeded: Flooding | None = None
        for limit in self.limits:
            count = self._count(limit, sender, now)
            if count > limit.limit and exceeded is None:
                exceeded = Flooding(limit, round(count, 1))
        return exceeded

    def _count(self, limit: FloodLimit, sender: str, now: datetime) -> float:
        name = limit.counter(sender)
        current = float(self.mail.hit(name, limit.window_seconds, now))
        if not limit.sliding:
            return current
        window = limit.window_seconds
        elapsed = (now.timestamp() % window) / window
        previous = self.mail.window_count(name, window, now - timedelta(seconds=window))
        return current + previous * (1 - elapsed)
