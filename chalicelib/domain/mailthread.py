"""A ticket's mail conversation as its head item keeps it: what outbound mail needs to thread, bounded.

Mail to the requester carries ``In-Reply-To``/``References`` built from the conversation up to its event
(docs/decisions/021-outbound-mail.md). Walking back from the event through the timeline: the Message-IDs of
the mail Lambdesk sent for each entry (a reply, an acknowledgement, a reminder) until the newest inbound mail,
then each inbound mail's Message-ID and References, until 20 ids are gathered. The walk read the whole
timeline on every mail (a reply after 95 internal notes read them all); the head now keeps what it needs,
advanced by every write in the same item (``Ticket.mail_thread``, docs/decisions/011-cost-end-to-end.md):

- ``inbound``: the inbound mails the walk can reach, newest first, each with its ids (its Message-ID, then its
  References newest first), as many as fill the chain;
- ``sent``: the entries since the newest inbound mail whose mail may have gone to the customer, newest first
  (the copies under ``sent/`` say whether it did, and with which Message-ID);
- ``customer``: the newest message by a customer (any channel), and whether it was automatic or bulk mail.

Each keeps the ticket version that wrote it, so a mail of an older event threads as of its own version, or
says it cannot (``threads_at``) and the caller walks the timeline as before. ``None`` on a ticket: written
before the head kept this; those tickets walk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.domain.timeline import TimelineEntry

# References keeps the newest ids of the conversation (RFC 5322 allows trimming; clients thread on any of them).
MAX_REFERENCES = 20
# Entries since the newest inbound mail that may have mailed the customer (a mail not sent leaves a gap).
MAX_SENT = 25
# Events other than public messages whose mail joins the customer's conversation (and its threading chain).
CONVERSATION_EVENTS = frozenset({"ticket.created", "ticket.reminded"})
_MESSAGE_ID = re.compile(r"^[^<>\s\"]+$")


def clean_id(value: object) -> str | None:
    """A Message-ID without brackets or whitespace; None when it is not one."""
    if not isinstance(value, str):
        return None
    candidate = value.strip().strip("<>").strip()
    return candidate if candidate and _MESSAGE_ID.match(candidate) else None


def reference_ids(value: object) -> list[str]:
    """The ids of a ``References`` value as an entry keeps it (a list, or one string), oldest first."""
    items: Iterable[object] = value.split() if isinstance(value, str) else value if isinstance(value, list) else ()
    return [i for i in (clean_id(item) for item in items) if i]


def automatic_mail(data: dict[str, Any]) -> bool:
    """Inbound mail the classifier marked as automatic or bulk (when the inbound side records it on the entry,
    flat or under ``classification``): never answered automatically."""
    nested = data.get("classification")
    flags: dict[str, Any] = nested if isinstance(nested, dict) else data
    return any(bool(flags.get(name)) for name in ("auto_reply", "bulk", "bounce", "complaint"))


def inbound_ids(entry: TimelineEntry) -> list[str]:
    """An inbound mail's own Message-ID then its References, newest first; empty for any other entry (notes
    are mail the customer never saw)."""
    own = clean_id(entry.data.get("message_id")) if entry.public else None
    return [own, *reversed(reference_ids(entry.data.get("references")))] if own else []


def mails_customer(entry: TimelineEntry) -> bool:
    """An entry whose event may have sent the customer a mail in the conversation."""
    from chalicelib.domain.timeline import ActorKind

    if entry.event in CONVERSATION_EVENTS:
        return True
    return entry.event == "message.added" and entry.public and entry.author.kind is not ActorKind.CUSTOMER


@dataclass(frozen=True)
class Posted:
    """Where an entry is: its id (the timeline's order) and the ticket version that wrote it."""

    entry_id: str
    version: int


@dataclass(frozen=True)
class Inbound:
    entry_id: str
    version: int
    ids: tuple[str, ...]  # its Message-ID, then its References newest first


@dataclass(frozen=True)
class MailThread:
    inbound: tuple[Inbound, ...] = ()
    sent: tuple[Posted, ...] = ()
    customer: Posted | None = None
    automatic: bool = False  # the newest customer message is automatic or bulk mail

    def advance(self, entries: Sequence[TimelineEntry]) -> MailThread:
        """The conversation after one write's ``entries`` (in timeline order)."""
        from chalicelib.domain.timeline import ActorKind, EntryKind

        state = self
        known = {i.entry_id for i in self.inbound} | {p.entry_id for p in self.sent}
        for entry in sorted(entries, key=lambda e: e.id):
            if entry.id in known:
                continue  # taken already (a write's entries passed on twice)
            ids = inbound_ids(entry)
            if ids:
                state = replace(
                    state,
                    inbound=_reachable((Inbound(entry.id, entry.ticket_version, tuple(ids)), *state.inbound)),
                    sent=(),
                )
            elif mails_customer(entry):
                state = replace(state, sent=(Posted(entry.id, entry.ticket_version), *state.sent)[:MAX_SENT])
            if entry.kind is EntryKind.MESSAGE and entry.author.kind is ActorKind.CUSTOMER:
                state = replace(
                    state, customer=Posted(entry.id, entry.ticket_version), automatic=automatic_mail(entry.data)
                )
        return state

    def merged(self, source: Sequence[TimelineEntry], version: int) -> MailThread:
        """This (a merge's target) with a merged ticket's whole timeline joining it at ``version``, in the
        timeline's order as the walk reads it. The source's own sent mail is kept under its own id (the walk of
        the target never found it): only its inbound mail and customer messages count."""
        theirs = MailThread().advance(source)
        joined = tuple(replace(i, version=version) for i in theirs.inbound)
        inbound = _reachable(tuple(sorted((*self.inbound, *joined), key=lambda i: i.entry_id, reverse=True)))
        newest = inbound[0].entry_id if inbound else ""
        state = replace(self, inbound=inbound, sent=tuple(p for p in self.sent if p.entry_id > newest))
        if theirs.customer is not None and (self.customer is None or theirs.customer.entry_id > self.customer.entry_id):
            state = replace(state, customer=Posted(theirs.customer.entry_id, version), automatic=theirs.automatic)
        return state

    def threads_at(self, version: int) -> bool:
        """What the head keeps is the conversation as of ``version`` (no inbound mail came after it)."""
        return all(i.version <= version for i in self.inbound)

    def customer_at(self, version: int) -> bool:
        """The newest customer message the head names was there at ``version``."""
        return self.customer is None or self.customer.version <= version

    def chain(
        self, version: int, event_id: str, sent_id: Callable[[str], str | None], limit: int = MAX_REFERENCES
    ) -> tuple[str | None, tuple[str, ...]]:
        """``(In-Reply-To, References)`` of the mail of event ``event_id`` at ``version`` (``threads_at`` it):
        what ``compose.thread`` gives for the timeline up to it. ``sent_id``: the Message-ID recipients saw on
        the mail sent for an entry id, None when none was."""
        newest_first: list[str] = []
        for posted in self.sent:
            if posted.version > version or posted.entry_id == event_id:
                continue
            if len(newest_first) >= limit:
                break
            found = sent_id(posted.entry_id)
            if found:
                newest_first.append(found)
        for mail in self.inbound:
            if len(newest_first) >= limit:
                break
            newest_first.extend(mail.ids)
        unique = list(dict.fromkeys(newest_first))[:limit]
        return (unique[0] if unique else None), tuple(reversed(unique))

    # -- as the head item keeps it ---------------------------------------------------------------------

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "i": [[i.entry_id, i.version, list(i.ids)] for i in self.inbound],
            "s": [[p.entry_id, p.version] for p in self.sent],
        }
        if self.customer is not None:
            data["c"] = [self.customer.entry_id, self.customer.version]
        if self.automatic:
            data["a"] = True
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> MailThread:
        customer = data.get("c")
        return cls(
            inbound=tuple(Inbound(str(e), int(v), tuple(str(i) for i in ids)) for e, v, ids in data.get("i") or ()),
            sent=tuple(Posted(str(e), int(v)) for e, v in data.get("s") or ()),
            customer=Posted(str(customer[0]), int(customer[1])) if customer else None,
            automatic=bool(data.get("a")),
        )


def _reachable(inbound: tuple[Inbound, ...]) -> tuple[Inbound, ...]:
    """The inbound mails (newest first) a walk reaches before it has ``MAX_REFERENCES`` ids: it takes a mail's
    ids while it has fewer, counting repeats (sent mail before them only shortens the walk)."""
    kept, count = [], 0
    for mail in inbound:
        if count >= MAX_REFERENCES:
            break
        kept.append(mail)
        count += len(mail.ids)
    return tuple(kept)
