"""Modules loaded at first attribute access.

Every Lambda function of a Chalice app imports ``app.py``; the event handlers never touch the API's
pydantic models, so the models load when a route first needs them, not at import.

The module is loaded with ``importlib.import_module``, which holds the module's import lock until the module
has run to its end: a second thread asking for it at the same moment waits for the finished module. (The
stdlib ``LazyLoader`` used before did not: concurrent first requests could see a half-built module and fail
with ``AttributeError``.)
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name

    def load(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.load(), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it at first attribute access (thread-safe)."""
    return LazyModule(name)
