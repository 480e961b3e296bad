"""The Lambda package carries byte code that Python uses as it is (infra/stacks/bytecode.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("chalice.cdk", reason="the infra dependencies are not installed")


def test_every_module_of_the_zip_gets_byte_code_that_is_used_without_checking_its_source(tmp_path: Path) -> None:
    from stacks.bytecode import compile_zip, pyc_name

    package = tmp_path / "deployment.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "import pkg.mod\n")
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg/mod.py", "VALUE = 'compiled'\n")
        archive.writestr("pkg/legacy.py", "print 'python 2 data file'\n")
        archive.writestr("pkg/data.txt", "not python")

    assert compile_zip(package) == 3
    assert compile_zip(package) == 0  # already compiled: nothing added twice
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "task")
    assert {pyc_name("app.py"), pyc_name("pkg/__init__.py"), pyc_name("pkg/mod.py")} <= names
    assert pyc_name("pkg/legacy.py") not in names

    # The runtime: a read-only task directory (nothing written), sources newer than the zip's byte code.
    (tmp_path / "task" / "pkg" / "mod.py").write_text("VALUE = 'source'\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    probe = "import pkg.mod; print(pkg.mod.VALUE)"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path / "task", env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "compiled"


def test_the_synthesized_lambda_package_carries_byte_code_for_the_app_and_its_dependencies(dev: Any) -> None:
    from stacks.bytecode import pyc_name

    packages = [p for p in dev.assembly_dir.glob("asset.*") if p.is_file() and zipfile.is_zipfile(p)]
    app_packages = [p for p in packages if "app.py" in zipfile.ZipFile(p).namelist()]
    assert len(app_packages) == 1, packages
    names = set(zipfile.ZipFile(app_packages[0]).namelist())
    for source in ("app.py", "chalicelib/http/deferred.py", "pydantic/main.py", "botocore/client.py"):
        assert source in names and pyc_name(source) in names, source
    assert "chalicelib/http/routes.json" in names  # app.py registers its routes from it


def test_the_lambda_package_holds_every_runtime_dependency(dev: Any) -> None:
    """Chalice leaves out a dependency that has no wheel for the Lambda runtime's platform (python3.11 runs on
    Amazon Linux 2, glibc 2.26: a wheel built only for manylinux_2_28 will not do) and only warns. apsw 3.54
    had only such wheels, so the package had no apsw and every knowledge-base search in AWS would have failed
    to import it. Every distribution requirements.txt pins must be in the package, with its compiled parts."""
    import re

    from tests.conftest import ROOT

    (package,) = [
        p
        for p in dev.assembly_dir.glob("asset.*")
        if p.is_file() and zipfile.is_zipfile(p) and "app.py" in zipfile.ZipFile(p).namelist()
    ]
    names = zipfile.ZipFile(package).namelist()
    shipped = {
        n.split("/")[0].removesuffix(".dist-info").rsplit("-", 1)[0].lower().replace("_", "-")
        for n in names
        if ".dist-info/" in n
    }
    pinned = {
        re.split(r"[=<>\[ ]", line.strip())[0].lower().replace("_", "-").replace(".", "-")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert pinned - {s.replace(".", "-") for s in shipped} == set()
    for compiled in (r"apsw/__init__\..+\.so", r"Stemmer\..+\.so", r"nh3/nh3\..+\.so", r"pydantic_core/.+\.so"):
        assert any(re.fullmatch(compiled, n) for n in names), compiled
