"""Dependencies that the composition root (``chalicelib.bootstrap``) hands to entry points.

A route module or an event handler states what it needs as a ``Provider`` of a small typed bundle; the root
fills every provider once (``bootstrap.install``), with factories that build nothing until first called.
Entry points therefore never import the root, and the root is the one place that knows the whole wiring.

The root fills a provider by its name (``provide``), so that it need not import the module that declares it:
a route module is imported at its first request (``chalicelib.http.deferred``), not when the app starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Factories by provider name, filled by the composition root before (or after) the provider's module is imported.
_FACTORIES: dict[str, Callable[[], Any]] = {}


def provide(name: str, factory: Callable[[], Any]) -> None:
    """Fill the provider named ``name``, whether or not its module has been imported yet."""
    _FACTORIES[name] = factory


class NotInstalled(RuntimeError):
    """A provider was called before the composition root installed it."""


class Provider(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._factory: Callable[[], T] | None = None

    def set(self, factory: Callable[[], T]) -> None:
        self._factory = factory

    def __call__(self) -> T:
        factory = self._factory or _FACTORIES.get(self.name)
        if factory is None:
            raise NotInstalled(f"{self.name}: call chalicelib.bootstrap.install() first")
        made: T = factory()
        return made
