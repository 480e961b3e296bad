"""What one chat message costs in DynamoDB, from its frame to the last consumer it sets off, does not grow with
the conversation.

The local stack's parts in this process (``bench.chat_rig``): moto, the stage's table, topics and queues, the
app's WebSocket handlers behind the real bridge, and the worker, which runs the stream relay and every consumer
after each message. The figures themselves are ``make bench`` (section ``chat``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

from bench.chat import measure
from bench.chat_rig import ChatRig

T = TypeVar("T")


def in_a_fresh_process(measured: Callable[[], T]) -> T:
    """The rig runs in its own interpreter: moto's backends, the imported ``app`` (its queue names) and the
    caches are process-wide, and a test that ran before in this worker must not change what is counted."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measured).result(timeout=600)


def costs_at(rig: ChatRig, talk: Any, size: int) -> tuple[list[str], list[str], int]:
    """The customer's and the agent's message costs once the conversation holds ``size`` messages, and the
    resume of 10 events."""
    # The fill goes through the chat service; its own events are not worked off (quick), the counted ones are.
    rig.fill(talk, size - talk.last_seq - 2, consumers=False)
    talk.customer_says("Still there?")
    talk.agent_says("Yes.")
    touched: list[dict[str, Any]] = []
    customer = measure(rig, talk, "customer", f"My order at {size}", touched)
    agent = measure(rig, talk, "agent", f"Your order at {size}", touched)
    replayed: list[list[dict[str, Any]]] = []
    resume = rig.count(lambda: replayed.append(talk.resume(talk.last_seq - 10)))
    assert len(replayed[0]) == 10
    return sorted(customer), sorted(agent), len(resume)


def at_10_and_100() -> tuple[Any, Any, int]:
    with ChatRig() as rig:
        talk = rig.conversation()
        return costs_at(rig, talk, 10), costs_at(rig, talk, 100), talk.last_seq


def test_a_message_costs_the_same_requests_at_10_and_100_messages() -> None:
    small, large, last_seq = in_a_fresh_process(at_10_and_100)
    assert last_seq >= 100
    assert large == small
    customer, agent, _ = small
    # Counted end to end: the ticket write of the message and the consumers' reads are in the count.
    assert "TransactWriteItems" in customer and "TransactWriteItems" in agent
    assert customer.count("Query") >= 2 and agent.count("Query") >= 2
    assert "Scan" not in customer + agent


def with_and_without_consumers() -> tuple[list[str], list[str]]:
    with ChatRig() as rig:
        talk = rig.conversation()
        with_consumers = rig.count(lambda: talk.customer_says("Counted with its consumers"))
        rig.settle()
        with rig.counter.recorded() as handler_only:
            talk.customer_says("Counted without them")
            rig.handlers.idle()
        rig.settle()
        return with_consumers, list(handler_only)


def test_the_count_includes_the_consumers_a_message_sets_off() -> None:
    with_consumers, handler_only = in_a_fresh_process(with_and_without_consumers)
    assert len(with_consumers) > len(handler_only) > 0
