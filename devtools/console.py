"""What ``lambdesk run`` prints, and where everything else goes.

The console is for a person: the banner, warnings and errors, and one short line per handled event or
request (``12:04:31  routing  event=ticket.created outcome=not assignable``, ``12:04:32  GET /v1/me  200``).
Idle, it stays quiet. Everything else goes to files beside the stack's state (``.local/`` by default), each
rotated at 10 MB:

- ``moto.log``: moto's request log, about 40 lines a second even when idle (the worker's polls);
- ``app.log``: the app's JSON log lines in full (what CloudWatch Logs holds in AWS) and the EMF metrics that
  powertools prints.

A request's console line comes from the local API server (it knows the path); the app's own per-request
record (``observability.install``'s "request") goes to ``app.log`` only, so a request is one line, not two.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, TextIO

LOG_BYTES = 10 * 1024 * 1024
# The message of the record ``observability.install`` writes for every HTTP request.
REQUEST_RECORD = "request"
MOTO_LOG = "moto.log"
APP_LOG = "app.log"
# Keys of a powertools log line that say nothing to a person watching the console.
_QUIET = frozenset(
    {
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "correlation_id",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "xray_trace_id",
        "sampling_rate",
        "exception",
        "exception_name",
        "stack_trace",
    }
)


class Console:
    """The terminal: whole lines, one writer at a time (every thread of the stack may report), never through
    a progress bar being drawn (``lambdesk run`` shows one while it seeds and settles the demo)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def say(self, text: str) -> None:
        from devtools.progress import beside_bars

        with self._lock, beside_bars():
            try:
                self.stream.write(text + "\n")
                self.stream.flush()
            except OSError:  # the terminal is gone (a closed pipe): the stack runs on, its logs are in files
                return


class LogFile:
    """Lines to a file that rotates at ``LOG_BYTES`` (one old file kept), from any thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=1, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(message)s"))

    def line(self, text: str) -> None:
        self.handler.handle(logging.makeLogRecord({"msg": text, "levelno": logging.INFO, "levelname": "INFO"}))


class PrintsToFile(io.TextIOBase):
    """Stands in for ``sys.stdout``: what the app prints (powertools' EMF metrics) goes to a log file."""

    def __init__(self, sink: LogFile) -> None:
        self.sink = sink
        self._pending = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self.sink.line(line)
        return len(text)


def clock(moment: float | None = None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def summary(record: logging.LogRecord, entry: dict[str, Any]) -> str:
    """One console line for one app log line: time, level when it matters, message, the telling keys."""
    words = [clock(record.created)]
    if record.levelno >= logging.WARNING:
        words.append(record.levelname)
    words.append(str(entry.get("message", record.getMessage())))
    fields = " ".join(f"{key}={value}" for key, value in entry.items() if key not in _QUIET and value is not None)
    line = "  ".join([*words, fields] if fields else words)
    if record.levelno >= logging.ERROR and entry.get("exception"):
        line += "\n" + str(entry["exception"])
    return line


class EventLines(logging.Handler):
    """The app's log records: in full (powertools JSON) to the app log, one short line on the console."""

    def __init__(self, formatter: logging.Formatter, sink: LogFile, console: Console) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.sink = sink
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            self.sink.line(line)
            if record.getMessage() == REQUEST_RECORD and record.levelno < logging.WARNING:
                return
            entry = json.loads(line)
            self.console.say(summary(record, entry if isinstance(entry, dict) else {}))
        except (ValueError, OSError):
            self.handleError(record)


def install(log_dir: Path, console: Console) -> None:
    """Route moto's request log, the app's logs and its prints."""
    moto = logging.getLogger("werkzeug")
    moto.handlers = [LogFile(log_dir / MOTO_LOG).handler]
    moto.setLevel(logging.INFO)
    moto.propagate = False
    app_log = LogFile(log_dir / APP_LOG)
    from chalicelib.core import observability

    # The Logger keeps its formatter (keys appended per request live there); only where lines go changes.
    formatter = observability.logger().registered_formatter
    logging.getLogger(observability.SERVICE).handlers = [EventLines(formatter, app_log, console)]  # type: ignore[arg-type]
    sys.stdout = PrintsToFile(app_log)
