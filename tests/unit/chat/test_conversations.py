"""A conversation end to end on the fakes: start, sockets, seq, idempotency, resume, public vs internal."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.errors import Forbidden, Unauthenticated
from chalicelib.domain.chat import ConversationState
from chalicelib.domain.tickets import Channel
from tests.unit.chat.conftest import ORIGIN


def test_with_nobody_present_the_widget_becomes_a_message_form(desk: Any) -> None:
    started = desk.start(email=None)
    assert started.offline and started.conversation is None and started.ticket_id is None


def test_the_offline_form_creates_a_ticket_answered_by_email(desk: Any) -> None:
    started = desk.start("My parcel is late", email="cat@example.com")
    assert started.offline
    ticket, timeline = desk.c.tickets.get(started.ticket_id)
    assert ticket.channel is Channel.PORTAL and "chat-offline" in ticket.tags
    assert timeline[1].body_text == "My parcel is late"


def test_a_chat_is_a_ticket_on_channel_chat_offered_to_a_present_agent(desk: Any) -> None:
    ann = desk.agent("ann@desk.example")
    agent_socket = desk.agent_socket(ann)
    started = desk.start("Where is my order?")
    ticket, timeline = desk.c.tickets.get(started.ticket_id)
    assert ticket.channel is Channel.CHAT and timeline[1].body_text == "Where is my order?"
    assert started.conversation.state is ConversationState.RINGING and started.conversation.ring_agent_id == ann.id
    offer = desk.sockets.frames(agent_socket, "offer")
    assert offer[0]["conversation"] == started.conversation.id


def test_a_connect_token_is_single_use_and_checks_the_origin(desk: Any) -> None:
    desk.agent_socket(desk.agent("ann@desk.example"))
    started = desk.start()
    with pytest.raises(Forbidden):
        desk.ws.open("c1", started.connect_token, "https://evil.example")
    desk.ws.open("c2", started.connect_token, ORIGIN)
    with pytest.raises(Unauthenticated):
        desk.ws.open("c3", started.connect_token, ORIGIN)


def test_a_connect_token_expires_after_a_minute(desk: Any) -> None:
    desk.agent_socket(desk.agent("ann@desk.example"))
    started = desk.start()
    desk.clock.advance(61)
    with pytest.raises(Unauthenticated):
        desk.ws.open("late", started.connect_token, ORIGIN)


def accepted(desk: Any) -> tuple[Any, str, str, Any]:
    ann = desk.agent("ann@desk.example")
    agent_socket = desk.agent_socket(ann)
    started = desk.start("Hello")
    customer = desk.customer_socket(started)
    desk.frame(agent_socket, action="accept", conversation=started.conversation.id)
    return started, customer, agent_socket, ann


def test_accepting_assigns_the_ticket_and_tells_the_customer(desk: Any) -> None:
    started, customer, _, ann = accepted(desk)
    assert desk.c.tickets.get(started.ticket_id)[0].assignee_id == ann.id
    status = desk.sockets.frames(customer, "status")
    assert status[-1]["state"] == "active" and status[-1]["agent"] == "Ann"


def test_messages_take_the_next_seq_and_reach_the_other_side(desk: Any) -> None:
    started, customer, agent_socket, _ = accepted(desk)
    conversation = started.conversation.id
    desk.frame(customer, action="send", conversation=conversation, client_id="c-0000001", body="first")
    desk.frame(agent_socket, action="send", conversation=conversation, client_id="a-0000001", body="second")
    acks = desk.sockets.frames(customer, "ack")
    assert acks == [{"type": "ack", "client_id": "c-0000001", "seq": 3}]  # 1 the first message, 2 accepted
    to_agent = [f["body"] for f in desk.sockets.frames(agent_socket, "message")]
    to_customer = [(f["seq"], f["body"]) for f in desk.sockets.frames(customer, "message")]
    assert to_agent == ["first"] and to_customer == [(4, "second")]


def test_a_resend_with_the_same_client_id_gets_the_same_ack_and_no_second_message(desk: Any) -> None:
    started, customer, _agent_socket, _ = accepted(desk)
    for _ in range(3):
        desk.frame(customer, action="send", conversation=started.conversation.id, client_id="same-client-id", body="hi")
    assert {f["seq"] for f in desk.sockets.frames(customer, "ack")} == {3}
    _, timeline = desk.c.tickets.get(started.ticket_id)
    assert [e.body_text for e in timeline if e.body_text == "hi"] == ["hi"]


def test_resume_replays_everything_after_the_last_seq_in_order(desk: Any) -> None:
    started, _customer, agent_socket, _ = accepted(desk)
    conversation = started.conversation.id
    for n in range(5):
        desk.frame(agent_socket, action="send", conversation=conversation, client_id=f"agent-msg-{n}", body=f"m{n}")
    fresh = "cust-again"
    desk.ws.open(fresh, desk.chat.customer_token(conversation, started.secret), ORIGIN)
    desk.frame(fresh, action="resume", conversation=conversation, since=4)
    replayed = [(f["seq"], f["body"]) for f in desk.sockets.frames(fresh, "message")]
    assert replayed == [(5, "m2"), (6, "m3"), (7, "m4")]  # 1 the first message, 2 accepted, 3 m0


def test_a_socket_cannot_act_on_another_conversation(desk: Any) -> None:
    _started, customer, _, _ = accepted(desk)
    other = desk.start("Another")
    desk.frame(customer, action="send", conversation=other.conversation.id, client_id="c-0000009", body="x")
    assert desk.sockets.frames(customer, "error")[-1]["code"] == "forbidden"


def test_a_bad_frame_gets_an_error_naming_the_field(desk: Any) -> None:
    started, customer, _, _ = accepted(desk)
    desk.frame(customer, action="send", conversation=started.conversation.id, client_id="x", body="hi")
    assert desk.sockets.frames(customer, "error")[-1]["field"] == "client_id"
    desk.ws.frame(customer, "{not json")
    assert desk.sockets.frames(customer, "error")[-1]["field"] == "frame"


def test_a_frame_over_32_kb_is_refused(desk: Any) -> None:
    started, customer, _, _ = accepted(desk)
    desk.frame(customer, action="send", conversation=started.conversation.id, client_id="c-0000001", body="x" * 40000)
    assert desk.sockets.frames(customer, "error")[-1]["field"] == "frame"


def test_a_socket_sending_too_fast_is_rate_limited(desk: Any) -> None:
    _, customer, _, _ = accepted(desk)
    for _ in range(40):
        desk.frame(customer, action="ping")
    assert desk.sockets.frames(customer, "error")[-1]["code"] == "rate_limited"
    assert len(desk.sockets.frames(customer, "pong")) == 30


def test_a_gone_socket_is_forgotten(desk: Any) -> None:
    started, customer, agent_socket, _ = accepted(desk)
    desk.sockets.closed.add(customer)
    desk.frame(agent_socket, action="send", conversation=started.conversation.id, client_id="a-0000001", body="x")
    assert desk.c.repos.chat.get_connection(customer, desk.clock()) is None


def test_typing_reaches_the_other_side_only(desk: Any) -> None:
    started, customer, agent_socket, _ = accepted(desk)
    desk.frame(customer, action="typing", conversation=started.conversation.id)
    assert desk.sockets.frames(agent_socket, "typing")[-1]["author"] == "customer"
    assert desk.sockets.frames(customer, "typing") == []


def test_an_agent_reply_through_the_api_reaches_the_socket_and_a_note_never_does(desk: Any) -> None:
    from chalicelib.bootstrap import handlers
    from chalicelib.domain.timeline import Actor, ActorKind
    from chalicelib.events.envelope import envelope

    started, customer, _, ann = accepted(desk)
    actor = Actor(ActorKind.AGENT, ann.id)
    ticket = desk.c.tickets.get(started.ticket_id)[0]
    ticket = desk.c.tickets.note(actor, ticket.id, ticket.version, "internal: customer is grumpy")
    desk.c.tickets.reply(actor, ticket.id, ticket.version, "Your parcel left today")
    table = handlers.chat_table(desk.c)
    for entry in desk.c.ticket_repo.published:
        event = envelope(entry)
        for handler in table.get(event["type"], ()):
            handler(event)
            handler(event)  # redelivered: logged and pushed under the same seq
    bodies = [(f["seq"], f["body"]) for f in desk.sockets.frames(customer, "message")]
    assert bodies == [(3, "Your parcel left today"), (3, "Your parcel left today")]
    assert all("grumpy" not in str(f) for f in desk.sockets.sent[customer])


def test_ending_logs_it_on_the_ticket_and_frees_the_agent(desk: Any) -> None:
    started, customer, _, ann = accepted(desk)
    desk.frame(customer, action="end", conversation=started.conversation.id)
    assert desk.chat.get(started.conversation.id).state is ConversationState.ENDED
    _, timeline = desk.c.tickets.get(started.ticket_id)
    assert timeline[-1].event == "chat.ended"
    assert next(p for p in desk.c.repos.chat.presences() if p.agent_id == ann.id).chats == frozenset()


def test_the_transcript_lists_the_messages_in_order(desk: Any) -> None:
    started, customer, agent_socket, _ = accepted(desk)
    conversation = started.conversation.id
    desk.frame(customer, action="send", conversation=conversation, client_id="c-0000001", body="one")
    desk.frame(agent_socket, action="send", conversation=conversation, client_id="a-0000001", body="two")
    text = desk.chat.transcript(desk.chat.get(conversation))
    assert [line.split("] ", 1)[1] for line in text.splitlines()] == ["customer: Hello", "customer: one", "agent: two"]


def test_events_of_tickets_on_other_channels_are_skipped_without_a_read(
    desk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.bootstrap import handlers
    from chalicelib.chat.consumer import Skipped

    looked_up: list[str] = []
    monkeypatch.setattr(desk.c.repos.chat, "conversation_for_ticket", lambda ticket_id: looked_up.append(ticket_id))
    table = handlers.chat_table(desk.c)
    base = {
        "id": "E1",
        "public": True,
        "actor": {"kind": "agent", "id": "A1"},
        "data": {},
        "changes": [{"field": "status", "old": "open", "new": "solved"}],
        "body_preview": "Done",
        "body_chars": 4,
        "occurred_at": "2026-11-23T10:00:00+00:00",
    }
    for channel in ("email", "portal", "api"):
        for kind in ("message.added", "ticket.updated"):
            event = {**base, "type": kind, "ticket": {"id": "T1", "number": 1, "version": 2, "channel": channel}}
            assert table[kind][0](event) == Skipped("not a chat")
    assert looked_up == []
    # An event from before the envelope carried the channel is looked up as before.
    table["message.added"][0]({**base, "type": "message.added", "ticket": {"id": "T1", "number": 1, "version": 2}})
    assert looked_up == ["T1"]


def test_a_chat_tickets_events_say_so(desk: Any) -> None:
    from chalicelib.events.envelope import envelope

    started, *_ = accepted(desk)
    entries = [e for e in desk.c.ticket_repo.published if e.ticket_id == started.ticket_id]
    assert entries and {envelope(e)["ticket"]["channel"] for e in entries} == {"chat"}
