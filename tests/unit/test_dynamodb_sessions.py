"""pynamodb's item classes share one botocore session and client per thread (docs/decisions/006-cold-start.md)."""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
import pytest

from chalicelib.core import botodata
from chalicelib.storage.dynamodb import models, sessions


def _session(cls: type[models.Item]) -> botocore.session.Session:
    return cls._get_connection().connection.session


def _client(cls: type[models.Item]) -> Any:
    return cls._get_connection().connection.client


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


def test_item_classes_share_a_client_and_a_rebind_starts_afresh() -> None:
    """The client comes from the thread's session (pynamodb keeps it on the connection once made, for every
    thread, as it did with a client per class)."""
    meta = models.Item.Meta
    saved = (meta.table_name, meta.region, getattr(meta, "host", None))
    try:
        models.bind("clients-test", "eu-west-1", "http://127.0.0.1:1")
        ticket, agent, lookup = _client(models.TicketItem), _client(models.AgentItem), _client(models.LookupItem)
        assert ticket is agent is lookup
        assert ticket.meta.region_name == "eu-west-1" and ticket.meta.endpoint_url == "http://127.0.0.1:1"
        assert models.TicketItem._get_connection().table_name == "clients-test"

        models.bind("clients-test", "us-west-2", "http://127.0.0.1:2")
        moved = _client(models.TicketItem)
        assert moved is not ticket and moved is _client(models.AgentItem)
        assert (moved.meta.region_name, moved.meta.endpoint_url) == ("us-west-2", "http://127.0.0.1:2")
    finally:
        models.bind(*saved)


def test_a_client_without_credentials_is_not_handed_out_again() -> None:
    """pynamodb asks for a new client when its client has no credentials (botocore keeps the empty ones)."""
    session = sessions.SharedClients()
    first = session.create_client("dynamodb", "eu-west-1", endpoint_url="http://127.0.0.1:1")
    assert session.create_client("dynamodb", "eu-west-1", endpoint_url="http://127.0.0.1:1") is first
    assert session.create_client("dynamodb", "eu-west-2", endpoint_url="http://127.0.0.1:1") is not first
    first._request_signer._credentials = None
    assert session.create_client("dynamodb", "eu-west-1", endpoint_url="http://127.0.0.1:1") is not first


def test_the_data_loader_looks_for_one_service_without_listing_them_all(monkeypatch: Any) -> None:
    import botocore.loaders
    from botocore.exceptions import UnknownServiceError

    plain = botocore.session.Session()
    expected = plain.get_available_services()
    session = sessions.SharedClients()
    loader = session.get_component("data_loader")
    assert isinstance(loader, botodata.DirectLoader)
    assert loader.search_paths == plain.get_component("data_loader").search_paths
    listed: list[str] = []
    everything = botocore.loaders.Loader.list_available_services

    def counted(self: Any, type_name: str) -> Any:
        listed.append(type_name)
        return everything(self, type_name)

    monkeypatch.setattr(botocore.loaders.Loader, "list_available_services", counted)
    client = session.create_client(
        "dynamodb", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    assert client.meta.service_model.service_name == "dynamodb" and listed == []
    assert "dynamodb" in loader.list_available_services("service-2") and listed == []
    assert "no-such-service" not in loader.list_available_services("service-2") and listed == []
    # Reading the list, and a name that is no service's directory, list every service as botocore does.
    assert list(session.get_available_services()) == expected and listed == ["service-2"]
    assert "../dynamodb" not in loader.list_available_services("service-2")
    with pytest.raises(UnknownServiceError, match="dynamodb"):  # botocore's message, naming the services it knows
        session.create_client("no-such-service", region_name="eu-west-1")
