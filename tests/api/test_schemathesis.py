"""The OpenAPI document says exactly what the API accepts: a bounded schemathesis run over every operation.

Every check, valid and invalid data, a fixed seed (tests/api/schemathesis.toml), as an admin, against the app
on in-memory services. The app is served over loopback HTTP by a WSGI adapter around ``chalice.test.Client``
(tests/api/wsgi.py), the same gateway every API test goes through; schemathesis runs as its own command, as
a person would run it against ``make run``, and its report is the failure message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.api.support import chalice_client
from tests.api.wsgi import ChaliceWsgi, serving
from tests.conftest import ROOT, free_port, make_token

CONFIG = Path(__file__).with_name("schemathesis.toml")
BUDGET_SECONDS = 300  # about 60 s alone on 2 cores, 100 s beside the rest of `make test`


def test_the_api_accepts_what_its_document_allows_and_refuses_the_rest(memory_svc: Any, admin: Any) -> None:
    st = Path(sys.executable).with_name("st")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with chalice_client() as client, serving(ChaliceWsgi(client.http), free_port()) as url:
        served = json.loads(client.http.get("/openapi.json").body)
        run = subprocess.run(
            [
                str(st),
                "--config-file",
                str(CONFIG),
                "run",
                "-H",
                f"Authorization: Bearer {make_token(admin)}",
                f"{url}/openapi.json",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=BUDGET_SECONDS,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    # Every documented operation but GET /openapi.json, which schemathesis leaves out as the document itself.
    operations = sum(len(methods) for methods in served["paths"].values()) - 1
    assert f"Tested: {operations}" in run.stdout and f"{operations} selected / {operations} total" in run.stdout
