"""Cookie attributes: __Host- prefixed, HttpOnly, Secure, SameSite=Lax, Path=/ (plain http: no prefix, no Secure)."""

from __future__ import annotations

import pytest

from chalicelib.web.cookies import clear_cookie, get_cookie, read_cookies, set_cookie


def attributes(header: str) -> tuple[str, set[str]]:
    first, *rest = [part.strip() for part in header.split(";")]
    return first, set(rest)


def test_a_cookie_over_https_is_host_prefixed_secure_httponly_lax(https: None) -> None:
    pair, attrs = attributes(set_cookie("lang", "ru", max_age=3600))
    assert pair == "__Host-lang=ru"
    assert attrs == {"Path=/", "SameSite=Lax", "Max-Age=3600", "HttpOnly", "Secure"}
    assert not any(a.lower().startswith("domain") for a in attrs)  # __Host- forbids Domain


def test_the_local_stack_over_plain_http_drops_secure_and_the_prefix_together(plain_http: None) -> None:
    pair, attrs = attributes(set_cookie("lang", "ru", max_age=3600))
    assert pair == "lang=ru"
    assert attrs == {"Path=/", "SameSite=Lax", "Max-Age=3600", "HttpOnly"}


def test_clearing_a_cookie_expires_it_under_the_same_name(https: None) -> None:
    pair, attrs = attributes(clear_cookie("flash"))
    assert pair == "__Host-flash=" and "Max-Age=0" in attrs and "Secure" in attrs


def test_a_session_cookie_has_no_max_age(https: None) -> None:
    _, attrs = attributes(set_cookie("presession", "abc"))
    assert not any(a.startswith("Max-Age") for a in attrs)


@pytest.mark.parametrize("value", ["a;b", "x y", "é", 'q"', "a" * 513])
def test_a_value_that_is_not_a_token_is_refused(value: str, https: None) -> None:
    with pytest.raises(ValueError, match="cookie lang"):
        set_cookie("lang", value)


def test_cookies_are_read_leniently_and_only_under_this_deployments_name(https: None) -> None:
    cookies = read_cookies('junk; __Host-lang=ru; lang=en; __Host-lang=de; theme="dark"; =x')
    assert cookies == {"__Host-lang": "ru", "lang": "en", "theme": "dark"}
    assert get_cookie(cookies, "lang") == "ru"  # the unprefixed one may be set by any page on the host
    assert get_cookie({"__Host-lang": "r u"}, "lang") is None
