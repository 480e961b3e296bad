"""The local stack's chat parts in this process, driven by hand: moto, the stage's table, topics and queues, the
app, the worker (its stream relay and every consumer, called when the bench says so) and the WebSocket bridge.

``bench.chat`` (section ``chat``) and ``tests/integration/test_chat_costs.py`` count the DynamoDB requests of
one chat message with it, from the frame to the last consumer the message sets off:

    with ChatRig() as rig:
        talk = rig.conversation()
        rig.count(lambda: talk.customer_says("hi"))   # -> ["Query", "GetItem", ...]

``count`` sends the frame, waits for the sender's ack and the other side's message, waits until the bridge
has no handler running, then drains the worker (stream relay, SNS, every consumer queue) until a cycle finds
nothing: what the message cost in DynamoDB, wherever it was spent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from devtools import ports

ORIGIN_PATH = ""
WAIT_SECONDS = 30.0


def free_port_pair() -> int:
    """A port whose next port is free as well (the bridge's Management API listens on port + 1)."""
    return ports.free_port(pair=True)


def free_port() -> int:
    return ports.free_port()


class DynamoCounter:
    """Every DynamoDB API call of the app's clients (each pynamodb model class keeps its own; the reports
    repository uses the shared boto3 client), by ``before-call`` hooks, from any thread."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.recording = False
        self._clients: list[Any] = []
        self._lock = threading.Lock()

    @property
    def clients(self) -> int:
        return len(self._clients)

    def attach_all(self, svc: Any) -> int:
        from bench.meter import item_clients
        from chalicelib.core.clients import client

        for item_client in item_clients():
            self.attach(item_client)
        self.attach(client("dynamodb"))
        reports = getattr(svc.repos, "reports", None)
        if reports is not None and hasattr(reports, "client"):
            self.attach(reports.client)
        return len(self._clients)

    def attach(self, client: Any) -> None:
        if any(c is client for c in self._clients):
            return
        client.meta.events.register("before-call.dynamodb", self._seen)
        self._clients.append(client)

    def _seen(self, model: Any, **_: Any) -> None:
        if self.recording:
            with self._lock:
                self.calls.append(model.name)

    @contextmanager
    def recorded(self) -> Iterator[list[str]]:
        with self._lock:
            self.calls, self.recording = [], True
        try:
            yield self.calls
        finally:
            self.recording = False


class CountingBridge:
    """Wraps ``Bridge.call`` so that the bench knows when no handler is running (a handler may still Query the
    sender's own sockets after the other side got the message)."""

    def __init__(self, bridge: Any) -> None:
        self.bridge = bridge
        self.running = 0
        self._cond = threading.Condition()
        original = bridge.call

        def call(function: str, event: dict[str, Any]) -> dict[str, Any]:
            with self._cond:
                self.running += 1
            try:
                return original(function, event)  # type: ignore[no-any-return]
            finally:
                with self._cond:
                    self.running -= 1
                    self._cond.notify_all()

        bridge.call = call

    def idle(self, timeout: float = WAIT_SECONDS) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.running == 0, timeout):
                raise TimeoutError("a bridge handler is still running")


@dataclass
class Talk:
    """One conversation: a customer socket and the agent's socket, both connected and the chat accepted."""

    rig: ChatRig
    conversation_id: str
    customer: Any
    agent: Any
    sent: int = 0
    last_seq: int = 0
    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"customer": [], "agent": []})

    def _frame(self, side: str, body: str) -> str:
        self.sent += 1
        return json.dumps(
            {
                "action": "send",
                "conversation": self.conversation_id,
                "client_id": f"{side[0]}-bench-{self.sent:08d}",
                "body": body,
            }
        )

    def customer_says(self, body: str) -> int:
        self.customer.send(self._frame("customer", body))
        return self._delivered(self.customer, self.agent, body)

    def agent_says(self, body: str) -> int:
        self.agent.send(self._frame("agent", body))
        return self._delivered(self.agent, self.customer, body)

    def _delivered(self, sender: Any, receiver: Any, body: str) -> int:
        seq = int(receive(sender, "ack")["seq"])
        got = receive(receiver, "message", lambda f: f.get("seq") == seq)
        if got["body"] != body:
            raise RuntimeError(f"message {seq} arrived as {got['body']!r}")
        self.last_seq = max(self.last_seq, seq)
        return seq

    def resume(self, since: int) -> list[dict[str, Any]]:
        """The customer's socket asks for everything after ``since``: the frames replayed, until the status."""
        self.customer.send(json.dumps({"action": "resume", "conversation": self.conversation_id, "since": since}))
        replayed = []
        while True:
            frame = json.loads(self.customer.recv(timeout=WAIT_SECONDS))
            if frame["type"] == "status" and "resumed_to" in frame:
                return replayed
            if frame["type"] == "error":
                raise RuntimeError(f"the chat answered an error: {frame}")
            if frame["type"] in ("message", "status"):
                replayed.append(frame)


def receive(sock: Any, kind: str, match: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        frame = json.loads(sock.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame["type"] == kind and (match is None or match(frame)):
            return frame
        if frame["type"] == "error":
            raise RuntimeError(f"the chat answered an error: {frame}")


class ChatRig:
    """``with ChatRig() as rig:`` the local stack's parts (``devtools.localstack.start`` without its threads)."""

    def __init__(self) -> None:
        self.env: Any = None
        self.svc: Any = None
        self.worker: Any = None
        self.bridge: Any = None
        self.counter = DynamoCounter()
        self._moto: Any = None
        self._saved_env: dict[str, str] = {}
        self._sockets = contextlib.ExitStack()

    def __enter__(self) -> ChatRig:
        self._saved_env = dict(os.environ)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request lines
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        from bench.end_to_end import app_stage
        from chalicelib import bootstrap
        from devtools import localstack
        from devtools.localenv import LocalEnv
        from devtools.provision import provision
        from devtools.worker import Worker
        from devtools.ws_bridge import Bridge

        # The app's queue names are fixed when ``app`` is first imported: a test that ran before in this process
        # may have imported it under its own stage, so the rig takes that stage (else its queues do not exist).
        self.env = env = LocalEnv(
            stage=app_stage("local"),
            moto_port=free_port(),
            api_port=free_port(),
            smtp_port=free_port(),
            ws_port=free_port_pair(),
        )
        env.apply()
        os.environ["LAMBDESK_LOG_LEVEL"] = "WARNING"
        _reset_caches()
        self._moto = localstack.start_moto(env)  # with moto's rollback journal (devtools.moto_journal)
        resources = provision(env.names, env.moto_url, bucket=env.bucket, support_domain=env.support_domain)
        module = _load_app(env)
        self.worker = Worker(module, resources["stream_arn"], env.moto_url, relay_dlq=env.names.relay_dlq)
        self.bridge = Bridge(module, env.host, env.ws_port, env.stage)
        self.bridge.start()
        self.handlers = CountingBridge(self.bridge)
        self.svc = bootstrap.current()
        self.svc.auth.cache_seconds = 0.0

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing what may be closed already
            self._sockets.close()
        if self.bridge is not None:
            self.bridge.stop()
        if self._moto is not None:
            self._moto.stop()
        _reset_caches()
        os.environ.clear()
        os.environ.update(self._saved_env)

    @property
    def origin(self) -> str:
        return str(self.env.api_url)

    def connect(self, token: str) -> Any:
        from websockets.sync.client import connect

        return self._sockets.enter_context(connect(f"{self.env.ws_url}/?token={token}", origin=self.origin))

    def conversation(self) -> Talk:
        """An agent online (socket, heartbeat), a customer's chat started, connected and accepted."""
        import uuid

        from chalicelib.chat.service import StartChat

        agent_email = f"chat-bench-{uuid.uuid4().hex[:8]}@desk.example"
        chat = self.svc.chat.service
        agent = self.svc.directory.create_agent(agent_email, "Bench Agent")
        agent_sock = self.connect(chat.agent_token(agent.id))
        agent_sock.send(json.dumps({"action": "ping"}))
        receive(agent_sock, "pong")
        started = chat.start(StartChat("Bench Customer", f"customer-{agent.id}@example.com", "Hello"))
        customer_sock = self.connect(started.connect_token)
        agent_sock.send(json.dumps({"action": "accept", "conversation": started.conversation.id}))
        receive(customer_sock, "status", lambda f: f.get("state") == "active")
        self.settle()
        self.counter.attach_all(self.svc)
        return Talk(self, started.conversation.id, customer_sock, agent_sock, last_seq=0)

    def settle(self) -> int:
        """No handler running, and the worker drained (stream, then every queue, until a cycle finds nothing)."""
        from bench.desk import quiet

        self.handlers.idle()
        with quiet():
            handled = int(self.worker.drain(max_cycles=200))
        self.handlers.idle()
        return handled

    def fill(self, talk: Talk, messages: int, consumers: bool = True) -> float:
        """``messages`` more lines in ``talk`` (customer and agent in turn) through the chat service, as the socket
        handler writes them but without the sockets, then the worker drained; the seconds it took. Without
        ``consumers`` the fill's events are skipped (the stream is read on from its latest record)."""
        from bench.motoserver import _pause_streams

        began = time.perf_counter()
        chat = self.svc.chat.service
        if not consumers:
            _pause_streams(True)  # moto keeps every stream record and copies them with the table per transaction
        conversation = chat.get(talk.conversation_id)
        agent_id = conversation.agent_id
        for n in range(messages):
            talk.sent += 1
            if n % 2:
                seq = chat.agent_message(conversation, agent_id, f"a-fill-{talk.sent:08d}", f"Fill line {talk.sent}")
            else:
                seq = chat.customer_message(conversation, f"c-fill-{talk.sent:08d}", f"Fill line {talk.sent}")
            talk.last_seq = max(talk.last_seq, seq)
            if n % 50 == 49:
                if consumers:
                    self.settle()
                conversation = chat.get(talk.conversation_id)
        if not consumers:
            _pause_streams(False)
            self.skip_stream()
        self.settle()
        return time.perf_counter() - began

    def skip_stream(self) -> None:
        """Read the stream on from its latest record: what was written so far never reaches the consumers."""
        worker = self.worker
        for shard_id in list(worker._shard_iterators()):
            worker._iterators[shard_id] = worker.streams.get_shard_iterator(
                StreamArn=worker.stream_arn, ShardId=shard_id, ShardIteratorType="LATEST"
            )["ShardIterator"]

    def count(self, action: Callable[[], Any]) -> list[str]:
        """The DynamoDB operations ``action`` cost, its consumers included."""
        self.settle()
        with self.counter.recorded() as calls:
            action()
            self.settle()
        return list(calls)


def _load_app(env: Any) -> Any:
    """app.py as ``devtools.localstack.load_app`` loads it (the stage's environment from .chalice/config.json),
    without the local API server (nothing here calls the REST API, and Chalice patches the app's class for it)."""
    import importlib

    from chalice.cli.factory import CLIFactory

    from devtools.localenv import ROOT

    factory = CLIFactory(project_dir=str(ROOT))
    config = factory.create_config_obj(chalice_stage_name=env.stage)
    factory.load_chalice_app(config.environment_variables)
    return importlib.import_module("app")


def _reset_caches() -> None:
    from chalicelib import bootstrap
    from chalicelib.core import clients, settings, signing

    settings.reset()
    clients.reset()
    signing.signing_key.cache_clear()
    bootstrap.use(None)
