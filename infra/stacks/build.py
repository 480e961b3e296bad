"""Build the CDK app for one stage: ``build_app({"stage": "prod", ...})``.

Context (``cdk synth -c key=value`` or the ``context`` argument):
``stage`` (default ``dev``), ``account`` and ``region`` (else the CLI's defaults; the region falls
back to ``AWS_DEFAULT_REGION``), ``chalice_source_dir`` (development only, also ``LAMBDESK_CHALICE_SOURCE_DIR``:
package a stand-in app instead of the repository root), and any key of ``infra/config/<stage>.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from .config import StageConfig
from .lambdesk_stack import LambdeskStack
from .nag import add_checks

REPO_ROOT = Path(__file__).resolve().parents[2]
CDK_JSON = REPO_ROOT / "infra" / "cdk.json"
# Development only: package a stand-in Chalice app while the real one does not import.
SOURCE_DIR_VARIABLE = "LAMBDESK_CHALICE_SOURCE_DIR"


def cdk_json_context() -> dict[str, Any]:
    """The feature flags of cdk.json, for in-process synths (tests), which the CLI does not feed."""
    return dict(json.loads(CDK_JSON.read_text())["context"])


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> tuple[cdk.App, LambdeskStack]:
    app = cdk.App(context=context, outdir=outdir)
    config = StageConfig.load(app.node)
    source_dir = Path(
        str(app.node.try_get_context("chalice_source_dir") or os.environ.get(SOURCE_DIR_VARIABLE) or REPO_ROOT)
    ).resolve()
    stack = LambdeskStack(app, config, chalice_source_dir=source_dir, env=_environment(app))
    cdk.Tags.of(stack).add("app", "lambdesk")
    cdk.Tags.of(stack).add("stage", config.stage)
    add_checks(app)
    return app, stack


def _environment(app: cdk.App) -> cdk.Environment:
    account = app.node.try_get_context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = (
        app.node.try_get_context("region")
        or os.environ.get("CDK_DEFAULT_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )
    if not region:
        raise RuntimeError("set AWS_DEFAULT_REGION (or -c region=...): SES receiving exists only in some regions")
    return cdk.Environment(account=str(account) if account else None, region=str(region))
