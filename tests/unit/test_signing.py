from __future__ import annotations

import hashlib
import hmac

import pytest

from chalicelib.core.errors import NotFound
from chalicelib.core.signing import decode_cursor, encode_cursor, webhook_secret
from chalicelib.webhooks.dispatcher import signature

KEY = b"k" * 32


def test_a_cursor_round_trips() -> None:
    position = {"pk": "TICKET#1", "view_sk": "A#0#2026"}
    assert decode_cursor(encode_cursor(position, KEY, "view"), KEY, "view") == position
    assert encode_cursor(None, KEY, "view") is None


@pytest.mark.parametrize(
    "mangle", [lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"), lambda c: "x" + c, lambda c: "!!!"]
)
def test_a_tampered_cursor_names_no_page(mangle: object) -> None:
    # The API's schema refuses what is not shaped like a cursor (400); one that is but was not issued: 404.
    cursor = encode_cursor({"pk": "TICKET#1"}, KEY, "view")
    assert cursor
    with pytest.raises(NotFound, match="cursor"):
        decode_cursor(mangle(cursor), KEY, "view")  # type: ignore[operator]


def test_a_cursor_from_another_list_is_refused() -> None:
    cursor = encode_cursor({"pk": "TICKET#1"}, KEY, "team-view")
    with pytest.raises(NotFound):
        decode_cursor(cursor, KEY, "status-view")


def test_webhook_secrets_differ_per_webhook_and_key() -> None:
    assert webhook_secret(KEY, "W1") == webhook_secret(KEY, "W1")
    assert webhook_secret(KEY, "W1") != webhook_secret(KEY, "W2")
    assert webhook_secret(KEY, "W1") != webhook_secret(b"j" * 32, "W1")


def test_webhook_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    header = signature("whsec_x", 1700000000, b'{"a":1}')
    expected = hmac.new(b"whsec_x", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
