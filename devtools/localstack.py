"""``make run``: the whole help desk on one machine, no AWS account.

One process, several threads: moto in server mode (DynamoDB with streams, SNS, SQS, S3), the Chalice
local server (the same app and config ``chalice local`` serves), the worker (stream + queues -> the same
handlers Lambda calls) and the ticker (scheduled functions). Ctrl-C or SIGTERM stops them all
(``devtools/stopping.py``). The console shows the banner, errors and one line per handled event; moto's
request log and the app's full JSON logs go to files (``devtools/console.py``).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from devtools.localenv import ROOT, STATE_FILE, LocalEnv

if TYPE_CHECKING:
    from devtools.console import Console

# How long the stack may take to shut down before the process exits anyway (every thread is a daemon).
SHUTDOWN_SECONDS = 15.0


@dataclass
class Stack:
    env: LocalEnv
    app_module: Any
    moto: Any
    server: Any
    smtp: Any
    worker: Any
    resources: dict[str, Any]
    bridge: Any = None
    demo_tickets: int = 0
    demo_sign_in: str = ""
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def shutdown(self) -> None:
        self.stop.set()
        self.smtp.stop()
        if self.bridge is not None:
            self.bridge.stop()
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


def load_app(env: LocalEnv, console: Console | None = None) -> tuple[Any, Any]:
    """Load app.py the way ``chalice local --stage local`` does; return (module, local server)."""
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(project_dir=str(ROOT))
    config = factory.create_config_obj(chalice_stage_name=env.stage)
    factory.load_chalice_app(config.environment_variables)
    module = importlib.import_module("app")
    server = factory.create_local_server(module.app, config, env.host, env.api_port)
    if console is not None:
        handler = _request_lines(console)
        server.server.RequestHandlerClass = functools.partial(handler, app_object=module.app, config=config)
    return module, server


def _request_lines(console: Console) -> type:
    """The local API server's handler, with one console line per request (method, path, status)."""
    from chalice.local import ChaliceRequestHandler

    from devtools.console import clock

    class Handler(ChaliceRequestHandler):  # type: ignore[misc]
        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            console.say(f"{clock()}  {self.command} {self.path}  {getattr(code, 'value', code)}")

        def log_message(self, format: str, *args: Any) -> None:
            console.say(f"{clock()}  {self.address_string()}  {format % args}")

    return Handler


def start(env: LocalEnv, seed: bool = True, console: Console | None = None) -> Stack:
    from chalicelib import bootstrap
    from chalicelib.core import clients, settings
    from devtools.provision import provision
    from devtools.worker import Worker

    env.apply()
    settings.reset()
    clients.reset()
    bootstrap.use(None)
    if console is not None:
        from devtools import console as console_logs

        console_logs.install(STATE_FILE.parent, console)
    say = console.say if console is not None else functools.partial(print, flush=True)
    moto = start_moto(env)
    resources = provision(env.names, env.moto_url, bucket=env.bucket, support_domain=env.support_domain)
    module, server = load_app(env, console)
    worker = Worker(module, resources["stream_arn"], env.moto_url, relay_dlq=env.names.relay_dlq)
    from devtools import smtp
    from devtools.ws_bridge import Bridge

    bridge = Bridge(module, env.host, env.ws_port, env.stage)
    bridge.start()
    stack = Stack(env, module, moto, server, smtp.start(env), worker, resources, bridge)
    if seed:
        stack.demo_tickets = _seed(worker, say)
        from chalicelib import bootstrap
        from devtools.seed import sign_in_link

        stack.demo_sign_in = sign_in_link(bootstrap.current(), env.portal_url)
    env.save()
    _thread(stack, "api", server.serve_forever)
    _thread(stack, "worker", lambda: worker.run_forever(stack.stop))
    from devtools import ticker

    jobs = ticker.scheduled_jobs(module)
    _thread(stack, "ticker", lambda: ticker.run_forever(jobs, stack.stop))
    return stack


def _seed(worker: Any, say: Any) -> int:
    """The demo data, settled (routing, assignment, SLA clocks) before anyone looks: the desk starts as it would be."""
    from chalicelib import bootstrap
    from devtools.progress import bar
    from devtools.seed import seed_demo

    seeded = seed_demo(bootstrap.current())
    settle_started = time.monotonic()
    with bar("Settling the demo", unit="event") as settled:
        handled = worker.drain(max_cycles=200, progress=settled.update)
    say(f"Demo data settled: {handled} events in {time.monotonic() - settle_started:.1f} s")
    return seeded.tickets


def _thread(stack: Stack, name: str, target: Any) -> None:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    stack.threads.append(thread)


def banner(stack: Stack, token: str) -> str:
    from devtools.console import APP_LOG, MOTO_LOG
    from devtools.seed import describe

    env = stack.env
    logs = STATE_FILE.parent.relative_to(ROOT) if STATE_FILE.parent.is_relative_to(ROOT) else STATE_FILE.parent
    demo = describe() if stack.demo_tickets else "none (started with --no-seed; add it with: .venv/bin/lambdesk seed)"
    return f"""
Lambdesk is running (stage '{env.stage}').
  API and portal   {env.api_url}      (OpenAPI: {env.api_url}/openapi.json)
  Customer portal  {env.portal_url}/portal{_demo_customer(stack)}
  moto (AWS APIs)  {env.moto_url}
  Chat (WebSocket) {env.ws_url}      (Management API: {env.ws_management_url})
  SMTP (inbound)   {env.host}:{env.smtp_port}  (mail to anything@{env.support_domain}, e.g. {env.support_address})
  Demo data        {demo}
  Logs             {logs / APP_LOG} (the app, in full), {logs / MOTO_LOG} (moto's requests)
  Agent token      (admin Ada, 12 h; new one: .venv/bin/lambdesk token)
{token}

Try, in another terminal:
  export TOKEN={token}
  curl -H "Authorization: Bearer $TOKEN" "{env.api_url}/v1/tickets?view=unassigned"
Ctrl-C stops everything.
"""


def _demo_customer(stack: Stack) -> str:
    if not stack.demo_sign_in:
        return ""
    from devtools.seed import DEMO_CUSTOMER, DEMO_LINK_HOURS

    return (
        f"\n  Demo customer    {DEMO_CUSTOMER} (manager of Acme Corp); sign in once within {DEMO_LINK_HOURS} h"
        f" (new link: .venv/bin/lambdesk portal-link):\n  {stack.demo_sign_in}"
    )


def run(env: LocalEnv, seed: bool = True) -> NoReturn:
    """Start the stack, print the banner, and stop cleanly on Ctrl-C or SIGTERM, even while starting."""
    from devtools.console import Console
    from devtools.stopping import Stopping, StopSignals

    signals = StopSignals()  # first: a signal from here on stops the stack, whatever it is doing
    console = Console(sys.stdout)
    try:
        signals.arm()
        console.say(f"Starting Lambdesk on {env.api_url}{' with demo data' if seed else ''} (this takes a minute)...")
        stack = start(env, seed, console)
        from chalicelib.people.auth import mint_dev_token
        from devtools.seed import ADMIN_SUBJECT

        token = mint_dev_token(env.dev_signing_key, ADMIN_SUBJECT)
        signals.disarm()
    except Stopping:
        signals.disarm()
        # Nothing is saved or half-written that matters: moto's state lives in this process and goes with it.
        _tell("stopping... (while starting)")
        _tell("stopped.")
        exit_now(0)
    except OSError as error:
        # A port taken: say so and exit; a plain exit would wait forever for moto's and the bridge's threads.
        signals.disarm()
        _tell(f"lambdesk run: error: {error}")
        exit_now(2)
    console.say(banner(stack, token))
    signals.wait()
    _tell("stopping...")
    shutdown = threading.Thread(target=stack.shutdown, name="shutdown", daemon=True)
    shutdown.start()
    shutdown.join(SHUTDOWN_SECONDS)
    late = f" (gave up waiting for the threads after {SHUTDOWN_SECONDS:.0f} s)" if shutdown.is_alive() else ""
    _tell(f"stopped.{late}")
    exit_now(0)


def _tell(line: str) -> None:
    """A stop message on standard error; when nobody reads it any more (a closed pipe), the stop goes on."""
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:
        return


def exit_now(code: int) -> NoReturn:
    """Exit once the stack is shut down, without the interpreter's teardown.

    Every server, socket and thread is closed by then; what is left is moto's in-memory state, and after a
    burst of writes (moto keeps a copy of a table per transaction) freeing it object by object at interpreter
    exit took over 20 s with no Python code running (a faulthandler dump of the bench's stack showed no frame).
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # nobody reads it any more (a closed pipe): exiting matters more
            continue
    os._exit(code)
