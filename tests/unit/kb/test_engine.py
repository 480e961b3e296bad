"""The FTS5 engine: ranking, audience and locale inside the query, type-ahead, did-you-mean, related
articles, other scripts, and query text that must never be read as query syntax."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.kb import Visibility
from chalicelib.kb.search import Query, terms, typed_prefix
from tests.unit.kb.conftest import doc


def ids(results: Any) -> list[str]:
    return [h.article_id for h in results.hits]


def test_a_word_in_the_title_outranks_the_same_word_in_a_body(index_of: Any) -> None:
    index = index_of(
        doc("BODY", "Card delivery times", "If your refund is late, the refund may still be pending."),
        doc("TITLE", "Refund not showing up", "Wait five working days."),
        doc("TAGS", "Money back", "Ask us.", tags=("refund",)),
    )
    assert ids(index.search(Query("refund"))) == ["TITLE", "TAGS", "BODY"]


def test_stemming_finds_other_forms_of_an_english_word(index_of: Any) -> None:
    index = index_of(doc("K1", "Cancelling a transfer", "Transfers can be cancelled while pending."))
    assert ids(index.search(Query("cancel transfers"))) == ["K1"]


def test_articles_above_the_viewers_audience_are_never_candidates(index_of: Any) -> None:
    index = index_of(
        doc("PUB", "PIN reset", "Reset your PIN."),
        doc("CUST", "PIN reset for customers", "Signed in.", visibility=Visibility.CUSTOMERS),
        doc("AGENT", "PIN reset by phone", "Verify identity.", visibility=Visibility.AGENTS),
    )
    assert ids(index.search(Query("pin reset", Visibility.PUBLIC, limit=10))) == ["PUB"]
    assert sorted(ids(index.search(Query("pin reset", Visibility.CUSTOMERS, limit=10)))) == ["CUST", "PUB"]
    assert sorted(ids(index.search(Query("pin reset", Visibility.AGENTS, limit=10)))) == ["AGENT", "CUST", "PUB"]
    # The limit applies after the audience: a public search still fills its page.
    assert ids(index.search(Query("pin", Visibility.PUBLIC, limit=1))) == ["PUB"]


def test_a_locale_narrows_the_search_to_its_articles(index_of: Any) -> None:
    index = index_of(doc("EN", "PIN code", "Change it."), doc("LV", "PIN kods", "Mainīt PIN.", locale="lv"))
    assert ids(index.search(Query("pin", locale="lv"))) == ["LV"]
    assert sorted(ids(index.search(Query("pin")))) == ["EN", "LV"]


def test_type_ahead_completes_the_unfinished_last_word(index_of: Any) -> None:
    index = index_of(doc("K1", "Forgotten password", "Reset it."), doc("K2", "Passport check", "Upload a photo."))
    assert ids(index.search(Query("forgot passw", prefix=True))) == ["K1"]
    typed = index.search(Query("forgot passw", prefix=True))
    assert not typed.corrected
    # Without type-ahead an unfinished word is a misspelling: found only through the correction.
    assert index.search(Query("passw", prefix=False)).corrected
    assert typed_prefix("forgot passw") == "passw" and typed_prefix("forgot ") is None and typed_prefix("p") is None


def test_unknown_words_get_a_did_you_mean_and_its_results_when_nothing_matched(index_of: Any) -> None:
    index = index_of(
        doc("K1", "Forgotten password", "Reset your password from the sign-in page."),
        doc("K2", "Card delivery", "Cards arrive in five days."),
    )
    found = index.search(Query("pasword"))
    assert found.did_you_mean == "password" and found.corrected and ids(found) == ["K1"]
    known = index.search(Query("password"))
    assert known.did_you_mean is None and not known.corrected


def test_did_you_mean_offers_only_words_of_articles_the_reader_may_read(index_of: Any) -> None:
    index = index_of(
        doc("PUB", "Card delivery", "Cards arrive in five days."),
        doc("AGENT", "Escalation runbook", "Page the pagerduty rotation.", visibility=Visibility.AGENTS),
        doc("LV", "Kartes piegāde", "Kartes pienāk piecās dienās.", locale="lv"),
    )
    # A public reader who types near an agents-only word learns nothing of it: no suggestion, no results.
    leaked = index.search(Query("pagrduty", Visibility.PUBLIC))
    assert leaked.did_you_mean is None and not leaked.hits
    # An agent, who may read the article, is offered the word and its article.
    agent = index.search(Query("pagrduty", Visibility.AGENTS))
    assert agent.did_you_mean == "pagerduty" and ids(agent) == ["AGENT"]
    # The same holds for a locale: words of Latvian articles are not offered in an English-only search.
    assert index.search(Query("kartess", locale="en")).did_you_mean is None
    assert index.search(Query("kartess", locale="lv")).did_you_mean == "kartes"


def test_did_you_mean_never_offers_a_stop_word_or_a_dead_end(index_of: Any) -> None:
    index = index_of(doc("K1", "Sign in to your account", "Go to the sign-in page and enter the code."))
    # "two" is closest to "to", which the search leaves out: suggesting "to factor" would find nothing.
    found = index.search(Query("two-factor"))
    assert found.did_you_mean is None and not found.hits and not found.corrected
    # A real misspelling next to an unknown word still gets its correction and results.
    fixed = index.search(Query("acount two"))
    assert fixed.did_you_mean == "account two" and fixed.corrected and ids(fixed) == ["K1"]


def test_related_articles_share_distinctive_words_and_respect_the_audience(index_of: Any) -> None:
    index = index_of(
        doc("K1", "Exchange rates for card payments", "The exchange rate is set by Visa at payment time."),
        doc("K2", "Wrong exchange rate", "A payment abroad used an exchange rate you did not expect."),
        doc("K3", "Internal: exchange rate disputes", "Escalate exchange rate disputes.", visibility=Visibility.AGENTS),
        doc("K4", "Closing your account", "Withdraw your balance first."),
    )
    assert ids_of(index.related("K1", Visibility.PUBLIC, 3)) == ["K2"]
    assert sorted(ids_of(index.related("K1", Visibility.AGENTS, 3))) == ["K2", "K3"]
    assert index.related("MISSING", Visibility.AGENTS, 3) == []


def ids_of(hits: Any) -> list[str]:
    return [h.article_id for h in hits]


@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("Kā mainīt PIN kodu", "mainit pin"),  # Latvian: diacritics folded
        ("Как сменить ПИН-код", "сменить ПИН"),  # Russian
        ("Πώς αλλάζω τον κωδικό", "κωδικό"),  # Greek
        ("Как да сменя ПИН кода", "сменя"),  # Bulgarian
    ],
)
def test_articles_in_other_scripts_are_found_by_their_words(index_of: Any, title: str, query: str) -> None:
    index = index_of(doc("K1", title, "…"), doc("K2", "Something else", "Unrelated."))
    assert ids(index.search(Query(query))) == ["K1"]


@pytest.mark.parametrize(
    "text",
    ['"unbalanced', "pin AND NOT", "NEAR(pin reset)", "title:pin", "pin*", "-pin", "^pin", "(", ")", "+", "'", "a OR"],
)
def test_query_text_is_never_read_as_query_syntax(index_of: Any, text: str) -> None:
    index = index_of(doc("K1", "PIN reset", "Reset your PIN."))
    found = index.search(Query(text))
    assert ids(found) in (["K1"], [])


def test_a_query_of_stop_words_only_finds_nothing_and_costs_nothing(index_of: Any) -> None:
    index = index_of(doc("K1", "How do I", "what is it"))
    assert terms("How do I?") == [] and ids(index.search(Query("How do I?"))) == []


def test_categories_count_published_articles_the_audience_may_read(index_of: Any) -> None:
    index = index_of(
        doc("K1", "A", category="cards"),
        doc("K2", "B", category="cards", visibility=Visibility.AGENTS),
        doc("K3", "C", category="transfers", locale="lv"),
    )
    public = [(c.name, c.locale, c.articles) for c in index.categories(Visibility.PUBLIC, None)]
    assert public == [("cards", "en", 1), ("transfers", "lv", 1)]
    agents = [(c.name, c.articles) for c in index.categories(Visibility.AGENTS, "en")]
    assert agents == [("cards", 2)]
