"""The composition root: builds the parts (``container``), hands them to the entry points (``install``), and
says what each queue and schedule does (``handlers``). The only package that imports every other.

``handlers`` is imported when an event first asks for it: an API request never does."""

from typing import TYPE_CHECKING, Any

from chalicelib.bootstrap.container import Container, current, use
from chalicelib.bootstrap.dynamodb import dynamodb_container
from chalicelib.bootstrap.install import install
from chalicelib.bootstrap.repositories import Repositories

if TYPE_CHECKING:
    from chalicelib.bootstrap import handlers
else:

    def __getattr__(name: str) -> Any:
        if name == "handlers":
            import importlib

            return importlib.import_module("chalicelib.bootstrap.handlers")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Container", "Repositories", "current", "dynamodb_container", "handlers", "install", "use"]
