"""Section ``cold_start_ms``: whole-process time of ``python -c "import app"`` against ``import boto3``.

Both run with the project's virtual environment from the repository root, interleaved (the order flips
every round, so drift in the machine's load hits both alike), after one untimed warm-up run each (byte code
compiled, files in the page cache). The figure is the median wall time from fork to exit.

Both read their byte code from one cache under ``bench/raw/pycache`` (``PYTHONPYCACHEPREFIX``), written by
the warm-up run even when the environment says ``PYTHONDONTWRITEBYTECODE``: boto3's byte code is compiled
at install time, so without it the app would be compared compiling from source against boto3 not.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from devtools.localenv import ROOT

STATEMENTS = {"app": "import app", "boto3": "import boto3"}


def venv_python() -> Path:
    return ROOT / ".venv" / "bin" / "python"


def _once(python: Path, statement: str, env: dict[str, str], cwd: Path = ROOT) -> float:
    began = time.perf_counter()
    subprocess.run(
        [str(python), "-c", statement], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    return (time.perf_counter() - began) * 1000


def measure(env: dict[str, str], runs: int, cache: Path) -> tuple[dict[str, float], dict[str, list[float]]]:
    python = venv_python()
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    samples: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for statement in STATEMENTS.values():
        _once(python, statement, env)
    for round_ in range(runs):
        names = list(STATEMENTS) if round_ % 2 == 0 else list(reversed(STATEMENTS))
        for name in names:
            samples[name].append(_once(python, STATEMENTS[name], env))
    app, boto3 = statistics.median(samples["app"]), statistics.median(samples["boto3"])
    return {"app": round(app, 1), "boto3": round(boto3, 1), "ratio": round(app / boto3, 3)}, samples


# -- the first answer of a fresh process (section ``cold_start``) --------------------------------------------

# The API Gateway REST proxy event of one authenticated GET /v1/tickets/{id}, as Lambda hands it to the handler
# (a program fragment: the ticket id and the bearer token come from the environment).
GET_TICKET_EVENT = """
ticket = os.environ["BENCH_TICKET_ID"]
event = {
    "resource": "/v1/tickets/{ticket_id}", "path": f"/v1/tickets/{ticket}", "httpMethod": "GET",
    "headers": {"Authorization": "Bearer " + os.environ["BENCH_TOKEN"], "Host": "bench"},
    "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": {"ticket_id": ticket}, "stageVariables": None, "body": None, "isBase64Encoded": False,
    "requestContext": {"resourcePath": "/v1/tickets/{ticket_id}", "httpMethod": "GET", "path": f"/v1/tickets/{ticket}",
                       "stage": "api", "requestId": "bench", "identity": {"sourceIp": "127.0.0.1"}},
}
"""
# A fresh Lambda process: import the app, answer that GET against moto.
FIRST_RESPONSE = (
    "import json, os, sys\nimport app\n"
    + GET_TICKET_EVENT
    + """response = app.app(event, None)
sys.exit(0 if response["statusCode"] == 200 else f"status {response['statusCode']}: {response['body'][:300]}")
"""
)
# The same with a personal API token (``ldk_...``) instead of the JWT: no token library on the way.
FIRST_RESPONSE_API_TOKEN = FIRST_RESPONSE.replace('os.environ["BENCH_TOKEN"]', 'os.environ["BENCH_API_TOKEN"]')
# The baseline: a fresh process that imports boto3 and reads the same ticket item with one GetItem.
BOTO3_GETITEM = """
import os
import boto3
item = boto3.client("dynamodb").get_item(
    TableName=os.environ["LAMBDESK_TABLE_NAME"],
    Key={"pk": {"S": "TICKET#" + os.environ["BENCH_TICKET_ID"]}, "sk": {"S": "TICKET"}},
)
assert "Item" in item
"""


def first_response(
    env: dict[str, str], runs: int, cache: Path | None, *, package: Path | None = None
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Median wall time of ``FIRST_RESPONSE`` and ``BOTO3_GETITEM`` in fresh processes, interleaved, against one
    moto server (its own process) holding an agent and a ticket. ``cache``: where both read compiled byte code
    (``PYTHONPYCACHEPREFIX``, written by one untimed warm-up run each), None: the interpreter's default.
    ``package``: run both as Lambda would from an unpacked deployment package instead (see
    ``bench/package_cold_start.py``): the base interpreter, the package alone on ``sys.path``, nothing written."""
    import os
    import secrets

    import boto3

    from bench.motoserver import CountingMotoServer
    from chalicelib import bootstrap
    from chalicelib.core import clients, settings, signing
    from chalicelib.domain.timeline import Actor, ActorKind
    from chalicelib.people.auth import mint_dev_token
    from chalicelib.tickets.service import NewTicket
    from devtools.localenv import REGION
    from devtools.provision import create_table

    server = CountingMotoServer()
    server.start()
    saved = dict(os.environ)
    child = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    python, cwd = venv_python(), ROOT
    if package is not None:  # Lambda's /var/task is read-only: no byte code is ever written there
        child.update(PYTHONPATH=str(package), PYTHONDONTWRITEBYTECODE="1")
        python, cwd = Path(sys._base_executable), package
    if cache is not None:
        child["PYTHONPYCACHEPREFIX"] = str(cache)
    try:
        table = "lambdesk-bench-cold"
        aws = {
            "AWS_ENDPOINT_URL": server.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "LAMBDESK_STAGE": "local",
            "LAMBDESK_TABLE_NAME": table,
            "LAMBDESK_AUTH_MODE": "dev",
            "LAMBDESK_DEV_SIGNING_KEY": secrets.token_urlsafe(32),
            "LAMBDESK_SIGNING_KEY": secrets.token_urlsafe(32),
            "LAMBDESK_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_NAMESPACE": "Lambdesk",
        }
        os.environ.update(aws)
        settings.reset(), clients.reset(), signing.signing_key.cache_clear()
        create_table(boto3.client("dynamodb"), table)
        svc = bootstrap.dynamodb_container(settings.get_settings())
        agent = svc.directory.create_agent("cold@bench.example", "Cold Start", subject="bench-cold")
        ticket, _ = svc.tickets.create(
            Actor(ActorKind.AGENT, agent.id),
            NewTicket(subject="Cold", body_text="Start", requester_email="c@x.example"),
        )
        child.update(aws)
        child["BENCH_TICKET_ID"] = ticket.id
        child["BENCH_TOKEN"] = mint_dev_token(aws["LAMBDESK_DEV_SIGNING_KEY"], "bench-cold")
        child["BENCH_API_TOKEN"] = svc.directory.issue_token(agent.id, "bench")[1]
        programs = {
            "first_response": FIRST_RESPONSE,
            "first_response_api_token": FIRST_RESPONSE_API_TOKEN,
            "boto3_getitem": BOTO3_GETITEM,
        }
        samples: dict[str, list[float]] = {name: [] for name in programs}
        for program in programs.values():
            _once(python, program, child, cwd)
        for round_ in range(runs):
            names = list(programs) if round_ % 2 == 0 else list(reversed(programs))
            for name in names:
                samples[name].append(_once(python, programs[name], child, cwd))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.reset(), clients.reset(), signing.signing_key.cache_clear(), bootstrap.use(None)
        server.stop()
    first, getitem = statistics.median(samples["first_response"]), statistics.median(samples["boto3_getitem"])
    api_token = statistics.median(samples["first_response_api_token"])
    result = {
        "first_response_ms": round(first, 1),
        "boto3_getitem_ms": round(getitem, 1),
        "ratio": round(first / getitem, 3),
        # The same GET authenticated by a personal API token: what the JWT library costs, and what
        # integrations calling with API tokens see.
        "api_token_first_response_ms": round(api_token, 1),
        "api_token_ratio": round(api_token / getitem, 3),
    }
    return result, samples


if __name__ == "__main__":
    import json
    import os

    print(json.dumps(first_response(dict(os.environ), 11, ROOT / "bench" / "raw" / "pycache")[0]))
