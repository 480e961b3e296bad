"""chalicelib.web sits low: it imports only settings, errors, observability and lazy from chalicelib."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

ALLOWED = {"chalicelib.settings", "chalicelib.errors", "chalicelib.observability", "chalicelib.lazy"}
WEB = ROOT / "chalicelib" / "web"


def chalicelib_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "chalicelib" else [f"chalicelib.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n.startswith("chalicelib"))
    return found


def test_the_web_package_imports_nothing_above_it() -> None:
    imports = {path.name: chalicelib_imports(path) for path in WEB.rglob("*.py")}
    assert "routes.py" in imports and imports["views.py"]
    outside = {
        name: sorted(i for i in found if not i.startswith("chalicelib.web") and i not in ALLOWED)
        for name, found in imports.items()
    }
    assert {name: bad for name, bad in outside.items() if bad} == {}
