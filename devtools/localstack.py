"""``make run``: the whole help desk on one machine, no AWS account.

One process, several threads: moto in server mode (DynamoDB with streams, SNS, SQS, S3), the Chalice
local server (the same app and config ``chalice local`` serves), the worker (stream + queues -> the same
handlers Lambda calls) and the ticker (scheduled functions). Ctrl-C stops them all.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, NoReturn

from devtools.localenv import ROOT, LocalEnv


@dataclass
class Stack:
    env: LocalEnv
    app_module: Any
    moto: Any
    server: Any
    smtp: Any
    worker: Any
    resources: dict[str, Any]
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def shutdown(self) -> None:
        self.stop.set()
        self.smtp.stop()
        self.server.shutdown()
        for thread in self.threads:
            thread.join(timeout=5)
        self.moto.stop()


def start_moto(env: LocalEnv) -> Any:
    from moto.server import ThreadedMotoServer

    from devtools.moto_isolation import serialize_writes

    serialize_writes()
    server = ThreadedMotoServer(ip_address=env.host, port=env.moto_port, verbose=False)
    server.start()
    return server


def load_app(env: LocalEnv) -> tuple[Any, Any]:
    """Load app.py the way ``chalice local --stage local`` does; return (module, local server)."""
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(project_dir=str(ROOT))
    config = factory.create_config_obj(chalice_stage_name=env.stage)
    factory.load_chalice_app(config.environment_variables)
    module = importlib.import_module("app")
    server = factory.create_local_server(module.app, config, env.host, env.api_port)
    return module, server


def start(env: LocalEnv, seed: bool = True) -> Stack:
    from chalicelib import bootstrap
    from chalicelib.core import clients, settings
    from devtools.provision import provision
    from devtools.worker import Worker

    env.apply()
    settings.reset()
    clients.reset()
    bootstrap.use(None)
    moto = start_moto(env)
    resources = provision(env.names, env.moto_url, bucket=env.bucket, support_domain=env.support_domain)
    module, server = load_app(env)
    worker = Worker(module, resources["stream_arn"], env.moto_url)
    from devtools import smtp

    stack = Stack(env, module, moto, server, smtp.start(env), worker, resources)
    if seed:
        from devtools.seed import seed_demo

        seed_demo(bootstrap.current())
        # Settle the demo (routing, assignment, SLA clocks) before anyone looks: the desk starts as it would be.
        settle_started = time.monotonic()
        handled = worker.drain(max_cycles=200)
        print(f"Demo data settled: {handled} events in {time.monotonic() - settle_started:.1f} s", flush=True)
    env.save()
    _thread(stack, "api", server.serve_forever)
    _thread(stack, "worker", lambda: worker.run_forever(stack.stop))
    from devtools import ticker

    jobs = ticker.scheduled_jobs(module)
    _thread(stack, "ticker", lambda: ticker.run_forever(jobs, stack.stop))
    return stack


def _thread(stack: Stack, name: str, target: Any) -> None:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    stack.threads.append(thread)


def banner(stack: Stack, token: str) -> str:
    env = stack.env
    return f"""
Lambdesk is running (stage '{env.stage}').
  API and portal   {env.api_url}      (OpenAPI: {env.api_url}/openapi.json)
  moto (AWS APIs)  {env.moto_url}
  SMTP (inbound)   {env.host}:{env.smtp_port}  (mail to anything@{env.support_domain}, e.g. {env.support_address})
  Agent token      (admin Ada, 12 h; new one: .venv/bin/lambdesk token)
{token}

Try:  curl -H "Authorization: Bearer $TOKEN" {env.api_url}/v1/tickets
Ctrl-C stops everything.
"""


def run(env: LocalEnv, seed: bool = True) -> NoReturn:
    from chalicelib.people.auth import mint_dev_token
    from devtools.seed import ADMIN_SUBJECT

    stack = start(env, seed)
    print(banner(stack, mint_dev_token(env.dev_signing_key, ADMIN_SUBJECT)), flush=True)
    stopped = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    stopped.wait()
    print("stopping...", file=sys.stderr, flush=True)
    stack.shutdown()
    print("stopped.", file=sys.stderr, flush=True)
    exit_now(0)


def exit_now(code: int) -> NoReturn:
    """Exit once the stack is shut down, without the interpreter's teardown.

    Every server, socket and thread is closed by then; what is left is moto's in-memory state, and after a
    burst of writes (moto keeps a copy of a table per transaction) freeing it object by object at interpreter
    exit took over 20 s with no Python code running (a faulthandler dump of the bench's stack showed no frame).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
