"""``lambdesk``: the command-line tool of the local stack and of operators.

The parser and the error rules are in ``devtools/cli_args.py``; this module holds what each command does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from devtools.cli_args import QUEUE_PURPOSES, CliError, parser
from devtools.localenv import LocalEnv, NoStack


def _cmd_run(args: argparse.Namespace) -> int:
    from devtools.localstack import run

    env = LocalEnv(api_port=args.port, moto_port=args.moto_port, smtp_port=args.smtp_port, ws_port=args.ws_port)
    return run(env, seed=not args.no_seed)


def _connect() -> LocalEnv:
    from chalicelib.core import settings
    from chalicelib.storage.dynamodb.models import bind

    env = LocalEnv.load()
    env.apply()
    settings.reset()
    bind(env.names.table, "us-east-1", env.moto_url)
    return env


def _cmd_token(args: argparse.Namespace) -> int:
    from chalicelib.people.auth import mint_dev_token

    env = _connect()
    subject = args.subject
    if args.email:
        from chalicelib.bootstrap import current as services

        agent = services().directory_repo.find_agent_by_email(args.email)
        if agent is None:
            raise CliError(f"no agent with email {args.email}")
        subject = agent.subject
    print(mint_dev_token(env.dev_signing_key, subject, args.ttl))
    return 0


def _cmd_portal_link(args: argparse.Namespace) -> int:
    """A sign-in link for a customer of the running stack, as the sign-in mail carries it (used once)."""
    from chalicelib.bootstrap import current as services
    from chalicelib.domain.people import Identity, IdentityKind
    from devtools.seed import sign_in_link

    env = _connect()
    svc = services()
    if svc.customers.find(Identity.of(IdentityKind.EMAIL, args.email)) is None:
        raise CliError(f"no customer with email {args.email}")
    print(sign_in_link(svc, env.portal_url, args.email, args.ttl / 3600))
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from chalicelib.bootstrap import current as services
    from devtools.seed import seed_demo

    _connect()
    seeded = seed_demo(services())
    print(json.dumps({"created": seeded.created, "tickets": seeded.tickets, "admin_subject": seeded.admin_subject}))
    return 0


def queue_names(env: LocalEnv) -> list[str]:
    """Every queue of the stack: each function's queue and its DLQ, the relay's DLQ, the local ops inbox."""
    names = env.names
    return [name for p in QUEUE_PURPOSES for name in (names.queue(p), names.dlq(p))] + [
        names.relay_dlq,
        env.ops_inbox_queue,
    ]


def _cmd_queues(args: argparse.Namespace) -> int:
    import boto3

    env = _connect()
    sqs = boto3.client("sqs")
    for name in queue_names(env):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attrs = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        visible, in_flight = attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]
        print(f"{name:40} visible={visible:>5} in-flight={in_flight:>5}")
    return 0


def _cmd_replay(args: argparse.Namespace) -> int:
    """Move messages from a dead-letter queue back to its queue (after a fix)."""
    import boto3

    from devtools.progress import bar
    from devtools.queues import redrive

    env = _connect()
    sqs = boto3.client("sqs")
    if args.queue == "relay":
        return _replay_relay(env, sqs)
    source = sqs.get_queue_url(QueueName=env.names.dlq(args.queue))["QueueUrl"]
    target = sqs.get_queue_url(QueueName=env.names.queue(args.queue))["QueueUrl"]
    waiting = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["ApproximateNumberOfMessages"])
    with bar(f"Replaying {args.queue}", int(waiting["Attributes"]["ApproximateNumberOfMessages"]), "msg") as moving:
        moved = redrive(sqs, source, target, progress=moving.update)
    print(json.dumps({"queue": args.queue, "moved": moved}))
    return 0


def _replay_relay(env: LocalEnv, sqs: Any) -> int:
    """The relay's dead-letter queue: parked events are published again, given-up stream positions relayed."""
    import boto3

    from chalicelib.bootstrap import handlers
    from devtools.queues import replay_relay

    source = sqs.get_queue_url(QueueName=env.names.relay_dlq)["QueueUrl"]
    counts = replay_relay(sqs, boto3.client("dynamodbstreams"), source, env.events_topic_arn, handlers.relay)
    print(json.dumps({"queue": "relay", **counts}))
    return 0


def _cmd_mail_send(args: argparse.Namespace) -> int:
    """Inject raw .eml files into the running stack, as SES would deliver them."""
    from pathlib import Path

    from devtools.smtp import SesInbound

    env = _connect()
    inbound = SesInbound(env)
    for name in args.files:
        key = inbound.receive(Path(name).read_bytes(), [args.to or env.support_address])
        print(json.dumps({"file": name, "key": key}))
    return 0


def _cmd_mail_replay(args: argparse.Namespace) -> int:
    """After a fix: move the inbound DLQ back to its queue and re-process quarantined mail."""
    import boto3

    from chalicelib.bootstrap import current as services
    from chalicelib.core.resources import INBOUND_QUEUE
    from devtools.queues import replay_mail

    env = _connect()
    sqs = boto3.client("sqs")
    counts = replay_mail(
        sqs,
        boto3.client("sns"),
        services().mail_repo,
        env.inbound_topic_arn,
        sqs.get_queue_url(QueueName=env.names.queue(INBOUND_QUEUE))["QueueUrl"],
        sqs.get_queue_url(QueueName=env.names.dlq(INBOUND_QUEUE))["QueueUrl"],
        env.bucket,
        env.support_address,
        args.reason,
    )
    print(json.dumps(counts))
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    """Run the scheduled sweeps once, now or as if at ``--at`` (to see SLA alerts, surveys and automations happen)."""
    from datetime import UTC, datetime

    from chalicelib import bootstrap
    from chalicelib.bootstrap import handlers
    from devtools.progress import DueWithProgress

    _connect()
    moment = args.at or datetime.now(UTC)
    container = bootstrap.current()
    # Before anything is built: every part reads the clock and the repositories at construction.
    container.clock = lambda: moment
    # The repositories are frozen (and the table's are built on first use): put the wrapper in their place.
    object.__setattr__(container.repos, "work", DueWithProgress(container.work_repo))
    # Surveys before timers: a survey falls due a day after the solve, the auto-close days later.
    swept = {
        "sla": handlers.sla_sweep(),
        "surveys": handlers.survey_sweep(),
        "timers": handlers.timers_sweep(),
        "queues": handlers.drain_queues(),
    }
    print(json.dumps({"at": moment.isoformat(), **swept}))
    return 0


def _cmd_ops(args: argparse.Namespace) -> int:
    """What the ops topic received since the last call (SLA warnings and breaches), as JSON lines; read once."""
    import boto3

    env = _connect()
    sqs = boto3.client("sqs", endpoint_url=env.moto_url, region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=env.ops_inbox_queue)["QueueUrl"]
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            print(message["Body"])
        entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)]
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    return 0


def _cmd_mail_outbox(args: argparse.Namespace) -> int:
    from devtools.mail_outbox import main as outbox_main

    return outbox_main()


def _cmd_mail_inspect(args: argparse.Namespace) -> int:
    from devtools.mail_inspect import main as inspect_main

    return inspect_main(args.files)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _cmd_run,
    "token": _cmd_token,
    "portal-link": _cmd_portal_link,
    "seed": _cmd_seed,
    "queues": _cmd_queues,
    "replay": _cmd_replay,
    "sweep": _cmd_sweep,
    "ops": _cmd_ops,
    "mail inspect": _cmd_mail_inspect,
    "mail send": _cmd_mail_send,
    "mail outbox": _cmd_mail_outbox,
    "mail replay": _cmd_mail_replay,
}


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser(COMMANDS)
    args = cli.parse_args(argv)
    try:
        return int(args.func(args))
    except (CliError, NoStack, OSError) as error:
        problem = f"{error.filename}: {error.strerror}" if isinstance(error, OSError) and error.filename else error
        return _fail(args, str(problem))
    except _service_errors() as error:
        return _fail(args, _service_problem(error))


def _fail(args: argparse.Namespace, problem: str) -> int:
    """One line on standard error, exit status 2 (as argparse does for a bad argument)."""
    command = " ".join(filter(None, (args.command, getattr(args, "mail_command", None))))
    print(f"lambdesk {command}: error: {problem}", file=sys.stderr)
    return 2


def _service_errors() -> tuple[type[Exception], ...]:
    """What talking to the stack's moto (or AWS) can raise; evaluated only when something was raised."""
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    return BotoCoreError, ClientError, PynamoDBException


def _service_problem(error: Any) -> str:
    from botocore.exceptions import EndpointConnectionError

    cause = error.__cause__ if error.__cause__ is not None else error
    if isinstance(cause, EndpointConnectionError) or isinstance(error, EndpointConnectionError):
        return f"the local stack does not answer ({error}): is it running? Start it with 'make run'"
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(main())
