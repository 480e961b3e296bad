"""The ``lambdesk`` command line: its parser, the forms ``--at`` accepts, and how an error is reported.

Every error is one line on standard error (``lambdesk sweep: error: ...``) and exit status 2, whether
argparse finds it (an unknown command, a bad ``--at``, an unknown queue) or a command does (no running
stack, an unknown agent, a file that cannot be read). Never a traceback.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from chalicelib.core.resources import EVENT_CONSUMER_QUEUES, FEEDBACK_QUEUE, INBOUND_QUEUE

# Every queue that feeds a function (each with a ``<queue>-dlq``): what ``replay`` and ``queues`` know.
QUEUE_PURPOSES = (*EVENT_CONSUMER_QUEUES, INBOUND_QUEUE, FEEDBACK_QUEUE)
_OFFSET = re.compile(r"\+(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?")
AT_FORMS = "+90m, +2h, +3d2h (from now) or an ISO time with a zone, e.g. 2026-12-03T09:00:00+00:00"


class CliError(Exception):
    """A command cannot do what was asked; the message says why (one line)."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``prog: error: message (see prog --help)``, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def at(text: str) -> datetime:
    """The ``--at`` value: ``+90m``, ``+2h``, ``+3d2h`` (days, hours and minutes from now, in that order) or an
    ISO 8601 time with a zone offset or ``Z``."""
    offset = _OFFSET.fullmatch(text.strip())
    if offset and any(offset.groupdict().values()):
        days, hours, minutes = (int(offset[unit] or 0) for unit in "dhm")
        return datetime.now(UTC) + timedelta(days=days, hours=hours, minutes=minutes)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time: use {AT_FORMS}") from None
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"'{text}' has no time zone: add one, e.g. {text}+00:00")
    return moment


def parser(commands: dict[str, Callable[[argparse.Namespace], int]]) -> Parser:
    """The whole command line; ``commands`` maps a command's name (``mail send`` for subcommands) to its function."""
    p = Parser(prog="lambdesk", description="Lambdesk local stack and operator tool")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, into: Any = sub) -> Parser:
        child: Parser = into.add_parser(name.rsplit(" ", 1)[-1], help=help, description=help)
        child.set_defaults(func=commands[name])
        return child

    run = command("run", "start the local stack with demo data (what `make run` calls)")
    run.add_argument("--port", type=int, default=8000, help="the API and portal (default 8000)")
    run.add_argument("--moto-port", type=int, default=5050, help="moto, the AWS APIs (default 5050)")
    run.add_argument("--smtp-port", type=int, default=2525, help="inbound SMTP (default 2525)")
    run.add_argument(
        "--ws-port",
        type=int,
        default=8001,
        help="the chat's WebSocket bridge (default 8001; its Management API: the next port)",
    )
    run.add_argument("--no-seed", action="store_true", help="start without the demo data")
    token = command("token", "print a development token for an agent of the running stack")
    token.add_argument("--subject", default="demo-admin", help="the agent's token subject (default: the demo admin)")
    token.add_argument("--email", help="the agent's email address instead of the subject")
    token.add_argument("--ttl", type=int, default=12 * 3600, help="seconds of validity (default 12 h)")
    link = command("portal-link", "print a one-time sign-in link of the portal for a customer of the running stack")
    link.add_argument("--email", default="maria@acme.example", help="the customer (default: the demo customer)")
    link.add_argument("--ttl", type=int, default=12 * 3600, help="seconds the link works (default 12 h)")
    command("seed", "add the demo data to the running stack")
    command("queues", "depth of every queue and dead-letter queue")
    replay = command("replay", "move a dead-letter queue's messages back to its queue (after a fix)")
    replayable = (*QUEUE_PURPOSES, "relay")
    replay.add_argument("queue", choices=replayable, metavar="QUEUE", help=f"one of: {', '.join(replayable)}")
    sweep = command("sweep", "run the SLA, survey and automation sweeps once (optionally as if later)")
    sweep.add_argument("--at", type=at, metavar="WHEN", help=f"the time the sweeps act at: {AT_FORMS}")
    command("ops", "SLA alerts the ops topic received since the last call (JSON lines)")
    mail = sub.add_parser("mail", help="email tools", description="email tools")
    mail_sub = mail.add_subparsers(dest="mail_command", required=True, metavar="COMMAND")
    inspect = command("mail inspect", "what the pipeline makes of raw mail files (JSON lines)", mail_sub)
    inspect.add_argument("files", nargs="+", metavar="FILE")
    send = command("mail send", "inject raw .eml files into the running stack (as SES delivers them)", mail_sub)
    send.add_argument("files", nargs="+", metavar="FILE")
    send.add_argument("--to", help="envelope recipient (default: the support address)")
    command("mail outbox", "what the local stack sent (JSON lines)", mail_sub)
    mail_replay = command("mail replay", "re-drive the inbound DLQ and quarantined mail after a fix", mail_sub)
    mail_replay.add_argument("--reason", help="only quarantined mail with this reason (e.g. unparseable)")
    return p
