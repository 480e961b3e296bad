"""Routes registered when the app starts, their modules imported at their first request.

Chalice learns a route when its view is decorated, so ``app.py`` used to import every route module, and all
they import, before answering anything: about a third of a cold start that answers one request. Instead,
``app.py`` registers every route from the committed table ``routes.json`` (path, methods, view name, content
types and docstring of each), each with a stand-in view that imports the route's module at its first call
and hands the request to the module's own view. Chalice's route table, and so what ``chalice package``
writes, is the same as with the modules imported: the same paths, methods, names, content types and
docstrings (``tests/unit/test_route_table.py`` compares them, and fails when the table is stale:
``python -m devtools.route_table`` writes it again).

A route module registers its blueprint into a ``_Views`` instead of the app: it collects the views, and
answers everything else a blueprint asks its app (``current_request``, ``lambda_context``, ``log``) from the
real app.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("routes.json")
# What Chalice's ``route()`` may be given in a route module; anything else would be lost by the table.
_OPTIONS = {"methods", "content_types"}


class StaleRouteTable(RuntimeError):
    """routes.json does not list the modules the app declares: ``python -m devtools.route_table``."""


class _Views:
    """Stands in for the app while a route module's blueprint registers: keeps each view by path and method."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self.views: dict[tuple[str, str], Callable[..., Any]] = {}
        self.entries: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def _register_handler(
        self,
        handler_type: str,
        name: str,
        user_handler: Callable[..., Any],
        wrapped_handler: Any,
        kwargs: dict[str, Any],
        options: dict[str, Any] | None = None,
    ) -> None:
        given = dict(kwargs["kwargs"])
        if handler_type != "route" or set(given) - _OPTIONS:
            raise TypeError(f"{name}: only routes with {sorted(_OPTIONS)} can be deferred")
        methods = list(given.get("methods", ["GET"]))
        for method in methods:
            self.views[(kwargs["path"], method)] = user_handler
        entry: dict[str, Any] = {"name": name, "path": kwargs["path"], "methods": methods}
        if "content_types" in given:
            entry["content_types"] = list(given["content_types"])
        entry["doc"] = user_handler.__doc__
        self.entries.append(entry)


def collect(module: str, app: Any = None) -> _Views:
    """Import ``module`` and collect the routes its blueprint ``bp`` declares. Without ``app`` (reading the
    table), the blueprint stays bound to what it served before: a blueprint answers ``current_request`` from
    the app it was last registered with, and a module already serving requests in this process must keep
    its app."""
    views = _Views(app)
    blueprint = importlib.import_module(module).bp
    serving = getattr(blueprint, "_current_app", None)
    blueprint.register(views, {"name_prefix": None, "url_prefix": None})
    if app is None and serving is not None:
        blueprint._current_app = serving
    return views


def table(modules: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """What ``routes.json`` holds: each module's routes, in the order they register."""
    return {module: collect(module).entries for module in modules}


class DeferredRoutes:
    """The app's route modules, each imported (once, under a lock) when one of its routes is first called."""

    def __init__(self, app: Any, modules: tuple[str, ...]) -> None:
        self.app = app
        self.modules = modules
        self._loaded: dict[str, _Views] = {}
        self._lock = threading.Lock()
        self._listed: dict[str, list[dict[str, Any]]] = {}

    def register(self) -> None:
        listed = self._listed = json.loads(TABLE.read_text(encoding="utf-8"))
        if tuple(listed) != self.modules:
            raise StaleRouteTable(f"{TABLE.name} lists {list(listed)}, the app {list(self.modules)}")
        for module, entries in listed.items():
            for entry in entries:
                options = {"content_types": entry["content_types"]} if "content_types" in entry else {}
                view = self._stand_in(module, entry["path"], entry["name"], entry["doc"])
                self.app.route(entry["path"], methods=entry["methods"], name=entry["name"], **options)(view)

    def _stand_in(self, module: str, path: str, name: str, doc: str | None) -> Callable[..., Any]:
        def view(**params: str) -> Any:
            return self.load(module).views[(path, self.app.current_request.method)](**params)

        view.__name__ = view.__qualname__ = name
        view.__doc__ = doc
        view.__module__ = module
        return view

    def load(self, module: str) -> _Views:
        loaded = self._loaded.get(module)
        if loaded is None:
            with self._lock:
                loaded = self._loaded.get(module)
                if loaded is None:
                    loaded = collect(module, self.app)
                    if loaded.entries != self._listed[module]:  # what Chalice was told is not what it serves
                        raise StaleRouteTable(f"{module}'s routes differ from {TABLE.name}")
                    self._loaded[module] = loaded
        return loaded

    def load_all(self) -> None:
        for module in self.modules:
            self.load(module)

    def loaded(self) -> list[str]:
        return list(self._loaded)


_installed: list[DeferredRoutes] = []


def install(app: Any, modules: tuple[str, ...]) -> DeferredRoutes:
    """Register the routes of ``modules`` on ``app`` from the table; their modules load on first use."""
    deferred = DeferredRoutes(app, modules)
    deferred.register()
    _installed.append(deferred)
    return deferred


def load_all() -> None:
    """Import every deferred route module (what needs every route: the OpenAPI document, a 405's Allow)."""
    for deferred in _installed:
        deferred.load_all()
