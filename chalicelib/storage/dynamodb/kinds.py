"""The table's discriminator (``Item.kind``), which defines the slices' item classes when first needed.

``models`` defines the items a ticket's partition and the directory hold; ``slice_models`` the others (mail,
configuration, routing loads, portal access, knowledge base, surveys, chat). pynamodb builds each class when
its module runs (an attribute copy and every index per class), and a cold start answering a GET of a ticket
needs none of the slices' (docs/decisions/006-cold-start.md). The slices' module is imported by the code that
uses its classes, and by this attribute before pynamodb could miss one:

- reading an item whose kind has no class yet (a query or batch read through ``Item`` meeting one);
- a read through ``Item`` filters on every registered kind (``kind IN (...)``): until the slices' module
  runs, their kinds (``LATER``, checked against the module by a test) are named by value, so the request is
  the one it was with every class defined;
- ``all_item_classes()`` (what binds and meters every class).

A slice's class derives from ``Item`` or from another slice's class, never from one in ``models`` (a test
checks): a read through a ``models`` class other than ``Item`` cannot meet a slice's kind.
"""

from __future__ import annotations

import importlib
from typing import Any

from pynamodb.attributes import DiscriminatorAttribute

SLICES = "chalicelib.storage.dynamodb.slice_models"
# The kinds ``slice_models`` defines, in its order.
LATER = (
    "quarantine",
    "suppression",
    "send",
    "config",
    "audit",
    "load",
    "session",
    "signin",
    "ticketlink",
    "kbarticle",
    "kbversion",
    "kbdoc",
    "kbpointer",
    "kbtoken",
    "kbstats",
    "survey",
    "survey_throttle",
    "chat",
    "chatevent",
    "chatconn",
    "chatgrant",
    "presence",
)


class Kinds(DiscriminatorAttribute):
    """pynamodb's discriminator, with the slices' classes defined at their first use."""

    def __init__(self) -> None:
        super().__init__()
        self.root: type | None = None  # the class this attribute is declared on (set by ``models``)
        self.defined = False

    def define_later_kinds(self) -> None:
        """Import ``slice_models`` (once), which reports its classes to ``later_kinds_defined``."""
        if not self.defined:
            importlib.import_module(SLICES)

    def later_kinds_defined(self, classes: list[type]) -> None:
        """Called by ``slice_models`` (whoever imported it): its classes get connections of their own, as ``bind``
        gives every class (they would otherwise share the root's)."""
        for cls in classes:
            cls._connection = None  # type: ignore[attr-defined]
        self.defined = True

    def deserialize(self, value: Any) -> type:
        if value not in self._discriminator_map:
            self.define_later_kinds()
        return super().deserialize(value)  # type: ignore[no-untyped-call]

    def get_registered_subclasses(self, cls: type) -> list[Any]:
        found: list[Any] = super().get_registered_subclasses(cls)
        if cls is self.root and not self.defined:
            found.extend(LATER)  # each serialises as itself
        return found

    def serialize(self, value: Any) -> Any:
        return value if isinstance(value, str) else super().serialize(value)  # type: ignore[no-untyped-call]
