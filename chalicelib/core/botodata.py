"""botocore's data loader, made direct: a client's first request does not list every service botocore knows.

Before loading a service's model, ``botocore.loaders.Loader.load_service_model`` checks the name against
``list_available_services``, which lists every service directory botocore ships (~450 directories, ~2,700
``stat`` calls), twice per client (its model and its endpoint rules). ``DirectLoader`` answers that check by
looking at the one service's own directory (``list_api_versions``, what botocore reads next anyway), and lists
them all only when the list itself is read. Measured in fresh processes answering a first ``GET`` against moto
(21 interleaved rounds, docs/decisions/006-cold-start.md): 254 → 242 ms. Every session the app makes goes
through ``direct`` (pynamodb's, ``storage.dynamodb.sessions``; boto3's, ``core.clients``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import overload

import botocore.loaders
import botocore.session
from botocore.exceptions import DataNotFoundError


def direct(session: botocore.session.Session) -> botocore.session.Session:
    """``session`` with a direct data loader (botocore's search paths, ``AWS_DATA_PATH`` included, in its order)."""
    paths = botocore.loaders.create_loader(session.get_config_variable("data_path")).search_paths
    session.register_component(
        "data_loader", DirectLoader(extra_search_paths=list(paths), include_default_search_paths=False)
    )
    return session


class DirectLoader(botocore.loaders.Loader):  # type: ignore[misc]
    """botocore's data loader, whose list of services asks one service's directory whether it is in it."""

    def list_available_services(self, type_name: str) -> Services:
        return Services(self, type_name)


class Services(Sequence[str]):
    """The services a loader knows: ``name in services`` looks at that service's directory alone (what
    ``Loader.load_service_model`` asks before loading a model); reading the list lists them all, as botocore
    does."""

    def __init__(self, loader: DirectLoader, type_name: str) -> None:
        self._loader, self._type = loader, type_name

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or not name.replace("-", "").isalnum():  # not a service's directory name
            return name in self._all
        try:
            return bool(self._loader.list_api_versions(name, self._type))
        except DataNotFoundError:
            return False

    @cached_property
    def _all(self) -> list[str]:
        services: list[str] = botocore.loaders.Loader.list_available_services(self._loader, self._type)
        return services

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all[index]

    def __len__(self) -> int:
        return len(self._all)
