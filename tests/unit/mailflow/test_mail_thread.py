"""The conversation the ticket head keeps (``domain.mailthread``) threads a mail exactly as walking the timeline
(``compose.thread``) did: checked on seeded random conversations (inbound mail with and without References,
replies with and without a copy, notes from mail, portal messages, reminders, bulk mail), for a mail of every
conversation entry, read when the head is at that version or later, and after merges."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.ids import new_id
from chalicelib.domain.mailthread import (
    MAX_REFERENCES,
    CustomerMark,
    MailThread,
    changes_thread,
    mails_customer,
    newest_customer_message,
)
from chalicelib.domain.timeline import Actor, ActorKind, EntryKind, TimelineEntry
from chalicelib.mailflow.compose import thread

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Conversation:
    """A ticket's timeline written one version at a time, with the head's state after each write."""

    ticket_id: str
    rng: random.Random
    timeline: list[TimelineEntry] = field(default_factory=list)
    states: dict[int, MailThread] = field(default_factory=lambda: {0: MailThread()})
    sent: dict[str, str] = field(default_factory=dict)  # entry id -> the Message-ID its copy holds
    notices: set[str] = field(default_factory=set)  # entries whose mail went to agents (copies kept too)
    ids: list[str] = field(default_factory=list)  # every Message-ID so far (what References can name)

    @property
    def version(self) -> int:
        return max(self.states)

    def write(self, *entries: TimelineEntry) -> TimelineEntry:
        """The entries as one write (one version); returns the first as written."""
        version = self.version + 1
        written = [replace(e, ticket_version=version) for e in entries]
        self.timeline.extend(written)
        self.states[version] = self.states[version - 1].advance(written)
        return written[0]

    def entry(self, event: str, kind: EntryKind, author: ActorKind, **data: Any) -> TimelineEntry:
        return TimelineEntry(self.ticket_id, new_id(), NOW, kind, event, Actor(author, "x"), 7, 0, data=data)

    def inbound(self, kind: EntryKind = EntryKind.MESSAGE, author: ActorKind = ActorKind.CUSTOMER) -> TimelineEntry:
        own = f"m{len(self.ids)}-{self.rng.randrange(10**6)}@customer.example"
        shape = self.rng.random()
        if shape < 0.2:
            refs: Any = []  # a client that sends none (threaded by the reply address)
        elif shape < 0.7:
            refs = self.ids[-self.rng.randrange(1, 30) :]  # the newest ones, as clients keep them
        elif shape < 0.85:
            refs = " ".join(f"<{i}>" for i in self.rng.sample(self.ids, min(len(self.ids), 3)))  # one string
        else:
            refs = self.rng.sample(self.ids, min(len(self.ids), self.rng.randrange(0, 8)))
        self.ids.append(own)
        data: dict[str, Any] = {"message_id": f"<{own}>", "references": refs}
        if self.rng.random() < 0.1:
            data["bulk"] = True
        return self.entry("message.added" if kind is EntryKind.MESSAGE else "note.added", kind, author, **data)

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.25:
            self.write(self.inbound())
        elif roll < 0.5:
            reply = self.entry("message.added", EntryKind.MESSAGE, ActorKind.AGENT)
            self.write(reply, self.entry("ticket.updated", EntryKind.EVENT, ActorKind.AGENT))
            self._maybe_sent(reply)
        elif roll < 0.6:
            self.write(self.inbound(EntryKind.NOTE, ActorKind.AGENT))  # an agent's mail, kept as a note
        elif roll < 0.7:
            self.write(self.entry("message.added", EntryKind.MESSAGE, ActorKind.CUSTOMER))  # portal
        elif roll < 0.8:
            reminded = self.entry("ticket.reminded", EntryKind.EVENT, ActorKind.SYSTEM)
            self.write(reminded)
            self._maybe_sent(reminded)
        elif roll < 0.9:
            self.write(self.entry("note.added", EntryKind.NOTE, ActorKind.AGENT))
        else:
            assigned = self.write(self.entry("ticket.assigned", EntryKind.EVENT, ActorKind.SYSTEM))
            self.notices.add(assigned.id)  # the assignee's notification: its copy is no mail to the customer

    def _maybe_sent(self, entry: TimelineEntry) -> None:
        if self.rng.random() < 0.8:  # some mail is never sent (suppressed, capped, portal-only requesters)
            sent_id = f"ses-{len(self.ids)}@email.amazonses.com"
            self.sent[entry.id] = sent_id
            self.ids.append(sent_id)

    def copies(self) -> set[str]:
        """The entry ids under ``sent/<ticket>/``."""
        return set(self.sent) | self.notices

    def walked(self, event: TimelineEntry) -> tuple[str | None, tuple[str, ...]]:
        """What the walk of the timeline up to the event gives (the timeline as outbound read it)."""
        earlier = [e for e in sorted(self.timeline, key=lambda e: e.id) if e.ticket_version <= event.ticket_version]
        return thread(
            [e for e in earlier if e.id != event.id], lambda e: self.sent.get(e.id) if mails_customer(e) else None
        )


def opened(rng: random.Random) -> Conversation:
    """A ticket opened by mail: ``ticket.created`` (acknowledged) and the customer's first mail."""
    talk = Conversation(new_id(), rng)
    created = talk.entry("ticket.created", EntryKind.EVENT, ActorKind.CUSTOMER, acknowledge=True)
    talk.write(created, talk.inbound())
    talk._maybe_sent(created)
    return talk


@pytest.mark.parametrize("seed", range(60))
def test_the_head_threads_every_mail_as_the_walk_did(seed: int) -> None:
    rng = random.Random(seed)
    talk = opened(rng)
    for _ in range(rng.randrange(5, 60)):
        talk.step()
    checked = 0
    for event in talk.timeline:
        if not mails_customer(event) or (event.public and event.author.kind is ActorKind.CUSTOMER):
            continue  # outbound mails for these: replies, acknowledgements, reminders
        for read_at in {event.ticket_version, rng.randrange(event.ticket_version, talk.version + 1)}:
            head = talk.states[read_at]
            if not head.threads_at(event.ticket_version):
                continue  # an inbound mail landed after the event: outbound walks the timeline instead
            got = head.chain(event.id, talk.copies(), talk.sent.get)
            assert got == talk.walked(event), (seed, event.event, read_at)
            checked += 1
    assert checked


def test_the_head_keeps_a_bounded_conversation() -> None:
    talk = opened(random.Random(3))
    for _ in range(400):
        talk.step()
    head = talk.states[talk.version]
    assert sum(len(i.ids) for i in head.inbound[:-1]) < MAX_REFERENCES
    assert len(str(head.as_data())) < 4000
    assert MailThread.from_data(head.as_data()) == head


def test_a_reply_after_a_hundred_notes_threads_to_the_last_mail() -> None:
    talk = opened(random.Random(5))
    last = talk.inbound()
    talk.write(last)
    for _ in range(120):
        talk.write(talk.entry("note.added", EntryKind.NOTE, ActorKind.AGENT))
    reply = talk.write(talk.entry("message.added", EntryKind.MESSAGE, ActorKind.AGENT))
    head = talk.states[talk.version]
    in_reply_to, references = head.chain(reply.id, talk.copies(), talk.sent.get)
    assert in_reply_to == last.data["message_id"].strip("<>") and references[-1] == in_reply_to
    assert (in_reply_to, references) == talk.walked(reply)


@pytest.mark.parametrize("seed", range(30))
def test_a_merge_threads_the_target_as_the_walk_of_both_timelines(seed: int) -> None:
    rng = random.Random(1000 + seed)
    target, source = opened(rng), opened(rng)
    for _ in range(rng.randrange(0, 25)):
        rng.choice((target, source)).step()  # interleaved: the merged timeline mixes their ids
    version = target.version + 1
    merged = target.states[target.version].merged(source.timeline, version)
    # The target's timeline as the walk reads it after the merge: its own entries and the copies (their own
    # versions, which the walk compares with the event's: at the merge's version, all are older).
    copies = [replace(e, ticket_id=target.ticket_id, ticket_version=1) for e in source.timeline]
    target.timeline.extend(copies)
    target.states[version] = merged
    after = target.write(target.entry("message.added", EntryKind.MESSAGE, ActorKind.AGENT))
    head = target.states[target.version]
    assert head.threads_at(after.ticket_version)
    assert head.chain(after.id, target.copies(), target.sent.get) == target.walked(after)


@pytest.mark.parametrize("seed", range(20))
def test_the_newest_customer_message_is_the_marked_one_or_the_threads_newest_mail(seed: int) -> None:
    talk = opened(random.Random(100 + seed))
    marks = {1: CustomerMark.after(None, talk.timeline)}
    for _ in range(40):
        talk.step()
        written = [e for e in talk.timeline if e.ticket_version == talk.version]
        marks[talk.version] = CustomerMark.after(marks[talk.version - 1], written)
    for version in range(1, talk.version + 1):
        upto = [e for e in talk.timeline if e.ticket_version <= version and e.author.kind is ActorKind.CUSTOMER]
        newest = max((e for e in upto if e.public), key=lambda e: e.id)
        said = newest_customer_message(talk.states[talk.version], marks[talk.version], version)
        if said is not None:  # None: a customer message landed after ``version`` (the draft walks)
            assert said == (newest.id, bool(newest.data.get("bulk"))), version
    mark = marks[talk.version]
    assert mark is None or CustomerMark.from_data(mark.as_data()) == mark
    assert newest_customer_message(talk.states[talk.version], mark, talk.version) is not None


def test_a_write_passed_on_twice_counts_once() -> None:
    talk = opened(random.Random(9))
    mail = talk.write(talk.inbound())
    head = talk.states[talk.version]
    assert head.advance([mail]) == head


def test_only_inbound_mail_changes_the_thread_and_an_empty_one_is_not_stored() -> None:
    talk = Conversation(new_id(), random.Random(4))
    created = talk.write(talk.entry("ticket.created", EntryKind.EVENT, ActorKind.AGENT))
    assert MailThread().advance([created]) == MailThread() and MailThread().stamp == 0
    reply = talk.write(talk.entry("message.added", EntryKind.MESSAGE, ActorKind.AGENT))
    assert not changes_thread([reply]) and changes_thread([talk.write(talk.inbound())])
