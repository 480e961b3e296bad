"""One botocore session and one DynamoDB client per thread for every pynamodb model, not one per model class.

pynamodb gives each model class its own connection, and each connection its own botocore session
(``pynamodb.connection.base.get_session``, one per thread) and client. A fresh session loads DynamoDB's service
model, the endpoint rules and the credentials again (~35 ms each), and each further client of a session costs
~1.6 ms: a cold start's first request touched three item classes and paid that three times
(docs/decisions/006-cold-start.md). Sessions stay one per thread, as pynamodb has them (a connection's client,
once made, serves every thread, in pynamodb as here). Each class keeps its own connection (its table schema);
every connection registers its ``before-send`` hook on the shared client (each adds the same
``Meta.extra_headers``). ``reset()`` (called by ``models.bind``) drops the sessions and their clients, so a
rebind reads the environment's credentials and settings afresh, as new connections did before.

The session's data loader checks that a service exists without listing every service (``core.botodata``).
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
import pynamodb.connection.base

from chalicelib.core import botodata

_local = threading.local()


class SharedClients(botocore.session.Session):  # type: ignore[misc]
    """A session that creates one client per service, region, endpoint and configuration, and hands the same one
    to each caller asking for it. A client without credentials is not kept: pynamodb asks for a new one then
    (botocore would keep the empty credentials)."""

    def __init__(self) -> None:
        super().__init__()
        self._clients: dict[str, Any] = {}
        botodata.direct(self)

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        config = kwargs.get("config")
        options = sorted(vars(config).get("_user_provided_options", {}).items()) if config is not None else None
        key = repr((args, sorted((k, v) for k, v in kwargs.items() if k != "config"), options))
        client = self._clients.get(key)
        if client is None or not client._request_signer._credentials:
            client = self._clients[key] = super().create_client(*args, **kwargs)
        return client


def thread_session() -> botocore.session.Session:
    """This thread's shared botocore session, created at first use."""
    session: botocore.session.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = SharedClients()
    return session


def reset() -> None:
    """Make pynamodb's connections take this thread's shared session; forget every thread's session (the next
    connection of each thread creates a new one)."""
    global _local
    _local = threading.local()
    pynamodb.connection.base.get_session = thread_session  # type: ignore[attr-defined]
