"""Conformance against real-world mail (shared/corpora): skipped with a reason when the corpora are absent.

Each test records its numbers as a ``conformance`` user property; the terminal summary prints them (this
works under pytest-xdist too, since reports carry their user properties back to the controller).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.corpora import corpora_dir


@pytest.fixture(scope="session")
def corpora() -> Path:
    path = corpora_dir()
    if path is None:
        pytest.skip("mail corpora not found: set LAMBDESK_CORPORA or place them at ../shared/corpora")
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines: list[str] = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", None) != "call":
                continue
            lines.extend(str(value) for key, value in getattr(report, "user_properties", []) if key == "conformance")
    if lines:
        terminalreporter.section("mail conformance")
        for line in sorted(lines):
            terminalreporter.write_line(line)
