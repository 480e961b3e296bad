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
import time
from pathlib import Path

from devtools.localenv import ROOT

STATEMENTS = {"app": "import app", "boto3": "import boto3"}


def venv_python() -> Path:
    return ROOT / ".venv" / "bin" / "python"


def _once(python: Path, statement: str, env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(
        [str(python), "-c", statement], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
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
