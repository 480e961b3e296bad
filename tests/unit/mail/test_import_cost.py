"""The mail modules load their heavy dependencies at first use, never at import (Lambda cold starts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ["nh3", "selectolax", "flufl.bounce", "tnefparse"]


def _loaded_after(statement: str) -> list[str]:
    probe = f"{statement}; import sys, json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_mail_modules_loads_no_heavy_dependency() -> None:
    modules = "parse, classify, bounces, quotes, quotes_html, html, subjects, tnef, mime, model"
    assert _loaded_after(f"from chalicelib.mail import {modules}") == []


def test_importing_the_app_loads_no_mail_dependency() -> None:
    assert _loaded_after("import app") == []
