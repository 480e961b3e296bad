"""A ticket's mail conversation, kept as it goes: what outbound mail needs to thread, read in bounded requests.

Mail to the requester carries ``In-Reply-To``/``References`` built from the conversation up to its event
(docs/decisions/021-outbound-mail.md). Walking back from the event through the timeline: the Message-IDs of
the mail Lambdesk sent for each entry (a reply, an acknowledgement, a reminder) until the newest inbound mail,
then each inbound mail's Message-ID and References, until 20 ids are gathered. The walk read the whole
timeline on every mail (a reply after 95 internal notes read them all). Now every write keeps what the walk
needs (docs/decisions/011-cost-end-to-end.md), in the same transaction:

- ``MailThread`` (its own item next to the ticket, ``TMAIL``; not on the ticket item, which every view index
  copies whole: a KB there costs a write unit in each of up to eight indexes on every ticket write): the
  inbound mails the walk can reach, newest first, each with its ids (its Message-ID, then its References
  newest first). Only an inbound mail changes it (an empty one is not stored: version 0). ``stamp``: the
  ticket version that wrote it; the ticket item names it (``Ticket.mail_thread_version``), so a reader knows
  the item it got is the one that goes with the ticket it got.
- The mail Lambdesk sent since the newest inbound mail is what the copies under ``sent/<ticket>/`` say: their
  keys are the entry ids (time-ordered), their headers the kind and the Message-ID recipients saw.
- The newest customer message (a notice quotes it; a trigger's reply does not answer automatic mail): the
  thread's newest mail, which keeps whether it was automatic or bulk, unless a portal, chat or API message came
  after it: then the ticket item names that one (``CustomerMark``, ~40 bytes).

Each part keeps the ticket version that wrote it, so a mail of an older event threads as of its own version,
or says it cannot (``threads_at``) and the caller walks the timeline as before. A ticket written before this
(``mail_thread_version`` None) walks, as does one a write left unknown.
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
    return entry.event in CONVERSATION_EVENTS or (entry.event == "message.added" and entry.public)


def changes_thread(entries: Iterable[TimelineEntry]) -> bool:
    """A write of these entries changes the ``MailThread`` (it holds an inbound mail)."""
    return any(inbound_ids(e) for e in entries)


def customer_message(entry: TimelineEntry) -> bool:
    from chalicelib.domain.timeline import ActorKind, EntryKind

    return entry.kind is EntryKind.MESSAGE and entry.author.kind is ActorKind.CUSTOMER


@dataclass(frozen=True)
class Inbound:
    """An inbound mail in the chain: its Message-ID, then its References newest first, less the ids a newer
    mail of the thread already gives (they would be dropped as repeats); ``count``: how many it had (the walk
    stops by that count, repeats included)."""

    entry_id: str
    version: int
    ids: tuple[str, ...]
    count: int
    automatic: bool = False  # automatic or bulk mail (as the inbound side marked it)


@dataclass(frozen=True)
class CustomerMark:
    """The newest message by a customer when it is not an inbound mail (a portal, chat or API message): where it
    is. None on a ticket that keeps its thread: the newest customer message is the thread's newest inbound mail
    (so a mail desk's ticket item carries nothing more than the thread's version)."""

    entry_id: str
    version: int
    automatic: bool = False

    @classmethod
    def after(cls, mark: CustomerMark | None, written: Sequence[TimelineEntry]) -> CustomerMark | None:
        for entry in sorted(written, key=lambda e: e.id, reverse=True):
            if customer_message(entry):
                return None if inbound_ids(entry) else cls(entry.id, entry.ticket_version, automatic_mail(entry.data))
        return mark

    def at(self, version: int) -> bool:
        """It was the newest at ``version`` too."""
        return self.version <= version

    def as_data(self) -> list[Any]:
        return [self.entry_id, self.version, self.automatic]

    @classmethod
    def from_data(cls, data: list[Any]) -> CustomerMark:
        return cls(str(data[0]), int(data[1]), bool(data[2]))


@dataclass(frozen=True)
class MailThread:
    inbound: tuple[Inbound, ...] = ()
    stamp: int = 0  # the ticket version that wrote it (0: empty, not stored)

    def advance(self, entries: Sequence[TimelineEntry]) -> MailThread:
        """The conversation after one write's ``entries`` (in timeline order), stamped with their version."""
        inbound, known = self.inbound, {i.entry_id for i in self.inbound}
        for entry in sorted(entries, key=lambda e: e.id):
            ids = inbound_ids(entry)
            if ids and entry.id not in known:  # (not taken already: a write's entries passed on twice)
                mail = Inbound(entry.id, entry.ticket_version, tuple(ids), len(ids), automatic_mail(entry.data))
                inbound = _reachable((mail, *inbound))
        if inbound == self.inbound:
            return self
        return MailThread(inbound, max(e.ticket_version for e in entries))

    def merged(self, source: Sequence[TimelineEntry], version: int) -> MailThread:
        """This (a merge's target) with a merged ticket's whole timeline joining it at ``version``, in the
        timeline's order as the walk reads it. (The source's sent mail is kept under its own id: the walk of the
        target never found it.)"""
        theirs = MailThread().advance(source)
        joined = tuple(replace(i, version=version) for i in theirs.inbound)
        inbound = _reachable(tuple(sorted((*self.inbound, *joined), key=lambda i: i.entry_id, reverse=True)))
        return MailThread(inbound, version if inbound else 0)

    def threads_at(self, version: int) -> bool:
        """What this keeps is the conversation as of ``version`` (no inbound mail came after it)."""
        return all(i.version <= version for i in self.inbound)

    def chain(
        self, event_id: str, copies: Iterable[str], sent_id: Callable[[str], str | None], limit: int = MAX_REFERENCES
    ) -> tuple[str | None, tuple[str, ...]]:
        """``(In-Reply-To, References)`` of the mail of event ``event_id`` (``threads_at`` its version): what
        ``compose.thread`` gives for the timeline up to it. ``copies``: the entry ids the ticket's sent mail was
        kept under; ``sent_id``: the Message-ID recipients saw on the mail sent for one, None when it was not
        mail in the conversation (a notice to agents)."""
        after = self.inbound[0].entry_id if self.inbound else ""
        newest_first: list[str] = []
        for entry_id in sorted((c for c in copies if after < c < event_id), reverse=True):
            if len(newest_first) >= limit:
                break
            found = sent_id(entry_id)
            if found:
                newest_first.append(found)
        walked = len(newest_first)
        for mail in self.inbound:
            if walked >= limit:
                break
            newest_first.extend(mail.ids)
            walked += mail.count
        unique = list(dict.fromkeys(newest_first))[:limit]
        return (unique[0] if unique else None), tuple(reversed(unique))

    # -- as its item keeps it --------------------------------------------------------------------------

    def as_data(self) -> dict[str, Any]:
        mails = [[i.entry_id, i.version, list(i.ids), i.count, *([1] if i.automatic else [])] for i in self.inbound]
        return {"i": mails, "v": self.stamp}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> MailThread:
        inbound = (
            Inbound(str(m[0]), int(m[1]), tuple(map(str, m[2])), int(m[3]), len(m) > 4) for m in data.get("i") or ()
        )
        return cls(inbound=tuple(inbound), stamp=int(data.get("v") or 0))


def created_thread(entries: Sequence[TimelineEntry]) -> dict[str, Any]:
    """The mail thread fields of a ticket created with ``entries`` (``Ticket.mail_thread_version``, ...)."""
    thread = MailThread().advance(entries)
    return {
        "mail_thread_version": thread.stamp,
        "mail_thread": thread,
        "customer_mark": CustomerMark.after(None, entries),
    }


def newest_customer_message(
    thread: MailThread | None, mark: CustomerMark | None, version: int
) -> tuple[str, bool] | None:
    """``(entry id, automatic)`` of a ticket's newest customer message at ``version``, from its mark and its
    thread; None when they do not say (a customer message landed after ``version``, the thread is unknown)."""
    if mark is not None:
        return (mark.entry_id, mark.automatic) if mark.at(version) else None
    if thread is None or not thread.inbound or not thread.threads_at(version):
        return None
    return thread.inbound[0].entry_id, thread.inbound[0].automatic


def after_write(
    known_as_of: int | None, state: MailThread | None, written: Sequence[TimelineEntry], version: int
) -> tuple[int | None, MailThread | None]:
    """``(mail_thread_version, mail_thread)`` of a ticket after a write of ``written`` at ``version``, from the
    ticket's before it: unchanged when the write changes no thread; None when the ticket's thread is unknown
    (stays unknown); the state advanced when the writer read it with the ticket (``state.stamp`` is the ticket's
    ``mail_thread_version``), else None for the repository to read and advance (``settle``)."""
    if not changes_thread(written):
        return known_as_of, state
    if known_as_of is None:
        return None, None
    if known_as_of == 0:
        state = MailThread()  # known to be empty: nothing stored to read
    if state is not None and state.stamp == known_as_of:
        return version, replace(state.advance(written), stamp=version)
    return version, None


def settle(
    known_as_of: int | None,
    state: MailThread | None,
    written: Sequence[TimelineEntry],
    version: int,
    stored: Callable[[], MailThread | None],
) -> tuple[int | None, MailThread | None]:
    """What a repository writes for a ticket at ``version`` with ``written``: ``(mail_thread_version, the
    MailThread item to put or None)``. ``stored``: the item as stored now (a consistent read; the ticket's
    version condition makes it the one that goes with the ticket written over)."""
    if known_as_of != version:
        # The write changes no thread, or keeps none; one that changes it without saying so leaves it unknown.
        return (None, None) if changes_thread(written) else (known_as_of, None)
    if state is not None and state.stamp == version:
        return version, state
    previous = stored()
    if previous is None:
        return None, None
    return version, replace(previous.advance(written), stamp=version)


def _reachable(inbound: tuple[Inbound, ...]) -> tuple[Inbound, ...]:
    """The inbound mails (newest first) a walk reaches before it has ``MAX_REFERENCES`` ids: it takes a mail's
    ids while it has fewer, counting repeats (sent mail before them only shortens the walk)."""
    kept: list[Inbound] = []
    count, seen = 0, set[str]()
    for mail in inbound:
        if count >= MAX_REFERENCES:
            break
        kept.append(replace(mail, ids=tuple(i for i in mail.ids if i not in seen)))
        count += mail.count
        seen.update(mail.ids)
    return tuple(kept)
