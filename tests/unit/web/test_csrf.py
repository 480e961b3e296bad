"""CSRF tokens: bound to one browser's session or pre-session, unforgeable, expiring."""

from __future__ import annotations

import pytest

from chalicelib.web.csrf import (
    CLOCK_SKEW_SECONDS,
    FIELD,
    MAX_AGE_SECONDS,
    CsrfRejected,
    check_csrf,
    issue_token,
    presession,
)
from chalicelib.web.forms import Form

KEY = b"k" * 32
NOW = 1_800_000_000.0


def form_with(token: str) -> Form:
    return Form(((FIELD, token), ("message", "hi")))


def test_a_token_is_accepted_for_the_browser_it_was_issued_to() -> None:
    token = issue_token(KEY, "session-a", now=NOW)
    check_csrf(form_with(token), "session-a", KEY, now=NOW + 60)  # raises on refusal


@pytest.mark.parametrize(
    ("binding", "key", "when", "reason"),
    [
        ("session-b", KEY, NOW, "not issued"),  # another browser's token
        ("session-a", b"x" * 32, NOW, "not issued"),  # signed with another key
        ("session-a", KEY, NOW + MAX_AGE_SECONDS + 1, "expired"),
        ("session-a", KEY, NOW - CLOCK_SKEW_SECONDS - 5, "expired"),  # issued in the future
        (None, KEY, NOW, "no session"),
        ("", KEY, NOW, "no session"),
    ],
)
def test_a_token_is_refused_for_another_browser_key_or_time(
    binding: str | None, key: bytes, when: float, reason: str
) -> None:
    token = issue_token(KEY, "session-a", now=NOW)
    with pytest.raises(CsrfRejected, match=reason):
        check_csrf(form_with(token), binding, key, now=when)


@pytest.mark.parametrize("token", ["", "not-base64!!", "AAAA", "A" * 43])
def test_a_missing_or_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(CsrfRejected, match="missing or was not issued"):
        check_csrf(form_with(token), "session-a", KEY, now=NOW)


def test_a_form_without_the_field_is_refused_with_a_403_error() -> None:
    with pytest.raises(CsrfRejected) as refused:
        check_csrf(Form((("message", "hi"),)), "session-a", KEY, now=NOW)
    assert refused.value.code == "csrf_rejected"


def test_a_tampered_token_is_refused() -> None:
    token = issue_token(KEY, "session-a", now=NOW)
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    with pytest.raises(CsrfRejected):
        check_csrf(form_with(flipped), "session-a", KEY, now=NOW)


def test_every_token_is_different_even_for_the_same_browser_and_second() -> None:
    tokens = {issue_token(KEY, "session-a", now=NOW) for _ in range(50)}
    assert len(tokens) == 50


def test_a_presession_is_created_once_then_reused(https: None) -> None:
    first, cookie = presession({})
    assert cookie is not None and cookie.startswith(f"__Host-presession={first};")
    again, none = presession({"__Host-presession": first})
    assert (again, none) == (first, None)


def test_a_short_or_malformed_presession_cookie_is_replaced(https: None) -> None:
    fresh, cookie = presession({"__Host-presession": "abc"})
    assert fresh != "abc" and cookie is not None
