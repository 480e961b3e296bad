"""Chat routing: presence, capacity enforced at write time, the ring and missed chats, the waiting line."""

from __future__ import annotations

import contextlib
import random
import threading
from datetime import timedelta
from typing import Any

from chalicelib.chat.ring import Availability, rank
from chalicelib.core.errors import AtCapacity
from chalicelib.domain.chat import ConversationState, Presence
from tests.unit.chat.conftest import T0


def test_rank_prefers_the_least_loaded_present_agent_with_room() -> None:
    presences = [
        Presence("a", "A", T0, 3, frozenset({"x", "y"})),
        Presence("b", "B", T0, 3, frozenset({"x"})),
        Presence("c", "C", T0 - timedelta(minutes=5), 3),  # heartbeat too old
        Presence("d", "D", T0, 2, frozenset({"x", "y"})),  # full
        Presence("e", "E", T0, 3, frozenset({"x"}), missed=4),
    ]
    assert rank(presences, T0, timedelta(minutes=2)) == ["b", "e", "a"]
    assert rank(presences, T0, timedelta(minutes=2), exclude=["b"]) == ["e", "a"]


def test_availability_says_online_busy_or_offline(desk: Any) -> None:
    assert desk.router.availability() is Availability.OFFLINE
    ann = desk.agent("ann@desk.example", capacity=1)
    desk.agent_socket(ann)
    assert desk.router.availability() is Availability.ONLINE
    desk.start()
    assert desk.router.availability() is Availability.BUSY
    desk.clock.advance(121)  # no heartbeat for over two minutes
    assert desk.router.availability() is Availability.OFFLINE


def test_a_ring_that_runs_out_goes_to_the_next_agent_and_counts_a_missed_chat(desk: Any) -> None:
    from chalicelib.bootstrap import handlers

    ann, ben = desk.agent("ann@desk.example"), desk.agent("ben@desk.example")
    desk.agent_socket(ann)
    ben_socket = desk.agent_socket(ben)
    started = desk.start()
    first = started.conversation.ring_agent_id
    desk.clock.advance(31)
    desk.ws.frame(desk.agent_socket(ben), '{"action":"ping"}')  # keeps ben present
    assert handlers.chat_sweep()["rung_out"] == 1
    after = desk.chat.get(started.conversation.id)
    assert after.state is ConversationState.RINGING and after.ring_agent_id != first
    assert after.missed_by == (first,)
    missed = {p.agent_id: p.missed for p in desk.c.repos.chat.presences()}
    assert missed[first] == 1 and missed[after.ring_agent_id] == 0
    assert desk.sockets.frames(ben_socket, "offer") or after.ring_agent_id == ann.id


def test_a_ring_runs_out_at_the_customers_next_ping(desk: Any) -> None:
    ann, ben = desk.agent("ann@desk.example"), desk.agent("ben@desk.example")
    desk.agent_socket(ann), desk.agent_socket(ben)
    started = desk.start()
    customer = desk.customer_socket(started)
    desk.clock.advance(31)
    for agent in (ann, ben):
        desk.c.repos.chat.heartbeat(agent.id, agent.name, 3, desk.clock())
    desk.frame(customer, action="ping")
    assert desk.chat.get(started.conversation.id).missed_by == (started.conversation.ring_agent_id,)


def test_a_hundred_chats_never_put_an_agent_over_capacity(desk: Any) -> None:
    """5 agents of chat capacity 3, 100 chats: started, accepted, rung out, taken from the line and ended in a
    random order by 4 concurrent threads. After every step no agent holds more than 3 chats; at the end every
    chat an agent holds is ringing or active, and every ringing or active chat is held once."""
    from chalicelib.core.errors import Conflict

    agents = [desk.agent(f"agent{i}@desk.example", capacity=3) for i in range(5)]
    for agent in agents:
        desk.agent_socket(agent)
    desk.chat.queue_limit = 200
    chats = [desk.start(f"chat {n}").conversation for n in range(100)]
    assert sum(c.state is ConversationState.RINGING for c in chats) == 15
    repo, over, lock = desk.c.repos.chat, [], threading.Lock()

    def work(seed: int) -> None:
        local = random.Random(seed)
        for _ in range(80):
            with contextlib.suppress(AtCapacity, Conflict):
                _random_step(desk, chats, agents, lock, local)
            over.extend(p for p in repo.presences() if len(p.chats) > p.capacity)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert over == []
    held = [c for p in repo.presences() for c in p.chats]
    live = {c.id for c in chats if desk.chat.get(c.id).state in (ConversationState.RINGING, ConversationState.ACTIVE)}
    assert len(held) == len(set(held)) and set(held) == live
    assert sum(p.missed for p in repo.presences()) > 0


def _random_step(desk: Any, chats: list[Any], agents: list[Any], lock: threading.Lock, local: random.Random) -> None:
    """One random move on a random chat: accept or ring out a ringing one, end an active one, take a queued one."""
    from chalicelib.domain.chat import Side

    conversation = desk.chat.get(local.choice(chats).id)
    if conversation.state is ConversationState.RINGING and local.random() < 0.6:
        desk.router.take(conversation, conversation.ring_agent_id or "")
    elif conversation.state is ConversationState.RINGING:
        with lock:
            desk.clock.advance(31)
            for agent in agents:
                desk.c.repos.chat.heartbeat(agent.id, agent.name, 3, desk.clock())
        desk.router.ring_out(conversation)
    elif conversation.state is ConversationState.ACTIVE:
        desk.chat.end(conversation, Side.AGENT)
    elif conversation.state is ConversationState.QUEUED:
        desk.router.take(conversation, local.choice(agents).id)


def test_a_missed_chat_is_a_chat_missed_note_on_its_ticket_once_and_the_reports_count_it_for_that_agent(
    desk: Any,
) -> None:
    from chalicelib.bootstrap import handlers
    from chalicelib.events.envelope import envelope

    ann, ben = desk.agent("ann@desk.example"), desk.agent("ben@desk.example")
    desk.agent_socket(ann), desk.agent_socket(ben)
    started = desk.start()
    first = started.conversation.ring_agent_id
    desk.clock.advance(31)
    for agent in (ann, ben):
        desk.c.repos.chat.heartbeat(agent.id, agent.name, 3, desk.clock())
    assert handlers.chat_sweep()["rung_out"] == 1
    desk.chat.record_missed(desk.chat.get(started.conversation.id), first)  # a sweep that tries again
    _, timeline = desk.c.tickets.get(started.ticket_id)
    (note,) = [e for e in timeline if e.event == "chat.missed"]
    assert note.data == {"conversation_id": started.conversation.id, "agent_id": first}
    assert note.kind.value == "event" and not note.author.is_customer  # never shown or sent to the customer

    aggregator = desk.c.reports.aggregator()
    assert [aggregator.on_event(envelope(note)).duplicate for _ in range(2)] == [False, True]
    day = note.at.date()
    by_agent = {g.key: g.figures.chats_missed for g in desk.c.reports.queries.summary(day, day, None, "agent")}
    assert by_agent == {first: 1}
    (chat,) = desk.c.reports.queries.summary(day, day, None, "channel")
    assert (chat.key, chat.figures.chats_missed) == ("chat", 1)


def test_a_chat_missed_note_that_cannot_be_written_never_stops_the_ring_moving_on(desk: Any, monkeypatch: Any) -> None:
    from chalicelib.bootstrap import handlers

    ann, ben = desk.agent("ann@desk.example"), desk.agent("ben@desk.example")
    desk.agent_socket(ann), desk.agent_socket(ben)
    started = desk.start()

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the table is unreachable")

    monkeypatch.setattr(desk.chat.tickets, "system_note", down)
    desk.clock.advance(31)
    for agent in (ann, ben):
        desk.c.repos.chat.heartbeat(agent.id, agent.name, 3, desk.clock())
    assert handlers.chat_sweep()["rung_out"] == 1
    after = desk.chat.get(started.conversation.id)
    assert after.state is ConversationState.RINGING and after.ring_agent_id != started.conversation.ring_agent_id
