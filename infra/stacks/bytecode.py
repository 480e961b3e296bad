"""Compiled byte code in the Lambda package.

``chalice package`` zips sources only. Lambda's ``/var/task`` is read-only, so Python can write no
``__pycache__`` there: without byte code in the zip, every cold start compiles every module it imports, the
app's and its dependencies' (boto3 and botocore too: requirements.txt pins them, and the packaged copies
come before the runtime's compiled ones on ``sys.path``). ``compile_zip`` adds a ``.pyc`` beside every
``.py`` of the zip, compiled by the interpreter that packages (Chalice picks the Lambda runtime from that
interpreter's version, so the magic numbers agree), as *unchecked-hash* pycs (PEP 552): a zip does not keep
sources' modification times exactly, and the package never changes after it is built, so the loader uses
them without looking at the source. Measured figures: docs/decisions/011-cost-end-to-end.md.
"""

from __future__ import annotations

import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from chalice.cdk import Chalice


def pyc_name(source: str) -> str:
    """``pkg/mod.py`` -> ``pkg/__pycache__/mod.cpython-311.pyc`` (this interpreter's cache tag, no -O)."""
    path = PurePosixPath(source)
    return str(path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.pyc")


def compile_zip(path: Path) -> int:
    """Add an unchecked-hash ``.pyc`` for every ``.py`` in the zip at ``path`` that has none; how many added."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py") and pyc_name(n) not in names]
        texts = {n: archive.read(n) for n in sources}
    added = 0
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(sources):
            source = Path(scratch, name)
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_bytes(texts[name])
            compiled = Path(scratch, pyc_name(name))
            try:
                py_compile.compile(
                    str(source),
                    cfile=str(compiled),
                    dfile=name,
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
            except py_compile.PyCompileError:
                continue  # e.g. a Python 2 file a wheel ships as data: Python would not import it either
            archive.write(compiled, pyc_name(name))
            added += 1
    return added


class CompiledChalice(Chalice):
    """``chalice.cdk.Chalice`` whose deployment package carries compiled byte code (before CDK stages it)."""

    def _package_app(self) -> None:
        super()._package_app()
        compile_zip(Path(self._sam_package_dir) / "deployment.zip")
