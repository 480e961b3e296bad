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
never more than one window's count off); the day is a fixed window. Every window of a sender lives in one
item per day (``MailRepository.hit_windows``): one request per mail that would open a ticket (two in the
first hour of a day, when the previous hour is in the day before), none for replies on existing tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.storage.ports import MailRepository


@dataclass(frozen=True)
class FloodLimit:
    window_seconds: int
    limit: int
    sliding: bool = True

    @property
    def name(self) -> str:
        return f"s{self.window_seconds}"

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
        windows = [(limit.name, limit.window_seconds) for limit in self.limits]
        sliding = [limit.name for limit in self.limits if limit.sliding]
        counts = self.mail.hit_windows(f"newticket#{sender.lower()}", windows, now, previous=sliding)
        exceeded: Flooding | None = None
        for limit in self.limits:
            count = float(counts[limit.name])
            if limit.sliding:
                elapsed = (now.timestamp() % limit.window_seconds) / limit.window_seconds
                count += counts[f"{limit.name}:previous"] * (1 - elapsed)
            if count > limit.limit and exceeded is None:
                exceeded = Flooding(limit, round(count, 1))
        return exceeded
