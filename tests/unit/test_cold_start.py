"""Importing app.py (what every Lambda function of the app does on a cold start) stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = [
    "boto3",
    "botocore",
    "pynamodb",
    "jwt",
    "cryptography",
    "pydantic_settings",
    "aws_xray_sdk",
    "pydantic",
    "email_validator",
    "urllib3",
    "jinja2",
    "babel",
]


def test_importing_the_app_does_not_import_heavy_modules() -> None:
    probe = f"import app, sys, json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_app_registers_every_route_at_import() -> None:
    probe = "import app, json; print(json.dumps(sorted(app.app.routes)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    routes = json.loads(out.stdout.strip().splitlines()[-1])
    assert "/v1/tickets" in routes and "/openapi.json" in routes and "/portal" in routes
