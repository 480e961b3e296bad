"""Section ``chat``: live chat on the local stack (``bench/README.md``, "chat").

- latency: the local stack in a child process (what ``make run`` starts: moto, the API, the worker, the ticker
  and the WebSocket bridge); an agent's socket and a customer's socket as a browser opens them; the time from a
  send frame to the other side's ``message`` frame, customer -> agent and agent -> customer, p50/p95;
- requests: the stack's parts in this process (``bench.chat_rig``), DynamoDB requests of one message from its
  frame to the last consumer it sets off, at conversations of 10, 100 and 1,000 messages; and of a resume of
  10 events.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.chat_rig import ChatRig, Talk, receive
from bench.report import Check

SIZES = (10, 100, 1000)
SAMPLES = 3  # messages counted per side and size
ROUNDS = 60  # latency: messages each way
ROUND_SECONDS = 0.4  # the chat allows 30 frames per socket per 10 s: a round (one frame per socket) takes >= this
SKIP_CONSUMERS_FROM = 100  # the fill from here on is not worked off by the consumers (see README)


def run(env: dict[str, str], log_dir: Path, quick: bool = False) -> tuple[dict[str, Any], list[Check]]:
    sizes = SIZES[:2] if quick else SIZES
    results: dict[str, Any] = {}
    checks: list[Check] = []
    results["latency_ms"] = latency(env, log_dir / "stack-chat.log", 15 if quick else ROUNDS)
    costs, cost_checks = requests(sizes)
    results.update(costs)
    checks += cost_checks
    both = results["latency_ms"]
    checks.append(
        Check(
            "chat: every latency message arrived, median <= p95",
            all(0 < both[k]["p50"] <= both[k]["p95"] for k in ("customer_to_agent", "agent_to_customer")),
            json.dumps({k: both[k]["messages"] for k in ("customer_to_agent", "agent_to_customer")}),
        )
    )
    return results, checks


# -- requests per message -----------------------------------------------------------------------------------


def _counted(calls: list[str]) -> dict[str, Any]:
    return {"requests": len(calls), "by_operation": dict(sorted(Counter(calls).items()))}


def requests(sizes: tuple[int, ...]) -> tuple[dict[str, Any], list[Check]]:
    per_size: dict[str, Any] = {}
    resumes: dict[str, Any] = {}
    fills: dict[str, float] = {}
    samples: dict[str, dict[str, list[list[str]]]] = {}
    checks: list[Check] = []
    touched: list[dict[str, Any]] = []
    with ChatRig() as rig:
        talk = rig.conversation()
        for size in sizes:
            _grow(rig, talk, size, fills)
            customer = [measure(rig, talk, "customer", f"Customer line {n}", touched) for n in range(SAMPLES)]
            agent = [measure(rig, talk, "agent", f"Agent line {n}", touched) for n in range(SAMPLES)]
            replayed: list[list[dict[str, Any]]] = []
            resume = rig.count(lambda replayed=replayed: replayed.append(talk.resume(talk.last_seq - 10)))
            samples[str(size)] = {"customer": customer, "agent": agent}
            per_size[str(size)] = {
                "messages_in_conversation": talk.last_seq,
                **{side: _counted(calls[0]) for side, calls in (("customer", customer), ("agent", agent))},
            }
            resumes[str(size)] = {**_counted(resume), "events_replayed": len(replayed[0])}
            checks.append(
                Check(
                    f"chat: a resume at {size} messages replays 10 events",
                    len(replayed[0]) == 10,
                    f"{len(replayed[0])} events",
                )
            )
        clients = rig.counter.clients
    first = next(iter(samples.values()))
    for size, by_side in samples.items():
        for side, calls in by_side.items():
            # Sample by sample, not all alike: of two fact-less customer messages in a row, the second moves the
            # reports' kept replay (one PutItem; docs/decisions/011), so a run of them alternates 13, 14, 13.
            checks.append(
                Check(
                    f"chat: each {side} message at {size} costs what the same message costs at {sizes[0]}",
                    [sorted(c) for c in calls] == [sorted(c) for c in first[side]],
                    "; ".join(str(len(c)) for c in calls),
                )
            )
            per_size[size][side]["per_sample"] = [len(c) for c in calls]
            scans = sum(c.count("Scan") for c in calls)
            checks.append(Check(f"chat: no Scan for a {side} message at {size}", not scans, f"{scans} scans"))
    for side in ("customer", "agent"):
        counts = {size: per_size[size][side]["by_operation"] for size in per_size}
        checks.append(
            Check(
                f"chat: {side} message requests are the same at {', '.join(per_size)} messages",
                len({json.dumps(c, sort_keys=True) for c in counts.values()}) == 1,
                json.dumps({k: sum(v.values()) for k, v in counts.items()}),
            )
        )
    checks.append(
        Check(
            "chat: a resume of 10 events costs the same at every size",
            len({json.dumps(r["by_operation"], sort_keys=True) for r in resumes.values()}) == 1,
            json.dumps({k: v["requests"] for k, v in resumes.items()}),
        )
    )
    checks.append(Check("chat: the counter was attached to the app's DynamoDB clients", clients > 1, f"{clients}"))
    results = {
        "requests_per_message": per_size,
        "resume_10_events": resumes,
        "fill_seconds": fills,
        # Messages that also moved the chat's inactivity deadline (at most one per conversation per 30 s).
        "deadline_moves": touched,
    }
    return results, checks


def measure(rig: ChatRig, talk: Talk, side: str, body: str, touched: list[dict[str, Any]]) -> list[str]:
    """The requests of one message, its consumers included. A message that also moves the chat's inactivity
    deadline (``ChatService._touch``: one write, at most once per conversation per 30 s, whenever the clock
    says) is recorded in ``touched`` and measured again, so that the counted messages are alike."""
    say = talk.customer_says if side == "customer" else talk.agent_says
    for attempt in range(3):
        before = rig.svc.chat.service.get(talk.conversation_id).last_activity_at
        text = f"{body}{' (again)' * attempt}"
        calls = rig.count(lambda text=text: say(text))
        if rig.svc.chat.service.get(talk.conversation_id).last_activity_at == before:
            return calls
        touched.append({"side": side, "at_messages": talk.last_seq, "requests": len(calls)})
    raise RuntimeError("three messages in a row moved the inactivity deadline")


def _grow(rig: ChatRig, talk: Talk, size: int, fills: dict[str, float]) -> None:
    """Fill the conversation up to about ``size`` messages, then one uncounted exchange through the sockets."""
    missing = size - talk.last_seq - 2
    if missing > 0:
        fills[str(size)] = round(rig.fill(talk, missing, consumers=talk.last_seq < SKIP_CONSUMERS_FROM), 1)
    talk.customer_says("Still there?")
    talk.agent_says("Yes.")
    rig.settle()


# -- latency --------------------------------------------------------------------------------------------------


def latency(env: dict[str, str], log_path: Path, rounds: int) -> dict[str, Any]:
    from websockets.sync.client import connect

    from bench.latency import StackProcess, timed, wait_idle
    from chalicelib.people.auth import mint_dev_token
    from devtools.seed import ADMIN_SUBJECT

    stack = StackProcess(env, log_path)
    sockets: list[Any] = []
    try:
        stack.start()
        settled = wait_idle(stack.moto_port)  # the worker has worked off the demo data
        load_before = [round(x, 2) for x in os.getloadavg()]
        origin = f"http://127.0.0.1:{stack.api_port}"
        bearer = {"Authorization": f"Bearer {mint_dev_token(stack.dev_key, ADMIN_SUBJECT)}"}
        _, agent_grant = timed(stack.api_port, "POST", "/v1/chat/agent-connect", b"{}", bearer)
        if agent_grant.status != 200:
            raise RuntimeError(f"agent-connect: {agent_grant.status} {agent_grant.body[:200]!r}")
        agent = connect(agent_grant.json()["ws_url"], origin=origin)
        sockets.append(agent)
        agent.send(json.dumps({"action": "ping"}))
        receive(agent, "pong")
        body = json.dumps({"name": "Bench", "email": "chat-bench@example.com", "message": "Hello"}).encode()
        _, started = timed(stack.api_port, "POST", "/v1/chat/conversations", body, {"Content-Type": "application/json"})
        if started.status != 201 or started.json().get("offline"):
            raise RuntimeError(f"starting a chat: {started.status} {started.body[:200]!r}")
        conversation = started.json()["conversation_id"]
        customer = connect(started.json()["ws_url"], origin=origin)
        sockets.append(customer)
        agent.send(json.dumps({"action": "accept", "conversation": conversation}))
        receive(customer, "status", lambda f: f.get("state") == "active")
        to_agent, to_customer = [], []
        for n in range(rounds):
            began = time.perf_counter()
            to_agent.append(_one(customer, agent, conversation, f"c-lat-{n:08d}", f"Customer {n}"))
            to_customer.append(_one(agent, customer, conversation, f"a-lat-{n:08d}", f"Agent {n}"))
            time.sleep(max(0.0, ROUND_SECONDS - (time.perf_counter() - began)))
    finally:
        for sock in sockets:
            sock.close()
        stack.stop()
    return {
        "customer_to_agent": _summary(to_agent),
        "agent_to_customer": _summary(to_customer),
        "settle_s": settled,
        "loadavg_before": load_before,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def _one(sender: Any, receiver: Any, conversation: str, client_id: str, body: str) -> float:
    frame = {"action": "send", "conversation": conversation, "client_id": client_id, "body": body}
    began = time.perf_counter()
    sender.send(json.dumps(frame))
    receive(receiver, "message", lambda f: f.get("body") == body)
    elapsed = (time.perf_counter() - began) * 1000
    receive(sender, "ack", lambda f: f.get("client_id") == client_id)
    return elapsed


def _summary(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    return {
        "messages": len(samples),
        "p50": round(statistics.median(samples), 1),
        "p95": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 1),
        "max": round(ordered[-1], 1),
        # The medians of the first and the last quarter: the local stack slows as moto's table and stream grow.
        "drift_p50": [
            round(statistics.median(samples[: max(1, len(samples) // 4)]), 1),
            round(statistics.median(samples[-max(1, len(samples) // 4) :]), 1),
        ],
    }
