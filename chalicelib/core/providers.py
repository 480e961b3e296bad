"""Dependencies that the composition root (``chalicelib.bootstrap``) hands to entry points.

A route module or an event handler states what it needs as a ``Provider`` of a small typed bundle; the root
fills every provider once (``bootstrap.install``), with factories that build nothing until first called.
Entry points therefore never import the root, and the root is the one place that knows the whole wiring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class NotInstalled(RuntimeError):
    """A provider was called before the composition root installed it."""


class Provider(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._factory: Callable[[], T] | None = None

    def set(self, factory: Callable[[], T]) -> None:
        self._factory = factory

    def __call__(self) -> T:
        if self._factory is None:
            raise NotInstalled(f"{self.name}: call chalicelib.bootstrap.install() first")
        return self._factory()
