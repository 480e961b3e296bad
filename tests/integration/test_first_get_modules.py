"""What a fresh process loads to answer its first GET of a ticket from DynamoDB: the cold start as Lambda has it
(``bench/cold_start.py``, docs/decisions/006-cold-start.md). ``tests/unit/test_route_table.py`` checks the same
GET on the in-memory fakes (which load the whole storage layer themselves); this one needs moto.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from bench.cold_start import GET_TICKET_EVENT
from tests.conftest import ROOT, make_token

# Modules the first GET of a ticket against DynamoDB leaves unloaded: only annotations name them, or only other
# routes and later requests use them (docs/decisions/006-cold-start.md, "The app's own modules").
NOT_ON_THE_FIRST_GET = (
    "pydantic",
    "email_validator",
    "chalicelib.storage.ports",
    "chalicelib.domain.surveys",
    "chalicelib.storage.dynamodb.slice_models",
)

# bench/cold_start.py's program (the same event), telling what it loaded instead of exiting.
FIRST_GET_ON_DYNAMODB = (
    "import json, os, sys\nimport app\n"
    + GET_TICKET_EVENT
    + """response = app.app(event, None)
body = json.loads(response["body"])
loaded = sorted(m for m in sys.modules if m.startswith("chalicelib.") or m in ("pydantic", "email_validator"))
print(json.dumps([response["statusCode"], body.get("ticket", {}).get("id"), len(body.get("timeline", [])), loaded]))
"""
)


def test_a_fresh_process_answering_its_first_get_from_dynamodb_loads_only_what_the_get_needs(
    dynamo_svc: Any, table: str, moto_url: str
) -> None:
    """The cold start as Lambda has it (``bench/cold_start.py``): a fresh interpreter imports the app and answers
    one authenticated GET of a ticket read from DynamoDB (moto). The answer is the ticket with its timeline, and
    none of ``NOT_ON_THE_FIRST_GET`` was imported on the way, so a module-level import that drags one back in
    fails here."""
    from chalicelib.domain.timeline import Actor, ActorKind
    from chalicelib.tickets.service import NewTicket

    agent = dynamo_svc.directory.create_agent("cold@example.com", "Cold")
    ticket, _ = dynamo_svc.tickets.create(
        Actor(ActorKind.AGENT, agent.id), NewTicket(subject="Hi", body_text="There", requester_email="c@x.example")
    )
    env = {**os.environ, "AWS_ENDPOINT_URL": moto_url, "LAMBDESK_TABLE_NAME": table, "BENCH_TICKET_ID": ticket.id}
    env["BENCH_TOKEN"] = make_token(agent)
    out = subprocess.run(
        [sys.executable, "-c", FIRST_GET_ON_DYNAMODB], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-3000:]
    status, ticket_id, entries, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert (status, ticket_id, entries) == (200, ticket.id, 2)  # the message and the creation event
    assert "chalicelib.tickets.routes" in loaded  # the probe did load what the GET needs
    assert [m for m in NOT_ON_THE_FIRST_GET if m in loaded] == []
