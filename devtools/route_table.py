"""``python -m devtools.route_table``: write chalicelib/http/routes.json, the table app.py registers its routes
from (chalicelib/http/deferred.py), by importing every route module app.py lists in ``AREAS``.

Run it after adding, removing or changing a route; tests/unit/test_route_table.py fails until then.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from chalicelib.http import deferred

ROOT = Path(__file__).resolve().parent.parent


def areas(app_source: Path = ROOT / "app.py") -> tuple[str, ...]:
    """``AREAS`` of app.py, read without importing it (importing it needs the table)."""
    for node in ast.parse(app_source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "AREAS" for t in node.targets):
            found: tuple[str, ...] = ast.literal_eval(node.value)
            return found
    raise LookupError("app.py assigns no AREAS")


def render() -> str:
    """One line per route (a change to a route is a one-line diff)."""
    table: dict[str, Any] = deferred.table(areas())
    modules = []
    for module, entries in table.items():
        lines = ",\n".join("    " + json.dumps(entry, ensure_ascii=False) for entry in entries)
        modules.append(f"  {json.dumps(module)}: [\n{lines}\n  ]")
    return "{\n" + ",\n".join(modules) + "\n}\n"


def main() -> None:
    deferred.TABLE.write_text(render(), encoding="utf-8")
    print(f"wrote {deferred.TABLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
