"""Words in their article's language: a reader finds an article whatever form of its words they type, in the
article's language, whether they search in that language or across every language of the help center."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.kb import stemming
from chalicelib.kb.fts import FORMAT, FORMAT_V1, Fts5Engine
from chalicelib.kb.search import Query
from tests.unit.kb.conftest import doc


def ids(results: Any) -> list[str]:
    return [h.article_id for h in results.hits]


RU = doc("RU", "Сброс пароля", "Забыли пароль? На странице входа выберите «Забыли пароль».", locale="ru")  # noqa: RUF001
DE = doc("DE", "Rechnung herunterladen", "Jede Rechnung liegt unter Konto.", locale="de")
EN = doc("EN", "Cards and payments", "Your card arrives in five days.", locale="en")


@pytest.mark.parametrize("query", ["паролем", "пароли", "пароля", "забыл пароль", "ПАРОЛЬ"])
def test_a_russian_reader_finds_an_article_by_any_form_of_its_words(index_of: Any, query: str) -> None:
    index = index_of(RU, DE, EN)
    found = index.search(Query(query, locale="ru"))
    assert ids(found) == ["RU"] and not found.corrected and found.did_you_mean is None
    # Across every language too (the portal's search): the query is also read as Russian.
    across = index.search(Query(query))
    assert ids(across) == ["RU"] and not across.corrected and across.did_you_mean is None


def test_each_language_is_stemmed_by_its_own_rules(index_of: Any) -> None:
    index = index_of(RU, DE, EN)
    for query in (Query("rechnungen", locale="de"), Query("Rechnungen"), Query("carding payment")):
        found = index.search(query)  # English keeps FTS5's porter
        assert ids(found) == (["EN"] if query.text == "carding payment" else ["DE"]) and not found.corrected
    # A reader's locale narrows the search to it: the German article is not read as English.
    assert ids(index.search(Query("rechnung", locale="en"))) == []


def test_a_search_across_languages_merges_them_best_first(index_of: Any) -> None:
    index = index_of(
        doc("EN1", "Password reset", "Reset it from the sign-in page.", locale="en"),
        doc("EN2", "Security", "A strong password helps.", locale="en"),
        RU,
    )
    found = index.search(Query("password пароль", limit=10))
    assert sorted(ids(found)) == ["EN1", "EN2", "RU"]
    assert ids(found)[-1] == "EN2"  # a body match ranks below the titles, whichever language they are in
    assert [h.score for h in found.hits] == sorted((h.score for h in found.hits), reverse=True)
    assert len(index.search(Query("password пароль", limit=2)).hits) == 2


def test_type_ahead_completes_an_unfinished_word_without_stemming_it(index_of: Any) -> None:
    index = index_of(RU, EN)
    assert ids(index.search(Query("сброс паро", locale="ru", prefix=True))) == ["RU"]  # noqa: RUF001
    assert ids(index.search(Query("паро", prefix=True))) == ["RU"]


def test_snippets_show_the_words_as_the_article_writes_them(index_of: Any) -> None:
    index = index_of(RU)
    (hit,) = index.search(Query("паролем", locale="ru")).hits
    assert "Забыли пароль?" in hit.snippet


def test_did_you_mean_reads_a_misspelling_in_the_readers_language(index_of: Any) -> None:
    index = index_of(RU, EN)
    found = index.search(Query("паролм", locale="ru"))
    assert found.corrected and ids(found) == ["RU"] and found.did_you_mean is not None
    # A known form of a known word is no misspelling.
    assert index.search(Query("паролями", locale="ru")).did_you_mean is None


def test_an_index_written_before_stemming_is_still_read(tmp_path: Path) -> None:
    """An index built by the previous release (porter for every word, no locales in its meta) keeps answering
    until the next publish replaces it."""
    import apsw

    path = tmp_path / "v1.sqlite"
    db = apsw.Connection(str(path))
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, tags, body, article_id UNINDEXED, slug UNINDEXED, "
        "locale UNINDEXED, category UNINDEXED, level UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2');"
        "CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row');"
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    )
    db.execute("INSERT INTO docs VALUES ('Cards', '', 'Your cards arrive.', 'K1', 'k1', 'en', 'general', 0)")
    db.execute("INSERT INTO meta VALUES ('format', ?), ('articles', '1')", (FORMAT_V1,))
    db.close()
    index = Fts5Engine().open(path)
    try:
        assert ids(index.search(Query("card"))) == ["K1"]
        assert ids(index.search(Query("card", locale="en"))) == ["K1"]
        assert index.search(Query("crads")).did_you_mean == "cards"
    finally:
        index.close()


@pytest.mark.parametrize(
    ("docs", "layout", "locales"),
    [
        ([RU, DE, EN, doc("EN2", "More", "…")], FORMAT, ["de", "en", "ru"]),
        # Only languages read as English: FTS5's C tokenizer, as before (no Python on any search).
        ([EN, doc("LV", "Kartes piegāde", "Kartes pienāk.", locale="lv")], FORMAT_V1, ["en", "lv"]),
    ],
)
def test_the_index_records_its_layout_and_locales(
    tmp_path: Path, docs: list[Any], layout: str, locales: list[str]
) -> None:
    import apsw

    path = tmp_path / "index.sqlite"
    Fts5Engine().build(docs, path)
    db = apsw.Connection(str(path))
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'docs'").fetchone()
    finally:
        db.close()
    assert meta["format"] == layout and json.loads(str(meta["locales"])) == locales
    assert ("'porter unicode61 remove_diacritics 2'" in str(sql)) == (layout == FORMAT_V1)


@pytest.mark.parametrize(
    ("locale", "language"),
    [("ru", "russian"), ("pt-BR", "portuguese"), ("pt_BR", "portuguese"), ("DE", "german"), ("nb", "norwegian")]
    + [("en", None), ("en-GB", None), ("lv", None), ("bg", None), (None, None), ("", None)],
)
def test_a_locale_names_its_snowball_language(locale: str | None, language: str | None) -> None:
    assert stemming.language(locale) == language


def test_folding_takes_diacritics_off_as_unicode61_does() -> None:
    assert stemming.fold("mainīt") == "mainit"
    assert stemming.fold("café") == "cafe"
    assert stemming.fold("plain") == "plain"
