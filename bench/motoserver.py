"""moto in server mode (``ThreadedMotoServer``) on a free loopback port, in its own process.

Its own process, so that moto's work (it scans the whole table for every Query and copies it for every
TransactWriteItems) runs beside the benchmark instead of sharing its interpreter lock. The server counts
the DynamoDB requests that reach it; the count is independent of the botocore hooks in ``bench.meter``,
so when both agree no request went around the meter. Requests marked with ``X-Bench-Aux`` (the meter's
own reads) are left out. ``python -m bench.motoserver PORT [--fast]`` is the child; the parent reads the count
at ``/_bench/requests``. ``--fast`` installs the shortcuts of ``bench.motofast`` (tables of 100,000+ items).
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs

from bench.meter import AUX_HEADER
from devtools.ports import free_port

HOST = "127.0.0.1"
CONTROL_PATH = "/_bench/requests"
TRIM_PATH = "/_bench/trim-streams"
PAUSE_PATH = "/_bench/pause-streams"
_AUX_ENVIRON = "HTTP_" + AUX_HEADER.upper().replace("-", "_")
ROOT = Path(__file__).resolve().parent.parent


class CountingMotoServer:
    """The parent's handle on the moto process."""

    def __init__(self, log_path: Path | None = None, fast: bool = False) -> None:
        """``fast``: moto with the shortcuts of ``bench.motofast`` (for tables of 100,000+ items)."""
        self.port = free_port()
        self.fast = fast
        self.shortcut_problems: list[str] = []
        self.url = f"http://{HOST}:{self.port}"
        self.counting = False
        self._log_path = log_path
        self._log: IO[bytes] | None = None
        self._proc: subprocess.Popen[str] | None = None
        self.exit_code: int | None = None

    def start(self) -> None:
        self._log = open(self._log_path, "wb") if self._log_path else None  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.motoserver", str(self.port), *(["--fast"] if self.fast else [])],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log or subprocess.DEVNULL,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the moto server exited with {self._proc.wait()} before it was ready")
        ready = json.loads(line)
        self.counting = bool(ready["counting"])
        self.shortcut_problems = list(ready.get("shortcut_problems", []))

    def stop(self) -> None:
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        if self._log is not None:
            self._log.close()
        self.exit_code = self._proc.returncode
        self._proc = None

    def _requests(self, start: int) -> dict[str, Any]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request("GET", f"{CONTROL_PATH}?start={start}")
            return dict(json.loads(conn.getresponse().read()))
        finally:
            conn.close()

    def trim_streams(self) -> int:
        """Drop the stream records moto keeps (nobody reads them here); return how many were dropped.

        moto copies each table, stream records included, once per item of every TransactWriteItems (to roll
        back on failure): with 70,000 records a transaction of four items takes about a minute.
        """
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request("POST", TRIM_PATH)
            return int(json.loads(conn.getresponse().read())["dropped"])
        finally:
            conn.close()

    def pause_streams(self, paused: bool) -> None:
        """Stop (or resume) recording stream records: nobody reads them while the bench seeds a table, and
        building one costs about a quarter of moto's time per written item."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request("POST", f"{PAUSE_PATH}?paused={int(paused)}")
            conn.getresponse().read()
        finally:
            conn.close()

    @property
    def dynamodb_requests(self) -> int:
        return int(self._requests(0)["count"]) if self.counting else 0

    def targets_since(self, start: int) -> list[str]:
        return list(self._requests(start)["targets"])


def _counting(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    lock = threading.Lock()
    targets: list[str] = []

    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            start = int(parse_qs(environ.get("QUERY_STRING", "")).get("start", ["0"])[0])
            with lock:
                body = json.dumps({"count": len(targets), "targets": targets[start:]}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO") in (TRIM_PATH, PAUSE_PATH):
            if environ["PATH_INFO"] == TRIM_PATH:
                body = json.dumps({"dropped": _trim_streams()}).encode()
            else:
                paused = parse_qs(environ.get("QUERY_STRING", "")).get("paused", ["0"])[0] == "1"
                body = json.dumps({"paused": _pause_streams(paused)}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB_") and not environ.get(_AUX_ENVIRON):
            with lock:
                targets.append(target.partition(".")[2])
        return app(environ, start_response)

    return counted


def _trim_streams() -> int:
    from moto.dynamodb.models import dynamodb_backends

    from devtools.localenv import ACCOUNT, REGION

    dropped = 0
    for region in (REGION,):
        for table in dynamodb_backends[ACCOUNT][region].tables.values():
            shard = getattr(table, "stream_shard", None)
            if shard is not None:
                dropped += len(shard.items)
                shard.items.clear()
    return dropped


_paused_shards: dict[str, Any] = {}


def _pause_streams(paused: bool) -> list[str]:
    """Detach (or put back) every table's stream shard; moto records nothing while it is detached."""
    from moto.dynamodb.models import dynamodb_backends

    from devtools.localenv import ACCOUNT, REGION

    tables = dynamodb_backends[ACCOUNT][REGION].tables
    for name, table in tables.items():
        if paused and getattr(table, "stream_shard", None) is not None:
            _paused_shards[name] = table.stream_shard
            table.stream_shard = None
        elif not paused and name in _paused_shards:
            table.stream_shard = _paused_shards.pop(name)
    return sorted(_paused_shards)


def main() -> int:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # werkzeug logs every request at INFO
    ready: dict[str, Any] = {}
    if "--fast" in sys.argv[2:]:
        from bench import motofast

        motofast.install()
        ready["shortcut_problems"] = motofast.verify()
    else:
        from devtools import moto_journal

        moto_journal.install()
    server = ThreadedMotoServer(ip_address=HOST, port=int(sys.argv[1]), verbose=False)
    server.start()
    wsgi_server = getattr(server, "_server", None)
    counting = wsgi_server is not None and hasattr(wsgi_server, "app")
    if counting:
        wsgi_server.app = _counting(wsgi_server.app)  # type: ignore[union-attr]
    print(json.dumps({"counting": counting, **ready}), flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nobody reads stdout any more
    sys.stdin.read()  # until the parent closes our stdin
    began = time.monotonic()
    server.stop()
    print(f"moto server stopped in {time.monotonic() - began:.1f} s", file=sys.stderr, flush=True)
    # Everything this process holds is moto's in-memory state: skip tearing down a heap of millions of
    # objects, which can take longer than the whole shutdown is allowed.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
