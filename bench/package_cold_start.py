"""``python -m bench.package_cold_start DEPLOYMENT_ZIP [RUNS]``: the cold start of the Lambda package itself.

The ``cold_start`` section runs both programs from the virtual environment with byte code on both sides. This
runs them as Lambda does, from the unpacked deployment package (``chalice package``'s ``deployment.zip``, or
any zip laid out like it): the base interpreter with the package first on ``sys.path`` and nothing written
(``/var/task`` is read-only), once with the zip as Chalice makes it (sources only) and once after
``infra/stacks/bytecode.compile_zip`` (what the stack deploys). boto3 and botocore come from the package
too, as they do in Lambda (requirements.txt pins them). Prints one JSON object; not part of ``make bench``
(it needs a built package).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from bench import cold_start
from devtools.localenv import ROOT


def measure(package_zip: Path, runs: int) -> dict[str, dict[str, float]]:
    sys.path.append(str(ROOT / "infra"))
    from stacks.bytecode import compile_zip

    results = {}
    with tempfile.TemporaryDirectory(prefix="lambdesk-package-") as scratch:
        compiled_zip = Path(scratch, "compiled.zip")
        shutil.copy(package_zip, compiled_zip)
        compile_zip(compiled_zip)
        for variant, path in (("sources_only", package_zip), ("compiled", compiled_zip)):
            task = Path(scratch, variant)
            with zipfile.ZipFile(path) as archive:
                archive.extractall(task)
            results[variant], _ = cold_start.first_response(dict(os.environ), runs, None, package=task)
    return results


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 11)))
