"""pynamodb's item classes share one botocore session per thread (docs/decisions/006-cold-start.md)."""

from __future__ import annotations

import threading

import botocore.session

from chalicelib.storage.dynamodb import models


def _session(cls: type[models.Item]) -> botocore.session.Session:
    return cls._get_connection().connection.session


def test_item_classes_share_a_session_per_thread_and_a_rebind_starts_afresh() -> None:
    meta = models.Item.Meta
    saved = (meta.table_name, meta.region, getattr(meta, "host", None))
    try:
        models.bind("sessions-test", "eu-west-1", "http://127.0.0.1:1")
        ticket, agent = _session(models.TicketItem), _session(models.AgentItem)
        assert ticket is agent
        assert models.TicketItem._get_connection() is not models.AgentItem._get_connection()

        other: list[botocore.session.Session] = []
        thread = threading.Thread(target=lambda: other.append(_session(models.TicketItem)))
        thread.start()
        thread.join()
        assert other[0] is not ticket

        models.bind("sessions-test", "eu-west-1", "http://127.0.0.1:1")
        assert _session(models.TicketItem) is not ticket
    finally:
        models.bind(*saved)
