"""The search engine: SQLite FTS5 through apsw (which bundles its own SQLite with FTS5: the Lambda runtime's
SQLite may lack it). Imported only by the functions that search or build (``import apsw`` is not free).

Ranking is BM25 with column weights (title >> tags >> body); words are folded (case, diacritics: ``mainīt``
matches ``mainit``) and stemmed in their article's language (``kb.stemming``: ``cards`` matches ``card``,
``паролем`` matches ``пароля``; languages Snowball has no stemmer for pass through whole). In an index with a
language Snowball stems, every value is indexed with its article's locale and every query is read in the
reader's; a search across languages asks once per language of the index and merges by score. Every query
keeps to the viewer's audience and locale in its ``WHERE`` clause. "Did you mean" and "related articles" use
apsw's FTS5 helpers over the index's own vocabulary (``closest_tokens``, ``key_tokens``, ``text_for_token``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from chalicelib.domain.kb import SearchDoc, Visibility
from chalicelib.kb import stemming
from chalicelib.kb.search import STOP_WORDS, Category, Hit, IndexUnreadable, Query, Results, terms, typed_prefix

# Two layouts. An index whose articles are all in languages read as English (English, or one Snowball has no
# stemmer for) keeps FTS5's own C tokenizer, as every index did before languages were stemmed: a Python
# tokenizer (``kb.stemming``) costs every search its snippets' words (bench/kb: p50 5 → 11 ms at 2,000
# articles). An index with any other language has the locale-aware tokenizer and every value its locale.
FORMAT = "fts5-v2"
FORMAT_V1 = "fts5-v1"
# BM25 weights of the indexed columns, in order (tuned on the banking77 train split: bench/kb).
WEIGHTS = (8.0, 4.0, 1.0)
SNIPPET_TOKENS = 24
RELATED_TOKENS = 8
# "Did you mean": how alike a known word must be (difflib ratio), and in how many articles it must occur.
SPELLING_CUTOFF = 0.7
SPELLING_MIN_DOCS = 1
# How many close words are tried, best first, for one that the viewer's articles contain.
SPELLING_CANDIDATES = 5
# How many articles are read back to find the usual spelling of a corrected word.
SPELLING_DOCS = 3
SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(
    title, tags, body,
    article_id UNINDEXED, slug UNINDEXED, locale UNINDEXED, category UNINDEXED, level UNINDEXED,
    tokenize = {tokenize}
);
CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row');
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_TOKENIZE = {
    FORMAT: f"'{stemming.NAME}', locale = 1",
    FORMAT_V1: f"'{stemming.PORTER[0]} {' '.join(stemming.PORTER[1])}'",
}
_INSERT = {
    FORMAT: "VALUES (fts5_locale(?1, ?2), fts5_locale(?1, ?3), fts5_locale(?1, ?4), ?5, ?6, ?1, ?7, ?8)",
    FORMAT_V1: "VALUES (?2, ?3, ?4, ?5, ?6, ?1, ?7, ?8)",
}
_HIT_COLUMNS = (
    f"article_id, slug, locale, title, category, snippet(docs, 2, '', '', '…', {SNIPPET_TOKENS}), "
    f"bm25(docs, {', '.join(str(w) for w in WEIGHTS)}) AS score"
)
_AUDIENCE = "level <= :level AND (:locale IS NULL OR locale = :locale)"
# A query read in the language of :reading, over the articles of the locales in :locales (JSON; NULL: all).
_MATCHING = (
    "docs MATCH {match} AND level <= :level AND (:locales IS NULL OR locale IN (SELECT value FROM json_each(:locales)))"
)
_LOCALE_MATCH, _PLAIN_MATCH = "fts5_locale(:reading, :match)", ":match"
# Built from this module's constants only; every value is a bound parameter.
SEARCH_SQL = f"SELECT {_HIT_COLUMNS} FROM docs WHERE {_MATCHING} ORDER BY score LIMIT :limit"  # noqa: S608
CATEGORY_SQL = (
    "SELECT article_id, slug, locale, title, category, substr(body, 1, 160), 0 FROM docs "  # noqa: S608
    f"WHERE category = :category AND {_AUDIENCE} ORDER BY title LIMIT :limit"
)
RELATED_SQL = (
    f"SELECT {_HIT_COLUMNS} FROM docs WHERE {_MATCHING} AND article_id != :article_id "  # noqa: S608
    "ORDER BY score LIMIT :limit"
)


class Fts5Engine:
    name = FORMAT

    def build(self, docs: Sequence[SearchDoc], path: Path) -> None:
        import apsw

        layout = FORMAT if any(stemming.language(d.locale) for d in docs) else FORMAT_V1
        db = apsw.Connection(str(path))
        stemming.register(db)
        try:
            with db:
                db.execute(SCHEMA.format(tokenize=_TOKENIZE[layout]))
                db.executemany(
                    "INSERT INTO docs(title, tags, body, article_id, slug, locale, category, level) " + _INSERT[layout],
                    [
                        (
                            d.locale,
                            d.title,
                            " ".join(d.tags),
                            d.text,
                            d.article_id,
                            d.slug,
                            d.category,
                            d.visibility.level,
                        )
                        for d in docs
                    ],
                )
                locales = json.dumps(sorted({d.locale for d in docs}))
                db.execute(
                    "INSERT INTO meta VALUES ('format', ?), ('articles', ?), ('locales', ?)",
                    (layout, str(len(docs)), locales),
                )
                db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
            db.execute("VACUUM")
        finally:
            db.close()

    def open(self, path: Path) -> Fts5Index:
        return Fts5Index(path)


class Fts5Index:
    def __init__(self, path: Path) -> None:
        import apsw

        self.db = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
        self._lock = threading.Lock()
        self._table: Any = None
        try:
            stemming.register(self.db)
            meta = {str(key): str(value) for key, value in self.db.execute("SELECT key, value FROM meta")}
        except apsw.Error as exc:
            self.db.close()
            raise IndexUnreadable(f"{path}: {exc}") from exc
        if meta.get("format") not in (FORMAT, FORMAT_V1):
            self.db.close()
            raise IndexUnreadable(f"{path} is not a {FORMAT} or {FORMAT_V1} index")
        self._localised = meta["format"] == FORMAT
        self._match = _LOCALE_MATCH if self._localised else _PLAIN_MATCH
        self._tokenizer = self.db.fts5_tokenizer(
            *((stemming.NAME, []) if self._localised else (stemming.PORTER[0], list(stemming.PORTER[1])))
        )
        self._locales: list[str] = json.loads(meta.get("locales") or "[]")

    def search(self, query: Query) -> Results:
        words = terms(query.text)
        if not words:
            return Results()
        with self._lock:
            hits = self._search(SEARCH_SQL, _match(words, typed_prefix(query.text) if query.prefix else None), query)
            suggestion = self._suggestion(words, query)
            if hits or suggestion is None:
                return Results(hits, suggestion)
            corrected = self._search(SEARCH_SQL, _match(terms(suggestion), None), query)
        if not corrected:  # a suggestion that finds nothing either is a dead end, not help
            return Results()
        return Results(corrected, suggestion, corrected=True)

    def related(self, article_id: str, audience: Visibility, limit: int) -> list[Hit]:
        with self._lock:
            row = self.db.execute("SELECT rowid, locale FROM docs WHERE article_id = ?", (article_id,)).fetchone()
            if row is None:
                return []
            table = self._fts()
            words = [table.text_for_token(token, 1) for _, token in table.key_tokens(row[0], limit=RELATED_TOKENS)]
            if not words:
                return []
            query = Query("", audience, str(row[1]), limit)
            return self._search(RELATED_SQL, _match(words, None), query, article_id=article_id)

    def categories(self, audience: Visibility, locale: str | None) -> list[Category]:
        sql = (
            "SELECT category, locale, count(*) FROM docs WHERE level <= ? AND (? IS NULL OR locale = ?) "
            "GROUP BY category, locale ORDER BY locale, category"
        )
        with self._lock:
            rows = self.db.execute(sql, (audience.level, locale, locale)).fetchall()
        return [Category(str(name), str(loc), int(str(n))) for name, loc, n in rows]

    def in_category(self, category: str, audience: Visibility, locale: str | None, limit: int) -> list[Hit]:
        with self._lock:
            return self._hits(CATEGORY_SQL, "", Query("", audience, locale, limit), category=category)

    def close(self) -> None:
        self.db.close()

    def _hits(self, sql: str, match: str, query: Query, **extra: str | None) -> list[Hit]:
        parameters = {"level": query.audience.level, "locale": query.locale, "limit": query.limit}
        if match:
            parameters["match"] = match
        rows = self.db.execute(sql, {**parameters, **extra}).fetchall()
        return [Hit(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), -float(str(r[6]))) for r in rows]

    def _search(self, sql: str, match: str, query: Query, **extra: str) -> list[Hit]:
        """The hits of ``match``, read in each language it is asked in (``_readings``), best first."""
        sql = sql.format(match=self._match)
        hits = [
            hit
            for reading, locales in self._readings(query.locale)
            for hit in self._hits(sql, match, query, reading=reading, locales=locales, **extra)
        ]
        return sorted(hits, key=lambda hit: -hit.score)[: query.limit]

    def _readings(self, locale: str | None) -> list[tuple[str | None, str | None]]:
        """In which languages a query is read, each with the articles it is matched against (JSON list of
        locales; None: every article): the reader's locale alone, or, searching every language, one reading
        per stemming language of the index (locales read alike, such as English and Latvian, share one)."""
        if locale is not None or not self._localised:
            return [(locale, None if locale is None else json.dumps([locale]))]
        alike: dict[str | None, list[str]] = {}
        for each in self._locales:
            alike.setdefault(stemming.language(each), []).append(each)
        if len(alike) <= 1:
            return [(self._locales[0] if self._locales else None, None)]
        return [(group[0], json.dumps(group)) for group in alike.values()]

    def _suggestion(self, words: list[str], query: Query) -> str | None:
        """The query's words with those unknown to the index replaced by the closest known ones (or None).

        Whether a word is known is one lookup in the index's vocabulary; only a query with an unknown word
        loads apsw's FTS5 helpers (and the vocabulary) to find the closest spelling. The vocabulary is every
        published article's, so a replacement must occur in an article the viewer may read (else a reader
        would learn the words of agents-only articles one suggestion at a time), and must not be a stop word
        (the search leaves those out: "two" would become "to")."""
        readings = [reading for reading, _ in self._readings(query.locale)]
        unknown: dict[str, str] = {}
        for word in words:  # known when it is a word of the index in any language the query is read in
            tokens = [t for t in (self._token(word, reading) for reading in readings) if t]
            if tokens and not any(self._known(t) for t in tokens):
                unknown[word] = tokens[0]
        if not unknown:
            return None
        table = self._fts()
        replaced, changed = [], False
        for word in words:
            token = unknown.get(word)
            closest = (
                table.closest_tokens(token, n=SPELLING_CANDIDATES, cutoff=SPELLING_CUTOFF, min_docs=SPELLING_MIN_DOCS)
                if token
                else []
            )
            spelling = next(
                (
                    text
                    for _, candidate in closest
                    if (text := table.text_for_token(candidate, SPELLING_DOCS).lower()) not in STOP_WORDS
                    and self._search(SEARCH_SQL, _match([text], None), replace(query, limit=1))
                ),
                None,
            )
            replaced.append(spelling or word)
            changed = changed or spelling is not None
        return " ".join(replaced) if changed else None

    def _token(self, word: str, reading: str | None) -> str:
        import apsw

        tokens = list(self._tokenizer(word.encode(), apsw.FTS5_TOKENIZE_QUERY, reading, include_offsets=False))
        first = tokens[0] if tokens else ()
        return str(first[0]) if first else ""

    def _known(self, token: str) -> bool:
        return self.db.execute("SELECT 1 FROM vocab WHERE term = ?", (token,)).fetchone() is not None

    def _fts(self) -> Any:
        if self._table is None:
            import apsw.fts5

            self._table = apsw.fts5.Table(self.db, "docs")
        return self._table


def _match(words: Sequence[str], prefix: str | None) -> str:
    """An FTS5 query: any of the words (BM25 ranks articles with more of them higher), each quoted so that no
    input is read as query syntax; the unfinished last word of a type-ahead as a prefix."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if prefix:
        quoted.append('"' + prefix.replace('"', '""') + '" *')
    return " OR ".join(quoted)
