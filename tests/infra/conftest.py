"""Synthesize each stage once per test session, in-process, exactly as ``infra/app.py`` does.

Packaging runs ``chalice package`` on the repository root (set ``LAMBDESK_CHALICE_SOURCE_DIR`` to
package a stand-in app during development); the first run downloads the Lambda dependencies,
later runs reuse Chalice's cache in ``.chalice/deployments/``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
# Appended, not prepended: infra/app.py must never shadow the Chalice app's app.py.
sys.path.append(str(REPO_ROOT / "infra"))

if TYPE_CHECKING:
    from aws_cdk.assertions import Template
    from stacks.lambdesk_stack import LambdeskStack

ACCOUNT = "111111111111"
REGION = "us-east-1"


@dataclass
class Synthesized:
    stack: LambdeskStack
    template: Template
    json: dict[str, Any]
    assembly_dir: Path

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == resource_type}

    def resource(self, logical_id: str) -> dict[str, Any]:
        return self.json["Resources"][logical_id]


def synthesize(stage: str, outdir: Path) -> Synthesized:
    # Imported here: without the infra dependencies, test_template.py skips itself instead of this file failing.
    from aws_cdk.assertions import Template
    from stacks.build import build_app, cdk_json_context

    context = cdk_json_context() | {"stage": stage, "account": ACCOUNT, "region": REGION}
    app, stack = build_app(context, outdir=str(outdir))
    assembly = app.synth()
    template = Template.from_stack(stack)
    return Synthesized(
        stack=stack,
        template=template,
        json=template.to_json(),
        assembly_dir=Path(assembly.directory),
    )


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize("dev", tmp_path_factory.mktemp("cdk-dev"))


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize("prod", tmp_path_factory.mktemp("cdk-prod"))


@pytest.fixture(scope="session", params=["dev", "prod"])
def stage(request: pytest.FixtureRequest) -> Synthesized:
    return request.getfixturevalue(request.param)
