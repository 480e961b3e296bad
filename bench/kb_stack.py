"""Publish-to-searchable on the local stack (``make run``, in a child process): an admin publishes an article
through the API; the clock runs from the 201 until ``GET /v1/kb/search`` finds it (polled every 50 ms).

The path is the one AWS runs: the table stream, the relay, SNS, the kb queue (the worker polls it), the index
built into S3 (moto) and the pointer flipped; the API's search notices within ``LAMBDESK_KB_POINTER_SECONDS``
(1 s locally, ``.chalice/config.json``).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.latency import StackProcess, timed

RUNS = 5
POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 30.0


def publish_to_searchable(env: dict[str, str], log_path: Path) -> dict[str, Any]:
    from chalicelib.people.auth import mint_dev_token
    from devtools.seed import ADMIN_SUBJECT

    stack = StackProcess(env, log_path)
    stack.start()
    try:
        headers = {"Authorization": f"Bearer {mint_dev_token(stack.dev_key, ADMIN_SUBJECT)}"}
        times = [_one(stack.api_port, headers, n) for n in range(RUNS)]
    finally:
        stack.stop()
    return {"runs": RUNS, "median": round(statistics.median(times), 2), "max": round(max(times), 2)}


def _one(port: int, headers: dict[str, str], n: int) -> float:
    word = f"quokka{n}x{int(time.time())}"
    body = json.dumps({"title": f"Benchmark article {word}", "body": "Measured.", "status": "published"}).encode()
    _, created = timed(port, "POST", "/v1/kb/articles", body, {**headers, "Content-Type": "application/json"})
    if created.status != 201:
        raise RuntimeError(f"publishing failed: {created.status} {created.body[:200]!r}")
    published = time.perf_counter()
    while time.perf_counter() - published < GIVE_UP_SECONDS:
        _, found = timed(port, "GET", f"/v1/kb/search?q={quote(word)}")
        if found.status == 200 and found.json()["items"]:
            return time.perf_counter() - published
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"{word} was not searchable {GIVE_UP_SECONDS:.0f} s after it was published")
