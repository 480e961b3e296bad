# ruff: noqa: RUF001 -- Russian pages and dates are the point of these tests
"""Choosing the page language, and translations (with Russian plural forms) outside a request."""

from __future__ import annotations

import pytest

from chalicelib.web.i18n import LANGUAGES, negotiate, parse_accept_language, supported, translator


@pytest.mark.parametrize(
    ("explicit", "cookie", "accept", "expected"),
    [
        ("ru", "en", "en-US,en;q=0.9", "ru"),  # a profile value beats everything
        (None, "ru", "en-US,en;q=0.9", "ru"),  # the switcher's cookie beats the browser
        ("xx", "ru", "en", "ru"),  # an unsupported profile value is skipped, not obeyed
        (None, None, "ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        (None, None, "de-DE,de;q=0.9,ru;q=0.5,en;q=0.4", "ru"),  # first supported in order of preference
        (None, None, "en;q=0.2, ru;q=0.8", "ru"),  # quality, not position, decides
        (None, None, "ru;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
        (None, None, "fr-CA, de", "en"),  # nothing supported: English
        (None, None, None, "en"),
        (None, "garbage!", "ru", "ru"),  # a malformed cookie is ignored
    ],
)
def test_language_is_chosen_explicitly_then_by_cookie_then_by_browser_then_english(
    explicit: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(explicit=explicit, cookie=cookie, accept_language=accept) == expected


def test_accept_language_is_ordered_by_quality_and_junk_is_dropped() -> None:
    header = "en;q=0.5, ru-RU, *;q=0.1, <script>, de;q=bogus, fr;q=2, lv;q=0.7"
    assert parse_accept_language(header) == ["ru-RU", "lv", "en"]


def test_an_oversized_accept_language_header_is_read_only_in_part() -> None:
    header = ",".join(["de"] * 10_000 + ["ru"])
    assert negotiate(accept_language=header) == "en"


@pytest.mark.parametrize(
    ("code", "expected"), [("ru-RU", "ru"), ("RU", "ru"), ("en_GB", "en"), ("de", None), ("", None)]
)
def test_supported_reduces_a_tag_to_a_supported_language(code: str, expected: str | None) -> None:
    assert supported(code) == expected


def test_each_language_is_named_in_itself_as_babel_names_it() -> None:
    from babel import Locale

    for code, name in LANGUAGES.items():
        assert name == Locale.parse(code).get_display_name(code).capitalize()


def test_translator_works_outside_a_request_for_mail() -> None:
    assert translator("ru").gettext("Help center") == "Справочный центр"
    assert translator("en").gettext("Help center") == "Help center"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "В форме 1 ошибка"),
        (2, "В форме 2 ошибки"),
        (4, "В форме 4 ошибки"),
        (5, "В форме 5 ошибок"),
        (11, "В форме 11 ошибок"),
        (12, "В форме 12 ошибок"),
        (21, "В форме 21 ошибка"),
        (22, "В форме 22 ошибки"),
        (111, "В форме 111 ошибок"),
    ],
)
def test_russian_uses_its_three_plural_forms(n: int, expected: str) -> None:
    message = translator("ru").ngettext(
        "There is %(count)s problem with this form", "There are %(count)s problems with this form", n
    )
    assert message % {"count": n} == expected


def test_an_unsupported_locale_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'de'"):
        translator("de")
