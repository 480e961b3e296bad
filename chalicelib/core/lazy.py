"""Modules loaded at first attribute access (stdlib ``importlib.util.LazyLoader``).

Every Lambda function of a Chalice app imports ``app.py``; the event handlers never touch the API's
pydantic models, so the models load when a route first needs them, not at import.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
