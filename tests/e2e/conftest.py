"""The local stack as a user starts it (`lambdesk run`, what `make run` calls), one per test module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from devtools import ports
from devtools.ports import distinct_free_ports
from tests.conftest import ROOT
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PageGuard, require_chromium

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, Page

LAMBDESK = Path(sys.executable).parent / "lambdesk"
START_TIMEOUT = 480  # seeding and settling the demo takes a minute; 4 or more on a 2-core machine others load


class Output:
    """What the stack prints, line by line as it arrives (a thread reads it: a full pipe would block every
    thread of the stack that writes)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.closed = False
        self._changed = threading.Condition()

    def add(self, line: str) -> None:
        with self._changed:
            self.lines.append(line)
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float, start: int = 0) -> int | None:
        """The index of the first line from ``start`` on containing ``text``, waiting up to ``timeout`` s for
        it; None if none came."""

        def found() -> int | None:
            return next((n for n, line in enumerate(self.lines[start:], start) if text in line), None)

        with self._changed:
            self._changed.wait_for(lambda: found() is not None or self.closed, timeout)
            return found()

    def tail(self, n: int = 40) -> str:
        return "".join(self.lines[-n:])


@dataclass
class Stack:
    process: subprocess.Popen[str]
    url: str
    token: str
    env: dict[str, str]
    output: Output
    smtp_port: int = 0
    moto_port: int = 0
    api_port: int = 0
    ws_port: int = 0

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    def cli(self, *args: str) -> str:
        """Run ``lambdesk`` against this stack; return its standard output."""
        done = subprocess.run([str(LAMBDESK), *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, f"lambdesk {' '.join(args)} failed:\n{done.stderr[-3000:]}"
        return done.stdout


def call(
    stack: Stack,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    token: str | None = "default",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    request = urllib.request.Request(
        stack.url + path, method=method, data=json.dumps(body).encode() if body is not None else None
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("Connection", "close")
    if token:
        request.add_header("Authorization", f"Bearer {stack.token if token == 'default' else token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _read(process: subprocess.Popen[str], output: Output) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.add(line)
    output.close()


def free_port_pair() -> int:
    """A free port whose next port is free too (the chat bridge serves its Management API there)."""
    return ports.free_port(pair=True)


def launch(state_dir: Path, *options: str) -> Stack:
    """Start ``lambdesk run`` on free ports, as a user does (the token is read by ``ready``)."""
    api_port, moto_port, smtp_port = distinct_free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAMBDESK_", "AWS_"))}
    env["LAMBDESK_LOCAL_STATE"] = str(state_dir / "stack.json")
    ws_port = free_port_pair()
    while {ws_port, ws_port + 1} & {api_port, moto_port, smtp_port}:
        ws_port = free_port_pair()
    ports = ["--port", str(api_port), "--moto-port", str(moto_port), "--smtp-port", str(smtp_port)]
    ports += ["--ws-port", str(ws_port)]
    process = subprocess.Popen(
        [str(LAMBDESK), "run", *ports, *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    output = Output()
    threading.Thread(target=_read, args=(process, output), daemon=True).start()
    return Stack(process, f"http://127.0.0.1:{api_port}", "", env, output, smtp_port, moto_port, api_port, ws_port)


def ready(stack: Stack, timeout: float = START_TIMEOUT) -> Stack:
    """Wait for the banner's last line; take the token from the line after "Agent token"."""
    assert stack.output.wait_for("Ctrl-C stops everything", timeout) is not None, (
        "the stack did not start:\n" + stack.output.tail()
    )
    at = stack.output.wait_for("Agent token", 0)
    assert at is not None, "the banner names no token:\n" + stack.output.tail()
    stack.token = stack.output.lines[at + 1].strip()
    return stack


def start(state_dir: Path, *options: str, attempts: int = 3) -> Stack:
    """``launch`` and wait until ``ready``. The ports are free when picked but another test's stack (the
    other xdist worker) may bind one before ours does; that start is retried on fresh ports."""
    for _ in range(attempts):
        stack = launch(state_dir, *options)
        try:
            stack.output.wait_for("Ctrl-C stops everything", START_TIMEOUT)
            if "Address already in use" in "".join(stack.output.lines):
                stop_now(stack)
                continue
            return ready(stack, 0)
        except BaseException:
            stop_now(stack)
            raise
    raise AssertionError(f"{attempts} starts found a port taken:\n" + stack.output.tail())


def stop_now(stack: Stack) -> None:
    if stack.process.poll() is None:
        stack.process.kill()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    started = start(tmp_path_factory.mktemp("stack"))
    try:
        yield started
    finally:  # a stack left running would slow every test after it
        stop_now(started)


# -- the real browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per test session (per xdist worker); each test gets its own context."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(locale="ru-RU", javascript=False, color_scheme="dark", timezone="Asia/Tokyo")``: a page in a
    fresh context.

    Every page is guarded: a JavaScript dialog (the XSS proof), a console error (e.g. a CSP violation) or
    an uncaught exception fails the test when it ends, unless the test cleared ``page.guard`` itself.
    """
    opened: list[tuple[Any, PageGuard]] = []

    def open_one(
        locale: str = "en-US", javascript: bool = True, color_scheme: str = "light", timezone: str | None = None
    ) -> Page:
        context = browser.new_context(
            locale=locale,
            java_script_enabled=javascript,
            viewport=DESKTOP,
            color_scheme=color_scheme,
            timezone_id=timezone,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        guard = PageGuard()
        guard.watch(page)
        page.guard = guard  # type: ignore[attr-defined]
        opened.append((context, guard))
        return page

    yield open_one
    problems = [problem for _, guard in opened for problem in guard.problems()]
    for context, _ in opened:
        context.close()
    assert not problems, "the page misbehaved:\n" + "\n".join(problems)


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()
