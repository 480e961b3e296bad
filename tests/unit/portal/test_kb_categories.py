"""The help center lists the categories in the reader's language first, and those in other languages after."""

from __future__ import annotations

from chalicelib.kb.search import Category
from chalicelib.portal.routes_kb import in_language

EN_BILLING = Category("Billing", "en", 2)
EN_API = Category("API", "en", 1)
RU_ACCOUNT = Category("Аккаунт", "ru", 1)
RU_API = Category("API", "ru", 3)
PT_BR = Category("Conta", "pt-BR", 1)


def test_the_readers_language_first_each_list_by_name() -> None:
    mine, others = in_language([EN_BILLING, RU_ACCOUNT, EN_API, RU_API], "ru")
    assert mine == [RU_API, RU_ACCOUNT]
    assert others == [EN_API, EN_BILLING]


def test_a_regional_variant_matches_its_language() -> None:
    assert in_language([EN_API, PT_BR], "pt") == ([PT_BR], [EN_API])
    assert in_language([EN_API, PT_BR], "en-GB") == ([EN_API], [PT_BR])


def test_a_desk_that_writes_in_one_language_shows_it_to_every_reader() -> None:
    assert in_language([EN_BILLING, EN_API], "ru") == ([EN_API, EN_BILLING], [])
    assert in_language([], "ru") == ([], [])
