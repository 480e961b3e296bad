"""One botocore session per thread for every pynamodb model, instead of one per model class.

pynamodb gives each model class its own connection, and each connection its own botocore session
(``pynamodb.connection.base.get_session``, one per thread). A fresh session loads DynamoDB's service model, the
endpoint rules and the credentials again: a cold start's first request touched three item classes and paid
that three times (~35 ms each; docs/decisions/006-cold-start.md). Sharing the session leaves each class its own
client (its own event hooks, which ``bench/meter.py`` counts per client) and keeps pynamodb's rule that a
session is never shared between threads. ``reset()`` (called by ``models.bind``) drops the sessions, so a
rebind reads the environment's credentials and settings afresh, as new connections did before.
"""

from __future__ import annotations

import threading

import botocore.session
import pynamodb.connection.base

_local = threading.local()


def thread_session() -> botocore.session.Session:
    """This thread's shared botocore session, created at first use."""
    session: botocore.session.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = botocore.session.get_session()
    return session


def reset() -> None:
    """Make pynamodb's connections take this thread's shared session; forget every thread's session (the next
    connection of each thread creates a new one)."""
    global _local
    _local = threading.local()
    pynamodb.connection.base.get_session = thread_session  # type: ignore[attr-defined]
