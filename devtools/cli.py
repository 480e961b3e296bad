"""``lambdesk``: the command-line tool of the local stack and of operators."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from devtools.localenv import LocalEnv


def _cmd_run(args: argparse.Namespace) -> int:
    from devtools.localstack import run

    env = LocalEnv(api_port=args.port, moto_port=args.moto_port, smtp_port=args.smtp_port)
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
            print(f"no agent with email {args.email}", file=sys.stderr)
            return 1
        subject = agent.subject
    print(mint_dev_token(env.dev_signing_key, subject, args.ttl))
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from chalicelib.bootstrap import current as services
    from devtools.seed import seed_demo

    _connect()
    seeded = seed_demo(services())
    print(json.dumps({"created": seeded.created, "tickets": seeded.tickets, "admin_subject": seeded.admin_subject}))
    return 0


def _queues(env: LocalEnv) -> list[tuple[str, str]]:
    from chalicelib.core.resources import EVENT_CONSUMER_QUEUES

    names = env.names
    pairs = [(names.queue(p), names.dlq(p)) for p in EVENT_CONSUMER_QUEUES]
    return pairs + [("", names.relay_dlq), (env.ops_inbox_queue, "")]


def _cmd_queues(args: argparse.Namespace) -> int:
    import boto3

    env = _connect()
    sqs = boto3.client("sqs")
    for queue, dlq in _queues(env):
        for name in filter(None, (queue, dlq)):
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

    from devtools.queues import redrive

    env = _connect()
    sqs = boto3.client("sqs")
    source = sqs.get_queue_url(QueueName=env.names.dlq(args.queue))["QueueUrl"]
    target = sqs.get_queue_url(QueueName=env.names.queue(args.queue))["QueueUrl"]
    moved = redrive(sqs, source, target)
    print(json.dumps({"queue": args.queue, "moved": moved}))
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


def _at(text: str | None) -> datetime:
    """``None`` (now), ``+90m`` / ``+2h`` / ``+3d`` from now, or an ISO time with a zone."""
    now = datetime.now(UTC)
    if not text:
        return now
    if text.startswith("+") and text[-1] in "mhd" and text[1:-1].isdigit():
        unit = {"m": "minutes", "h": "hours", "d": "days"}[text[-1]]
        return now + timedelta(**{unit: int(text[1:-1])})
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise SystemExit(f"--at {text}: give a time zone, e.g. {text}+00:00")
    return moment


def _cmd_sweep(args: argparse.Namespace) -> int:
    """Run the scheduled sweeps once, now or as if at ``--at`` (to see SLA alerts and automations happen)."""
    from chalicelib import bootstrap
    from chalicelib.bootstrap import handlers

    _connect()
    moment = _at(args.at)
    bootstrap.current().clock = lambda: moment  # before anything is built: every part reads it at construction
    swept = {"sla": handlers.sla_sweep(), "timers": handlers.timers_sweep(), "queues": handlers.drain_queues()}
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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lambdesk", description="Lambdesk local stack and operator tool")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the local stack with demo data")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--moto-port", type=int, default=5050)
    run.add_argument("--smtp-port", type=int, default=2525)
    run.add_argument("--no-seed", action="store_true")
    run.set_defaults(func=_cmd_run)
    token = sub.add_parser("token", help="print a development token for an agent")
    token.add_argument("--subject", default="demo-admin", help="the agent's token subject (default: the demo admin)")
    token.add_argument("--email", help="the agent's email address instead of the subject")
    token.add_argument("--ttl", type=int, default=12 * 3600, help="seconds of validity")
    token.set_defaults(func=_cmd_token)
    sub.add_parser("seed", help="add the demo data to the running stack").set_defaults(func=_cmd_seed)
    sub.add_parser("queues", help="depth of every queue and dead-letter queue").set_defaults(func=_cmd_queues)
    replay = sub.add_parser("replay", help="move a dead-letter queue's messages back to its queue")
    replay.add_argument("queue", help="the queue's purpose, e.g. webhooks")
    replay.set_defaults(func=_cmd_replay)
    sweep = sub.add_parser("sweep", help="run the SLA and automation sweeps once (optionally as if later)")
    sweep.add_argument("--at", help="+90m, +2h, +3d or an ISO time: the time the sweeps act at (simulation)")
    sweep.set_defaults(func=_cmd_sweep)
    sub.add_parser("ops", help="SLA alerts the ops topic received since the last call (JSON lines)").set_defaults(
        func=_cmd_ops
    )
    mail = sub.add_parser("mail", help="email tools")
    mail_sub = mail.add_subparsers(dest="mail_command", required=True)
    inspect = mail_sub.add_parser("inspect", help="what the pipeline makes of raw mail files (JSON lines)")
    inspect.add_argument("files", nargs="+", metavar="FILE")
    inspect.set_defaults(func=_cmd_mail_inspect)
    send = mail_sub.add_parser("send", help="inject raw .eml files into the running stack (as SES delivers)")
    send.add_argument("files", nargs="+", metavar="FILE")
    send.add_argument("--to", help="envelope recipient (default: the support address)")
    send.set_defaults(func=_cmd_mail_send)
    mail_sub.add_parser("outbox", help="what the local stack sent (JSON lines)").set_defaults(func=_cmd_mail_outbox)
    replay = mail_sub.add_parser("replay", help="re-drive the inbound DLQ and quarantined mail after a fix")
    replay.add_argument("--reason", help="only quarantined mail with this reason (e.g. unparseable)")
    replay.set_defaults(func=_cmd_mail_replay)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
