"""What the per-minute sweeps share: handle each ticket the sparse ``due`` index says is due now.

One Query of the index per run, at most ``BATCH`` tickets (the rest waits a minute, so a storm cannot run a
function past its timeout). A ticket whose handling fails is logged and stays due: the next run tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from chalicelib.core.clock import Clock
    from chalicelib.storage.ports import WorkRepository

T = TypeVar("T")
BATCH = 200


def each_due(work: WorkRepository, clock: Clock, kind: str, handle: Callable[[str], T], failure: str) -> list[T | None]:
    """``handle(ticket_id)`` for each due ticket, earliest first; None where it failed."""
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.core import observability
    from chalicelib.core.errors import DomainError

    results: list[T | None] = []
    for item in work.due(kind, clock(), BATCH):
        try:
            results.append(handle(item.ticket_id))
        except (DomainError, BotoCoreError, ClientError):
            observability.logger().exception(failure, extra={"ticket_id": item.ticket_id})
            results.append(None)
    return results
