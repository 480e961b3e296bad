#!/usr/bin/env python3
"""CDK entry point: one Lambdesk stage per synth (``npx cdk synth -c stage=prod``); see docs/deploy.md."""

import sys
from pathlib import Path

# chalicelib.core.resources names every resource; the repository root must come before this directory,
# whose own app.py would otherwise shadow the Chalice app's.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stacks.build import build_app

if __name__ == "__main__":
    app, _ = build_app()
    app.synth()
