"""ChatRepository: one contract, the in-memory fake and DynamoDB (moto server)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import AlreadyExists, AtCapacity, Conflict, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.chat import ChatEvent, Connection, Conversation, ConversationState, Grant, Side
from chalicelib.domain.tickets import Channel, Ticket
from chalicelib.domain.timeline import SYSTEM, TimelineEntry
from chalicelib.storage import keys
from chalicelib.storage.ports import Key

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@dataclass
class Repos:
    tickets: Any
    chat: Any


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> Repos:
    if request.param == "memory":
        from tests.fakes.memory import InMemoryTicketRepository
        from tests.fakes.memory_chat import InMemoryChatRepository

        tickets = InMemoryTicketRepository()
        return Repos(tickets, InMemoryChatRepository(tickets))
    request.getfixturevalue("table")
    from chalicelib.storage.dynamodb.chat import DynamoChatRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository

    return Repos(DynamoTicketRepository(), DynamoChatRepository())


def conversation(**changes: Any) -> Conversation:
    base = Conversation(new_id(), new_id(), "C1", T0, ConversationState.QUEUED, T0, "hash", queued_at=T0)
    return replace(base, **changes)


def test_a_conversation_is_stored_once_and_replaced_only_from_its_version(repos: Repos) -> None:
    c = conversation()
    repos.chat.create_conversation(c)
    with pytest.raises(AlreadyExists):
        repos.chat.create_conversation(c)
    ringing = replace(c, state=ConversationState.RINGING, ring_agent_id="A1", ring_until=T0, version=2)
    repos.chat.save_conversation(ringing, 1)
    with pytest.raises(Conflict):
        repos.chat.save_conversation(replace(c, version=2), 1)
    assert repos.chat.get_conversation(c.id, consistent=True) == ringing
    with pytest.raises(NotFound):
        repos.chat.get_conversation(new_id())


def test_due_conversations_are_read_from_the_due_index(repos: Repos) -> None:
    soon, later, over = conversation(due_at=T0), conversation(due_at=T0 + timedelta(hours=1)), conversation()
    for c in (soon, later, over):
        repos.chat.create_conversation(c)
    assert repos.chat.due_conversations(T0 + timedelta(seconds=1), 10) == [soon.id]


def test_seq_counts_up_per_conversation(repos: Repos) -> None:
    assert [repos.chat.next_seq("a"), repos.chat.next_seq("a"), repos.chat.next_seq("b")] == [1, 2, 1]


def test_the_log_is_read_in_order_after_a_seq(repos: Repos) -> None:
    for seq in (3, 1, 12, 2):
        repos.chat.put_event("conv", ChatEvent(seq, "message", T0, Side.CUSTOMER, f"m{seq}"))
    repos.chat.put_connection(Connection("sock", Side.CUSTOMER, T0, T0 + timedelta(hours=3), "conv"))
    assert [e.body for e in repos.chat.events_since("conv", 1, 10)] == ["m2", "m3", "m12"]
    assert [e.seq for e in repos.chat.events_since("conv", 0, 2)] == [1, 2]


def test_a_claimed_entry_is_logged_once(repos: Repos) -> None:
    event = ChatEvent(7, "message", T0, Side.AGENT, "hi", {"x": 1})
    assert repos.chat.append("conv", event, claim=keys.chat_entry("E1")) is True
    assert repos.chat.append("conv", replace(event, seq=8), claim=keys.chat_entry("E1")) is False
    assert repos.chat.claimed(keys.chat_entry("E1")) == 7
    assert repos.chat.events_since("conv", 0, 10) == [event]


def test_a_claim_written_with_the_ticket_is_seen_by_the_chat(repos: Repos) -> None:
    ticket = Ticket(new_id(), repos.tickets.allocate_number(), "Chat", "C1", Channel.CHAT, T0, T0)
    created = TimelineEntry.system(ticket, "ticket.created", SYSTEM, T0)
    repos.tickets.create(ticket, [created], claims=[Key(keys.chat_client_message("conv", "cid-1234"), "5")],
                         lookups=[Key(keys.chat_ticket(ticket.id), "conv")])  # fmt: skip
    assert repos.chat.claimed(keys.chat_client_message("conv", "cid-1234")) == 5
    assert repos.chat.conversation_for_ticket(ticket.id) == "conv"
    assert repos.chat.conversation_for_ticket(new_id()) is None


def test_the_waiting_line_is_oldest_first(repos: Repos) -> None:
    repos.chat.enqueue("b", T0 + timedelta(seconds=5))
    repos.chat.enqueue("a", T0)
    repos.chat.enqueue("c", T0 + timedelta(seconds=9))
    repos.chat.dequeue("b", T0 + timedelta(seconds=5))
    assert repos.chat.queued(10) == ["a", "c"]


def test_sockets_are_found_by_conversation_and_agent_until_they_go(repos: Repos) -> None:
    later = T0 + timedelta(hours=3)
    customer = Connection("c1", Side.CUSTOMER, T0, later, conversation_id="conv")
    agent = Connection("a1", Side.AGENT, T0, later, agent_id="A1")
    expired = Connection("c0", Side.CUSTOMER, T0, T0 + timedelta(seconds=1), conversation_id="conv")
    for connection in (customer, agent, expired):
        repos.chat.put_connection(connection)
    now = T0 + timedelta(minutes=1)
    assert repos.chat.conversation_connections("conv", now) == ["c1"]
    assert repos.chat.agent_connections("A1", now) == ["a1"]
    assert repos.chat.get_connection("c1", now) == customer
    assert repos.chat.get_connection("c0", now) is None
    repos.chat.delete_connection(customer)
    repos.chat.delete_connection(customer)
    assert repos.chat.conversation_connections("conv", now) == []


def test_a_connect_token_is_taken_once_and_not_after_it_expires(repos: Repos) -> None:
    grant = Grant(Side.CUSTOMER, T0 + timedelta(seconds=60), conversation_id="conv")
    repos.chat.put_grant("h1", grant)
    repos.chat.put_grant("h2", grant)
    assert repos.chat.take_grant("h1", T0) == grant
    assert repos.chat.take_grant("h1", T0) is None
    assert repos.chat.take_grant("h2", T0 + timedelta(seconds=61)) is None


def test_a_hold_the_conversation_relies_on_is_kept_and_a_ring_out_drops_it_with_the_save(repos: Repos) -> None:
    repos.chat.heartbeat("A2", "Ann", 3, T0)
    c = conversation()
    repos.chat.create_conversation(c)
    repos.chat.reserve("A2", c.id, T0 - timedelta(minutes=2))
    ringing = replace(c, state=ConversationState.RINGING, ring_agent_id="A2", version=2)
    repos.chat.save_conversation(ringing, 1)
    # A writer that lost the race for this chat (it reserved the same agent) cannot drop the winner's hold.
    assert repos.chat.release("A2", c.id) is False
    active = replace(ringing, state=ConversationState.ACTIVE, agent_id="A2", ring_agent_id=None, version=3)
    repos.chat.save_conversation(active, 2)
    assert repos.chat.release("A2", c.id) is False
    assert c.id in next(p for p in repos.chat.presences() if p.agent_id == "A2").chats
    # Rung out instead: back in line and released in one write; a stale write releases nothing.
    back = replace(active, state=ConversationState.QUEUED, agent_id=None, version=4)
    with pytest.raises(Conflict):
        repos.chat.save_conversation(back, 2, release="A2")
    assert c.id in next(p for p in repos.chat.presences() if p.agent_id == "A2").chats
    repos.chat.save_conversation(back, 3, release="A2")
    assert c.id not in next(p for p in repos.chat.presences() if p.agent_id == "A2").chats
    assert repos.chat.get_conversation(c.id, consistent=True) == back


def test_a_chat_is_reserved_only_while_the_agent_is_fresh_and_has_room(repos: Repos) -> None:
    repos.chat.heartbeat("A1", "Ann", 2, T0)
    repos.chat.reserve("A1", "c1", T0 - timedelta(minutes=2))
    repos.chat.reserve("A1", "c2", T0 - timedelta(minutes=2))
    with pytest.raises(AtCapacity):
        repos.chat.reserve("A1", "c3", T0 - timedelta(minutes=2))
    assert repos.chat.release("A1", "c1") is True
    assert repos.chat.release("A1", "c1") is False
    with pytest.raises(AtCapacity):
        repos.chat.reserve("A1", "c3", T0 + timedelta(seconds=1))  # heartbeat older than that
    with pytest.raises(AtCapacity):
        repos.chat.reserve("B1", "c3", T0 - timedelta(minutes=2))  # never present
    repos.chat.count_missed("A1")
    (presence,) = repos.chat.presences()
    assert (presence.agent_id, presence.name, presence.capacity, presence.chats, presence.missed) == (
        "A1", "Ann", 2, frozenset({"c2"}), 1,
    )  # fmt: skip


def test_a_frame_counter_counts_per_window(repos: Repos) -> None:
    assert [repos.chat.hit("s", 10, T0) for _ in range(3)] == [1, 2, 3]
    assert repos.chat.hit("s", 10, T0 + timedelta(seconds=10)) == 1
