"""``lambdesk``'s argument handling and error paths: every error is one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from devtools import cli, localenv
from devtools.cli_args import QUEUE_PURPOSES, at


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``lambdesk argv``: (exit status, stdout, stderr), whether argparse exits or the command returns."""
    try:
        status = cli.main(argv)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def no_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "stack.json"
    monkeypatch.setattr(localenv, "STATE_FILE", state)
    return state


# -- --at ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("+90m", timedelta(minutes=90)),
        ("+2h", timedelta(hours=2)),
        ("+3d", timedelta(days=3)),
        ("+3d2h", timedelta(days=3, hours=2)),
        ("+1d12h30m", timedelta(days=1, hours=12, minutes=30)),
        ("+2h15m", timedelta(hours=2, minutes=15)),
    ],
)
def test_at_accepts_an_offset_from_now_in_days_hours_and_minutes(text: str, offset: timedelta) -> None:
    before = datetime.now(UTC)
    moment = at(text)
    assert before + offset <= moment <= datetime.now(UTC) + offset


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03T09:00:00+00:00", datetime(2026, 12, 3, 9, tzinfo=UTC)),
        ("2026-12-03T09:00:00Z", datetime(2026, 12, 3, 9, tzinfo=UTC)),
        ("2026-12-03T10:30+01:00", datetime(2026, 12, 3, 9, 30, tzinfo=UTC)),
    ],
)
def test_at_accepts_an_iso_time_with_a_zone(text: str, expected: datetime) -> None:
    assert at(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("yesterday", "'yesterday' is not a time"),
        ("+", "'+' is not a time"),
        ("+3x", "'+3x' is not a time"),
        ("+2h3d", "'+2h3d' is not a time"),
        ("-2h", "'-2h' is not a time"),
        ("2026-12-03T09:00", "has no time zone"),
    ],
)
def test_at_refuses_anything_else_naming_the_forms_it_takes(text: str, says: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(says)):
        at(text)


@pytest.mark.parametrize("value", ["yesterday", "+3x", "2026-12-03T09:00"])
def test_sweep_with_a_bad_at_is_one_error_line_and_status_2(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["sweep", "--at", value], capsys)
    assert (status, out) == (2, "")
    assert one_error_line(err).startswith(f"lambdesk sweep: error: argument --at: '{value}'")


def test_sweep_with_a_good_at_reaches_the_stack(no_stack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # +3d2h parses (it used to crash); the next step is the missing stack, reported as one line.
    status, _, err = run(["sweep", "--at", "+3d2h"], capsys)
    assert status == 2
    assert one_error_line(err) == f"lambdesk sweep: error: no local stack state at {no_stack}: start it with 'make run'"


# -- commands and queues ---------------------------------------------------------------------------


def test_replay_of_an_unknown_queue_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["replay", "nonsense"], capsys)
    line = one_error_line(err)
    assert status == 2 and line.startswith("lambdesk replay: error: argument QUEUE: invalid choice: 'nonsense'")
    assert all(f"'{purpose}'" in line for purpose in QUEUE_PURPOSES)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ([], "lambdesk: error: the following arguments are required: COMMAND"),
        (["nonsense"], "lambdesk: error: argument COMMAND: invalid choice: 'nonsense'"),
        (["mail"], "lambdesk mail: error: the following arguments are required: COMMAND"),
        (["mail", "send"], "lambdesk mail send: error: the following arguments are required: FILE"),
        (["token", "--ttl", "soon"], "lambdesk token: error: argument --ttl: invalid int value: 'soon'"),
        (["run", "--port"], "lambdesk run: error: argument --port: expected one argument"),
    ],
)
def test_a_usage_error_is_one_line_and_status_2(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(argv, capsys)
    assert status == 2 and one_error_line(err).startswith(says)


@pytest.mark.parametrize("argv", [["token"], ["seed"], ["queues"], ["replay", "sla"], ["ops"], ["mail", "outbox"]])
def test_a_command_without_a_running_stack_says_so_in_one_line(
    argv: list[str], no_stack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(argv, capsys)
    assert status == 2
    assert one_error_line(err).endswith(f"error: no local stack state at {no_stack}: start it with 'make run'")


def test_a_stack_that_does_not_answer_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from botocore.exceptions import EndpointConnectionError

    def unreachable() -> None:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:5050/")

    monkeypatch.setattr(cli, "_connect", unreachable)
    status, _, err = run(["queues"], capsys)
    assert status == 2
    assert one_error_line(err) == (
        "lambdesk queues: error: the local stack does not answer (Could not connect to the endpoint URL: "
        "\"http://127.0.0.1:5050/\"): is it running? Start it with 'make run'"
    )


def test_an_unknown_agent_for_a_token_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    class Directory:
        def find_agent_by_email(self, email: str) -> None:
            return None

    class Services:
        directory_repo = Directory()

    monkeypatch.setattr(cli, "_connect", lambda: localenv.LocalEnv())
    monkeypatch.setattr("chalicelib.bootstrap.current", lambda: Services())
    status, out, err = run(["token", "--email", "nobody@example.com"], capsys)
    assert (status, out) == (2, "")
    assert one_error_line(err) == "lambdesk token: error: no agent with email nobody@example.com"


def test_mail_send_of_a_missing_file_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any) -> None:
    monkeypatch.setattr(cli, "_connect", lambda: localenv.LocalEnv())
    monkeypatch.setattr("devtools.smtp.SesInbound", lambda env: SimpleNamespace(receive=lambda raw, to: "key"))
    missing = tmp_path / "nope.eml"
    status, _, err = run(["mail", "send", str(missing)], capsys)
    assert status == 2
    assert one_error_line(err) == f"lambdesk mail send: error: {missing}: No such file or directory"


def test_queues_lists_every_queue_the_app_consumes_with_its_dlq_and_the_relay_dlq() -> None:
    from chalice.app import SQSEventConfig

    from app import app

    env = localenv.LocalEnv(stage="test")
    consumed = {s.queue for s in app.event_sources if isinstance(s, SQSEventConfig)}
    names = cli.queue_names(env)
    assert {f"lambdesk-test-{p}" for p in ("inbound", "feedback")} <= set(names)
    assert set(names) == consumed | {f"{q}-dlq" for q in consumed} | {env.names.relay_dlq, env.ops_inbox_queue}
    assert len(names) == len(set(names))
