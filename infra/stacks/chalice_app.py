"""Package the Chalice app into the stack and read back what it declared.

``chalice.cdk.Chalice`` runs ``chalice package`` in-process: it imports the app as the module
``app`` (with the stage's environment variables written into ``os.environ``), writes
``chalice.out/`` into the current directory and names the Chalice stage after the scope's path
(so the stack's construct id must be the stage name). :func:`package` confines all of that: a
scratch working directory, the app's source first on ``sys.path``, a fresh import of ``app`` and
``chalicelib`` (blueprints register once per import; event source names depend on the stage), and
``os.environ``, ``sys.path`` and those modules restored afterwards, so a test session that also
imports the app, or synthesizes both stages, sees no leftovers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from aws_cdk import Stack
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name

from chalicelib.core import resources

from .bytecode import CompiledChalice

SAM_FUNCTION = "AWS::Serverless::Function"
APP_MODULES = {"app", "chalicelib"}


@dataclass(frozen=True)
class PackagedFunction:
    logical_id: str
    name: str  # as registered with Chalice (resources.FUNCTION_*), e.g. "stream_relay"
    timeout: int
    sqs_events: dict[str, str]  # SAM event id -> queue name
    schedules: dict[str, str]  # SAM event id -> schedule expression (EventBridge rule)


@dataclass(frozen=True)
class PackagedApp:
    construct: Chalice
    functions: dict[str, PackagedFunction]  # by logical id
    api_stage: str | None  # API Gateway stage of the REST API, if the app has routes

    def function(self, name: str) -> PackagedFunction:
        for function in self.functions.values():
            if function.name == name:
                return function
        known = sorted(f.name for f in self.functions.values())
        raise LookupError(f"the Chalice app registers no function {name!r} (it has {known})")

    def consumers_of(self, queue_name: str) -> list[PackagedFunction]:
        return [f for f in self.functions.values() if queue_name in f.sqs_events.values()]


def package(
    stack: Stack, construct_id: str, *, source_dir: Path, stage: str, stage_config: dict[str, Any]
) -> PackagedApp:
    if stack.node.path != stage:
        raise ValueError(f"Chalice names its stage after the scope: the stack's id must be {stage!r}")
    missing = [p for p in ("app.py", "requirements.txt", ".chalice/config.json") if not (source_dir / p).exists()]
    if missing:
        raise FileNotFoundError(f"{source_dir} is not a Chalice project: missing {', '.join(missing)}")
    with _isolated(source_dir, stage) as workdir:
        construct = CompiledChalice(stack, construct_id, source_dir=str(source_dir), stage_config=dict(stage_config))
        (template_path,) = (workdir / "chalice.out").glob("*.sam_with_assets.json")
        template = json.loads(template_path.read_text())
    return PackagedApp(construct=construct, functions=_functions(template), api_stage=_api_stage(template))


@contextmanager
def _isolated(source_dir: Path, stage: str) -> Iterator[Path]:
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_modules = _pop_app_modules()
    saved_cwd = os.getcwd()
    workdir = Path(tempfile.mkdtemp(prefix="lambdesk-chalice-"))
    # app.py names its event sources from the stage at import time.
    os.environ["LAMBDESK_STAGE"] = stage
    sys.path.insert(0, str(source_dir))
    os.chdir(workdir)
    try:
        yield workdir
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
        sys.path[:] = saved_path
        _pop_app_modules()
        sys.modules.update(saved_modules)
        # The assets are already staged into the cloud assembly; the scratch copy can go.
        shutil.rmtree(workdir, ignore_errors=True)


def _pop_app_modules() -> dict[str, ModuleType]:
    """Remove (and return) what Chalice packages from the app's source: ``app`` and ``chalicelib``."""
    own = [n for n in sys.modules if n in APP_MODULES or n.split(".", 1)[0] in APP_MODULES]
    return {name: sys.modules.pop(name) for name in own}


def _registered_names() -> dict[str, str]:
    constants = [getattr(resources, n) for n in dir(resources) if n.startswith("FUNCTION_")]
    return {to_cfn_resource_name(name): name for name in constants} | {"APIHandler": "api_handler"}


def _snake(logical_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", logical_id).lower()


def _functions(template: dict[str, Any]) -> dict[str, PackagedFunction]:
    names = _registered_names()
    functions = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != SAM_FUNCTION:
            continue
        properties = resource["Properties"]
        events = properties.get("Events", {})
        sqs_events = {
            event_id: _queue_name(event["Properties"]["Queue"])
            for event_id, event in events.items()
            if event["Type"] == "SQS"
        }
        schedules = {
            event_id: str(event["Properties"]["Schedule"])
            for event_id, event in events.items()
            if event["Type"] == "Schedule"
        }
        functions[logical_id] = PackagedFunction(
            logical_id=logical_id,
            name=names.get(logical_id, _snake(logical_id)),
            timeout=int(properties["Timeout"]),
            sqs_events=sqs_events,
            schedules=schedules,
        )
    return functions


def _queue_name(queue: Any) -> str:
    # Chalice writes {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:<name>"}
    # for a queue name, or the literal ARN it was given.
    arn = queue["Fn::Sub"] if isinstance(queue, dict) else queue
    if not isinstance(arn, str):
        raise ValueError(f"cannot read a queue name from {queue!r}")
    return arn.rsplit(":", 1)[-1]


def _api_stage(template: dict[str, Any]) -> str | None:
    api = template["Resources"].get("RestAPI")
    return str(api["Properties"]["StageName"]) if api else None
