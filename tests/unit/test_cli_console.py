"""``lambdesk run``'s console: one short line per app log record, the full record in the app log."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from devtools.console import Console, EventLines, LogFile, PrintsToFile


class JsonLines(logging.Formatter):
    """Formats like powertools: the message and the record's extra keys, as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        extra = {k: v for k, v in vars(record).items() if k in ("event", "outcome", "status", "exception")}
        return json.dumps({"level": record.levelname, "message": record.getMessage(), "service": "x", **extra})


def app_logger(tmp_path: Path) -> tuple[logging.Logger, io.StringIO, Path]:
    screen = io.StringIO()
    logger = logging.getLogger(f"console-test-{tmp_path.name}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers = [EventLines(JsonLines(), LogFile(tmp_path / "app.log"), Console(screen))]
    return logger, screen, tmp_path / "app.log"


def test_an_event_is_one_console_line_and_one_full_json_line_in_the_app_log(tmp_path: Path) -> None:
    logger, screen, app_log = app_logger(tmp_path)
    logger.info("routing", extra={"event": "ticket.created", "outcome": "queued"})
    (line,) = screen.getvalue().splitlines()
    assert line.endswith("  routing  event=ticket.created outcome=queued") and "service" not in line
    logged = json.loads(app_log.read_text())
    assert logged["service"] == "x" and logged["outcome"] == "queued"


def test_the_apps_request_record_stays_off_the_console(tmp_path: Path) -> None:
    # The local API server prints the request's line (it knows the path); the app's own record would double it.
    logger, screen, app_log = app_logger(tmp_path)
    logger.info("request", extra={"status": 200})
    assert screen.getvalue() == ""
    assert json.loads(app_log.read_text())["status"] == 200


def test_a_warning_names_its_level_and_an_error_shows_its_traceback(tmp_path: Path) -> None:
    logger, screen, _ = app_logger(tmp_path)
    logger.warning("mail capped: not sent")
    logger.error("poll failed", extra={"exception": "Traceback (most recent call last):\n  boom"})
    lines = screen.getvalue().splitlines()
    assert lines[0].endswith("  WARNING  mail capped: not sent")
    assert lines[1].endswith("  ERROR  poll failed") and lines[2:] == ["Traceback (most recent call last):", "  boom"]


def test_what_the_app_prints_goes_to_the_app_log_line_by_line(tmp_path: Path) -> None:
    prints = PrintsToFile(LogFile(tmp_path / "app.log"))
    print('{"_aws": {"Timestamp": 1}}', file=prints)
    prints.write("half a ")
    prints.write("line\n")
    assert (tmp_path / "app.log").read_text().splitlines() == ['{"_aws": {"Timestamp": 1}}', "half a line"]
