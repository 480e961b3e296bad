"""Section ``api_latency_ms``: the running local stack, one new connection per request.

The stack runs in a child process (``bench.stack``) as ``make run`` runs it: moto, the Chalice local server,
the worker and the ticker, with the demo data. Every request opens its own connection (``http.client``,
``Connection: close``): a keep-alive client against ``chalice local`` sees ~40 ms delayed-ACK stalls. The
time runs from connect to the last byte of the response. Reads (with the baseline) run first, then writes;
within each group operations are interleaved round by round, so a slow moment of the machine spreads over
all of them. The baseline is a bare DynamoDB GetItem of one ticket item, signed as the SDK signs it, against
the stack's moto server.
"""

from __future__ import annotations

import http.client
import json
import math
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.chat_rig import free_port_pair
from bench.motoserver import HOST, free_port
from bench.report import Check
from devtools.localenv import REGION, ROOT

READY_TIMEOUT = 180.0
WARMUP = 3
SETTLE_TIMEOUT = 60.0
CREATE_BODY = "Since this morning the invoice page shows a blank PDF when I press download. " * 4


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def timed(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[float, Response]:
    """One request on a new connection; milliseconds from connect to the end of the response."""
    began = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={**(headers or {}), "Connection": "close"})
        raw = conn.getresponse()
        data = raw.read()
        elapsed = (time.perf_counter() - began) * 1000
        return elapsed, Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
    finally:
        conn.close()


def p99(values: list[float]) -> float:
    """Nearest rank: the smallest sample with at least 99 % of the samples at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.99 * len(ordered)) - 1, 0)]


def _drift(samples: list[float]) -> dict[str, float]:
    """Medians of the first and the last quarter of the samples: does the operation slow down over the run?"""
    quarter = max(len(samples) // 4, 1)
    return {
        "first_quarter_median": round(statistics.median(samples[:quarter]), 2),
        "last_quarter_median": round(statistics.median(samples[-quarter:]), 2),
    }


@dataclass
class Op:
    name: str
    request: Callable[[], tuple[str, str, dict[str, Any] | None, dict[str, str]]]
    expect: int = 200
    write: bool = False
    after: Callable[[Response], None] | None = None
    port: int = 0
    raw_body: Callable[[], bytes] | None = None
    samples: list[float] = field(default_factory=list)


class StackProcess:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.moto_port, self.api_port, self.smtp_port = free_port(), free_port(), free_port()
        # The chat bridge and its Management API (the next port): never the default 8001 of a developer's stack.
        self.ws_port = free_port_pair()
        self.dev_key = secrets.token_urlsafe(32)
        self.proc: subprocess.Popen[str] | None = None
        self.table = ""
        self._log: Any = None

    def start(self) -> None:
        ready = Path(tempfile.mkdtemp(prefix="lambdesk-bench-")) / "ready.json"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.stack"],
            cwd=ROOT,
            env=self.env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(
            json.dumps(
                {
                    "moto_port": self.moto_port,
                    "api_port": self.api_port,
                    "smtp_port": self.smtp_port,
                    "ws_port": self.ws_port,
                    "dev_signing_key": self.dev_key,
                    "signing_key": secrets.token_urlsafe(32),
                    "ready_file": str(ready),
                }
            )
            + "\n"
        )
        self.proc.stdin.flush()
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"the local stack exited with {self.proc.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local stack was not ready after {READY_TIMEOUT:.0f} s; see {self.log_path}")
            time.sleep(0.1)
        self.table = json.loads(ready.read_text())["table"]
        ready.unlink()
        ready.parent.rmdir()

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        return self.proc.returncode


def _port_closed(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex((HOST, port)) != 0


class Latency:
    def __init__(self, env: dict[str, str], reads: int, writes: int, log_path: Path) -> None:
        self.stack = StackProcess(env, log_path)
        self.reads, self.writes = reads, writes
        self.checks: list[Check] = []
        self.token = ""
        self.drift: dict[str, dict[str, float]] = {}
        self.settle_seconds = 0.0
        self._versions: dict[str, int] = {}  # the write targets' versions, as the last response said

    def _api(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        expect: int = 200,
    ) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        _, response = timed(self.stack.api_port, method, path, data, {**self._auth(), **(headers or {})})
        if response.status != expect:
            raise RuntimeError(f"{method} {path} -> {response.status}: {response.body[:300]!r}")
        return response

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def run(self) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
        from chalicelib.people.auth import mint_dev_token
        from devtools.seed import ADMIN_SUBJECT

        self.stack.start()
        try:
            self.token = mint_dev_token(self.stack.dev_key, ADMIN_SUBJECT)
            ops = self._operations()
            self._measure(ops)
        finally:
            code = self.stack.stop()
        closed = all(_port_closed(p) for p in (self.stack.api_port, self.stack.moto_port))
        self.checks.append(
            Check(
                "latency: the stack shut down cleanly (exit 0, ports closed)",
                code == 0 and closed,
                f"exit {code}, ports closed {closed}",
            )
        )
        results = {
            op.name: {"median": round(statistics.median(op.samples), 2), "p99": round(p99(op.samples), 2)} for op in ops
        }
        self.drift = {op.name: _drift(op.samples) for op in ops}
        return results, {op.name: len(op.samples) for op in ops}

    # -- what to measure -------------------------------------------------------------------------

    def _operations(self) -> list[Op]:
        me = self._api("GET", "/v1/me").json()
        teams = {t["name"]: t["id"] for t in self._api("GET", "/v1/teams?limit=100").json()["items"]}
        agents = {a["email"]: a["id"] for a in self._api("GET", "/v1/agents?limit=100").json()["items"]}
        maria = self._api("GET", f"/v1/customers/lookup?email={quote('maria@acme.example')}").json()
        team = teams["Support L1"]
        for i in range(5):  # the admin's own queue, so that "mine" is not empty
            self._api(
                "POST",
                "/v1/tickets",
                {
                    "subject": f"Escalated account review {i}",
                    "body": CREATE_BODY,
                    "requester_email": "li@globex.example",
                    "team_id": team,
                    "assignee_id": me["id"],
                },
                expect=201,
            )
        solved = self._api("GET", "/v1/tickets?view=status&status=solved").json()["items"]
        read_target = solved[0]["id"]
        versions = self._versions

        def target(name: str) -> str:
            ticket = self._api(
                "POST",
                "/v1/tickets",
                {
                    "subject": f"Benchmark target for {name}",
                    "body": CREATE_BODY,
                    "requester_email": "maria@acme.example",
                    "team_id": team,
                },
                expect=201,
            ).json()["ticket"]
            versions[ticket["id"]] = ticket["version"]
            return str(ticket["id"])

        def versioned(ticket_id: str) -> Callable[[Response], None]:
            def remember(response: Response) -> None:
                versions[ticket_id] = int(response.headers["etag"].strip('"'))

            return remember

        reply_id, note_id, update_id = target("reply"), target("note"), target("update")
        priorities = iter(["high", "normal"] * 1000)

        def get(path: str) -> Callable[[], tuple[str, str, None, dict[str, str]]]:
            return lambda: ("GET", path, None, {})

        def post_on(ticket_id: str, kind: str) -> Callable[[], tuple[str, str, dict[str, Any], dict[str, str]]]:
            return lambda: (
                "POST",
                f"/v1/tickets/{ticket_id}/{kind}",
                {"body": "Thanks, we are on it."},
                {"If-Match": f'"{versions[ticket_id]}"'},
            )

        views = {
            "view_unassigned": "view=unassigned",
            "view_mine": "view=mine",
            "view_assignee": f"view=assignee&assignee_id={agents['chloe@lambdesk.local']}",
            "view_team": f"view=team&team_id={team}",
            "view_status": "view=status&status=open",
            "view_priority": "view=priority&priority=high",
            "view_requester": f"view=requester&requester_id={maria['id']}",
            "view_organization": f"view=organization&organization_id={maria['organization_id']}",
        }
        ops = [
            Op(
                "create_ticket",
                lambda: (
                    "POST",
                    "/v1/tickets",
                    {
                        "subject": "Cannot download invoices as PDF",
                        "body": CREATE_BODY,
                        "requester_email": "maria@acme.example",
                        "team_id": team,
                        "priority": "normal",
                        "tags": ["billing", "export"],
                    },
                    {},
                ),
                expect=201,
                write=True,
            ),
            Op("reply", post_on(reply_id, "replies"), expect=201, write=True, after=versioned(reply_id)),
            Op("note", post_on(note_id, "notes"), expect=201, write=True, after=versioned(note_id)),
            Op(
                "update",
                lambda: (
                    "PATCH",
                    f"/v1/tickets/{update_id}",
                    {"priority": next(priorities)},
                    {"If-Match": f'"{versions[update_id]}"'},
                ),
                write=True,
                after=versioned(update_id),
            ),
            Op("get_ticket_timeline", get(f"/v1/tickets/{read_target}")),
            *(Op(name, get(f"/v1/tickets?{query}")) for name, query in views.items()),
        ]
        for op in ops:
            op.port = self.stack.api_port
        ops.append(self._baseline(read_target))
        return ops

    def _baseline(self, ticket_id: str) -> Op:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        url = f"http://{HOST}:{self.stack.moto_port}/"
        payload = json.dumps(
            {"TableName": self.stack.table, "Key": {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "TICKET"}}}
        ).encode()
        credentials = Credentials("local", "local")

        def signed() -> tuple[str, str, None, dict[str, str]]:
            request = AWSRequest(
                "POST",
                url,
                data=payload,
                headers={"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"},
            )
            SigV4Auth(credentials, "dynamodb", REGION).add_auth(request)
            return "POST", "/", None, dict(request.headers.items())

        def found(response: Response) -> None:
            if "Item" not in response.json():
                raise RuntimeError("the baseline GetItem found no item")

        return Op("baseline_ddb_getitem", signed, after=found, port=self.stack.moto_port, raw_body=lambda: payload)

    # -- measuring -------------------------------------------------------------------------------

    def _call(self, op: Op) -> float:
        method, path, body, extra = op.request()
        data: bytes | None
        if op.raw_body is not None:
            data, headers = op.raw_body(), extra
        else:
            data = json.dumps(body).encode() if body is not None else None
            headers = {**self._auth(), **extra}
        elapsed, response = timed(op.port, method, path, data, headers)
        if response.status != op.expect:
            raise RuntimeError(f"{op.name}: {method} {path} -> {response.status}: {response.body[:300]!r}")
        if op.after is not None:
            op.after(response)
        return elapsed

    def _measure(self, ops: list[Op]) -> None:
        """Reads (and the baseline) first, then writes, each group warmed up and interleaved round by round.

        Writes grow the table and set the worker going (stream relay, webhooks, mail), in the stack's process;
        moto scans the whole table for every Query and copies it, stream included, for every transaction.
        Reads measured among writes would measure what the writes leave behind, so they go first, once the
        worker has worked off the demo data and the setup.
        """
        self.settle_seconds = self._settle()
        # The stack's routing consumer changes new tickets (rules, assignment) after the create response.
        for ticket_id in self._versions:
            etag = self._api("GET", f"/v1/tickets/{ticket_id}").headers["etag"]
            self._versions[ticket_id] = int(etag.strip('"'))
        reads = [op for op in ops if not op.write]
        writes = [op for op in ops if op.write]
        for group, count in ((reads, self.reads), (writes, self.writes)):
            for op in group:
                for _ in range(WARMUP):
                    self._call(op)
            for _ in range(count):
                for op in group:
                    op.samples.append(self._call(op))

    def _settle(self) -> float:
        return wait_idle(self.stack.moto_port)


def wait_idle(moto_port: int) -> float:
    """Wait until the stack's queues (not the dead-letter ones) have stayed empty for two seconds: the worker
    is idle. Returns the seconds waited (at most SETTLE_TIMEOUT)."""
    import boto3

    sqs = boto3.client(
        "sqs",
        endpoint_url=f"http://{HOST}:{moto_port}",
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    began = time.monotonic()
    quiet = 0
    while quiet < 2 and time.monotonic() - began < SETTLE_TIMEOUT:
        urls = [u for u in sqs.list_queues().get("QueueUrls", []) if not u.endswith("-dlq")]
        busy = 0
        for url in urls:
            attrs = sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            busy += sum(int(v) for v in attrs.values())
        quiet = quiet + 1 if busy == 0 else 0
        time.sleep(1.0)
    return round(time.monotonic() - began, 1)
