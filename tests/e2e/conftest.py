"""The local stack as a user starts it (`lambdesk run`, what `make run` calls), one per test module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import ROOT, free_port
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PageGuard, require_chromium

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, Page

LAMBDESK = Path(sys.executable).parent / "lambdesk"
# Alone it starts in ~30 s; on a 2-core machine shared with other test runs it has taken over 90 s.
START_TIMEOUT = 180


@dataclass
class Stack:
    process: subprocess.Popen[str]
    url: str
    token: str
    env: dict[str, str]
    output: list[str]
    smtp_port: int = 0

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


def _drain(process: subprocess.Popen[str], output: list[str], keep: int = 400) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        del output[:-keep]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    api_port, moto_port, smtp_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAMBDESK_", "AWS_"))}
    env["LAMBDESK_LOCAL_STATE"] = str(tmp_path_factory.mktemp("stack") / "stack.json")
    process = subprocess.Popen(
        [str(LAMBDESK), "run", "--port", str(api_port), "--moto-port", str(moto_port), "--smtp-port", str(smtp_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    output: list[str] = []
    token = ""
    deadline = time.monotonic() + START_TIMEOUT
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line)
        if "Agent token" in line:
            token = process.stdout.readline().strip()
            output.append(token)
        if "Ctrl-C stops everything" in line:
            break
    if not token:
        process.kill()  # a stack that did not come up must not outlive the test run
        pytest.fail("the stack did not print a token:\n" + "".join(output[-40:]))
    # Keep reading the stack's output: a full pipe would block every thread that logs (moto's too).
    threading.Thread(target=_drain, args=(process, output), daemon=True).start()
    result = Stack(process, f"http://127.0.0.1:{api_port}", token, env, output, smtp_port)
    yield result
    if process.poll() is None:
        process.kill()


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
    """``open_page(locale="ru-RU", javascript=False, color_scheme="dark")``: a page in a fresh context.

    Every page is guarded: a JavaScript dialog (the XSS proof), a console error (e.g. a CSP violation) or
    an uncaught exception fails the test when it ends, unless the test cleared ``page.guard`` itself.
    """
    opened: list[tuple[Any, PageGuard]] = []

    def open_one(locale: str = "en-US", javascript: bool = True, color_scheme: str = "light") -> Page:
        context = browser.new_context(
            locale=locale, java_script_enabled=javascript, viewport=DESKTOP, color_scheme=color_scheme
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
