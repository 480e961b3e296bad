"""Who may get outbound mail, and how much: the recipient policy and the loop-protection caps.

Two desks that acknowledge each other's mail, or an autoresponder that opens a ticket with every answer,
would mail each other forever. Automatic mail (acknowledgements, canned replies, reminders, notifications)
is therefore never sent to no-reply or system mailboxes, and per-recipient and per-ticket caps over fixed
windows stop a loop that gets through anyway. The reference numbers are Zammad's: at most 10 mails per ticket
and recipient in 10 minutes (25 in an hour) and 30 per recipient in 10 minutes (120 in an hour).

Counters are fixed windows (DynamoDB items with a TTL), counted with ``MailRepository.hit_windows``: the caps
of one recipient (or one ticket and recipient) share an item per hour, so a mail costs one UpdateItem per
scope, not one per cap. A fixed window lets up to twice a limit through around a window boundary; the longer
windows bound that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.storage.ports import MailRepository

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings
    from chalicelib.mailflow.compose import Mailbox


class Scope(StrEnum):
    RECIPIENT = "recipient"  # every mail to the address
    TICKET_RECIPIENT = "ticket"  # mail to the address about one ticket


@dataclass(frozen=True)
class Cap:
    scope: Scope
    window_seconds: int
    limit: int
    # Only mail of these kinds counts against the cap (None: every kind).
    kinds: frozenset[str] | None = None

    def group(self, ticket_id: str, address: str) -> str:
        """The counters' item for this scope and subject (every cap of it counts there)."""
        subject = address.lower() if self.scope is Scope.RECIPIENT else f"{ticket_id}#{address.lower()}"
        return f"mail#{self.scope}#{subject}"

    @property
    def name(self) -> str:
        """The counter's name in its group; the window length is part of it, so two windows never share one."""
        only = f"{'+'.join(sorted(self.kinds))}#" if self.kinds else ""
        return f"{only}{self.window_seconds}"

    def counter(self, ticket_id: str, address: str) -> str:
        return f"{self.group(ticket_id, address)}#{self.name}"

    def applies_to(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


# At most one acknowledgement per address an hour: an autoresponder that opens a ticket with every answer
# (see ``floods``) gets one acknowledgement, not one per round.
ACKNOWLEDGEMENT_CAP = Cap(Scope.RECIPIENT, 3600, 1, frozenset({"acknowledgement"}))
DEFAULT_CAPS = (
    Cap(Scope.TICKET_RECIPIENT, 600, 10),
    Cap(Scope.TICKET_RECIPIENT, 3600, 25),
    Cap(Scope.RECIPIENT, 600, 30),
    Cap(Scope.RECIPIENT, 3600, 120),
    ACKNOWLEDGEMENT_CAP,
)


@dataclass(frozen=True)
class Exceeded:
    address: str
    cap: Cap
    count: int

    def describe(self) -> str:
        per = "per recipient" if self.cap.scope is Scope.RECIPIENT else "per ticket and recipient"
        what = f"{'/'.join(sorted(self.cap.kinds))} mails" if self.cap.kinds else "mails"
        return f"{self.count} > {self.cap.limit} {what} {per} in {self.cap.window_seconds} s"


class MailCaps:
    def __init__(self, repo: MailRepository, caps: tuple[Cap, ...] = DEFAULT_CAPS) -> None:
        self.repo = repo
        self.caps = caps

    def count(self, ticket_id: str, address: str, now: datetime, kind: str = "") -> Exceeded | None:
        """Count one mail to ``address`` about the ticket in every window; the first cap it exceeds, if any.

        Every window is counted even past a cap, so a loop that keeps trying stays capped until its windows
        end rather than getting a mail through each time a shorter window restarts.
        """
        applicable = [c for c in self.caps if c.applies_to(kind)]
        groups: dict[str, list[Cap]] = {}
        for cap in applicable:
            groups.setdefault(cap.group(ticket_id, address), []).append(cap)
        counts: dict[Cap, int] = {}
        for group, caps in groups.items():
            longest = max(c.window_seconds for c in caps)
            # Windows that do not divide the longest (a configured cap) get an item of their own.
            if all(longest % c.window_seconds == 0 for c in caps):
                batches = [(group, caps)]
            else:
                batches = [(f"{group}#{c.window_seconds}", [c]) for c in caps]
            for name, batch in batches:
                found = self.repo.hit_windows(name, [(c.name, c.window_seconds) for c in batch], now)
                counts.update({c: found[c.name] for c in batch})
        exceeded: Exceeded | None = None
        for cap in applicable:
            if counts[cap] > cap.limit and exceeded is None:
                exceeded = Exceeded(address, cap, counts[cap])
        return exceeded


# Mailboxes nobody reads, or that answer automatically: automatic mail to them can only bounce or loop.
_NO_REPLY = re.compile(
    # families with any suffix (no-reply-billing@, bounces+123@), then system names with a +tag at most
    r"^(?:(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|mailer[-_.]?daemon|bounces?)(?:[-_.+].*)?"
    r"|(?:postmaster|abuse|root|nobody)(?:\+.*)?)$"
)


def is_no_reply(address: str) -> bool:
    """``noreply@``, ``no-reply+x@``, ``donotreply@``, ``mailer-daemon@``, ``postmaster@``, ``bounce-123@`` ..."""
    local = address.strip().lower().rpartition("@")[0]
    return bool(_NO_REPLY.match(local))


def automatic_source(data: dict[str, Any]) -> bool:
    """Inbound mail the classifier marked as automatic or bulk (when the inbound side records it on the entry,
    flat or under ``classification``): never answered automatically."""
    from chalicelib.domain.mailthread import automatic_mail

    return automatic_mail(data)


class RecipientPolicy:
    """Why an address may not get a mail (None: it may)."""

    def __init__(self, settings: Settings, mail: MailRepository) -> None:
        self.settings, self.mail = settings, mail

    def refusal(self, address: str, automatic: bool, reply: bool) -> str | None:
        if address.rpartition("@")[2] == self.settings.support_domain.lower() or (
            address == self.settings.support_address.lower()
        ):
            return "own-address"  # it would come straight back in as a new message
        suppression, agent = self.mail.recipient(address)
        if reply and agent:
            return "agent"  # agents read the ticket; a copy of their own reply is noise
        if automatic and is_no_reply(address):
            return "no-reply"
        if suppression:
            return "suppressed"
        return None


def screen(
    to: tuple[Mailbox, ...], cc: tuple[Mailbox, ...], refusal: Callable[[str], str | None]
) -> tuple[tuple[Mailbox, ...], tuple[Mailbox, ...], dict[str, str]]:
    """``(to, cc, dropped)``: the recipients that may get the mail (each once; Cc moves up when no To is
    left) and why each other address may not."""
    dropped: dict[str, str] = {}
    kept: set[str] = set()

    def allowed(box: Mailbox) -> bool:
        reason = "duplicate" if box.email in kept else refusal(box.email)
        if reason:
            dropped.setdefault(box.email, reason)
            return False
        kept.add(box.email)
        return True

    kept_to = tuple(b for b in to if allowed(b))
    kept_cc = tuple(b for b in cc if allowed(b))
    return (kept_to, kept_cc, dropped) if kept_to else (kept_cc, (), dropped)
