"""The first hour with `make run` (`lambdesk run`): quiet when idle, one console line per request, the banner's
and the README's commands work as pasted, and SIGTERM stops the stack cleanly whenever it arrives."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port
from tests.e2e.conftest import LAMBDESK, START_TIMEOUT, Stack, call, launch, start, stop_now
from tests.e2e.readme import Command, runnable_commands, script

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 10.0
STOP_SECONDS = 20.0


def test_the_idle_stack_prints_less_than_a_line_a_second(stack: Stack) -> None:
    # Right after the banner (the first test of this module): moto's request log used to print ~43 lines a
    # second here, the worker's polls. It goes to a file now.
    before = len(stack.output.lines)
    time.sleep(IDLE_SECONDS)  # the measurement itself: what the console shows over ten idle seconds
    printed = stack.output.lines[before:]
    assert len(printed) < IDLE_SECONDS, "".join(printed[-20:])
    moto_log = Path(stack.env["LAMBDESK_LOCAL_STATE"]).parent / "moto.log"
    assert moto_log.read_text().count("HTTP/1.1") > IDLE_SECONDS, "moto's request log should be in the file"


def test_a_request_is_one_console_line_with_its_method_path_and_status(stack: Stack) -> None:
    before = len(stack.output.lines)
    assert call(stack, "GET", "/v1/tickets?view=unassigned")[0] == 200
    at = stack.output.wait_for("GET /v1/tickets?view=unassigned  200", 10, start=before)
    assert at is not None, stack.output.tail()
    # The server prints its line after the response; the app logs its own record before it: a second line
    # about this request would already be above this one.
    mentions = [line for line in stack.output.lines[before : at + 1] if "view=unassigned" in line or "request" in line]
    assert len(mentions) == 1, mentions


def test_the_banner_try_lines_work_as_pasted(stack: Stack) -> None:
    start = stack.output.wait_for("Try, in another terminal:", 0)
    assert start is not None
    export, curl = (line.strip() for line in stack.output.lines[start + 1 : start + 3])
    assert export == f"export TOKEN={stack.token}"
    done = subprocess.run(["bash", "-c", f"{export}\n{curl}"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    # The demo leaves Support L2's tickets unassigned (its agent is away): the view shows them.
    assert re.search(r'"items":\[\{', done.stdout), done.stdout


def test_the_readmes_commands_work_as_pasted_in_order_and_show_something(stack: Stack) -> None:
    ports = {"8000": stack.api_port, "5050": stack.moto_port, "2525": stack.smtp_port}
    commands = runnable_commands((ROOT / "README.md").read_text(), ports)
    assert len(commands) >= 5, "README.md marks too few commands as runnable"
    done = subprocess.run(
        ["bash", "-c", script(commands)], cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120
    )
    results = Command.results(commands, done.stdout)
    assert len(results) == len(commands), done.stdout[-3000:] + done.stderr[-3000:]
    for command, (status, output) in zip(commands, results, strict=True):
        assert status == 0, f"{command.text}\nexited {status}:\n{output}"
        assert command.showed_something(output), f"{command.text}\nshowed nothing useful:\n{output}"


def stop(stack: Stack) -> str:
    stack.process.send_signal(signal.SIGTERM)
    try:
        status = stack.process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail("the stack ignored SIGTERM:\n" + stack.output.tail())
    assert stack.output.wait_for("stopped.", 5) is not None, stack.output.tail()
    assert status == 0, stack.output.tail()
    return "".join(stack.output.lines)


@contextmanager
def launched(state_dir: Path, *options: str) -> Iterator[Stack]:
    """A stack of the test's own, killed at the end whatever happened."""
    stack = launch(state_dir, *options)
    try:
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.process.kill()


def test_sigterm_stops_a_running_stack_cleanly_every_time(tmp_path: Path) -> None:
    for attempt in range(3):
        started = start(tmp_path / str(attempt), "--no-seed")
        try:
            assert call(started, "GET", "/health", token=None)[0] == 200
            printed = stop(started)
            assert "stopping...\n" in printed and "Traceback" not in printed
        finally:
            stop_now(started)


def test_sigterm_while_the_stack_is_starting_stops_it_cleanly(tmp_path: Path) -> None:
    with launched(tmp_path) as starting:
        assert starting.output.wait_for("Starting Lambdesk", 60) is not None, starting.output.tail()
        printed = stop(starting)
        assert "stopping... (while starting)" in printed and "Traceback" not in printed
        assert "Ctrl-C stops everything" not in printed


def test_sigterm_stops_the_stack_when_nobody_reads_its_output_any_more(tmp_path: Path) -> None:
    # `make run | head`, or a test runner gone: every write to the console fails from then on.
    reader, writer = os.pipe()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAMBDESK_", "AWS_"))}
    env["LAMBDESK_LOCAL_STATE"] = str(tmp_path / "stack.json")
    ports = [str(free_port()) for _ in range(3)]
    options = ["--port", ports[0], "--moto-port", ports[1], "--smtp-port", ports[2], "--no-seed"]
    process = subprocess.Popen([str(LAMBDESK), "run", *options], cwd=ROOT, env=env, stdout=writer, stderr=writer)
    os.close(writer)
    try:
        seen = b""
        deadline = time.monotonic() + START_TIMEOUT
        while b"Ctrl-C stops everything" not in seen and time.monotonic() < deadline and process.poll() is None:
            if select.select([reader], [], [], 1.0)[0]:
                seen += os.read(reader, 65536)
        assert b"Ctrl-C stops everything" in seen, seen.decode()[-2000:]
        os.close(reader)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=STOP_SECONDS) == 0
    finally:
        if process.poll() is None:
            process.kill()
