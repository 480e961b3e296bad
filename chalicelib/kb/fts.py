"""The search engine: SQLite FTS5 through apsw (which bundles its own SQLite with FTS5: the Lambda runtime's
SQLite may lack it). Imported only by the functions that search or build (``import apsw`` is not free).

Ranking is BM25 with column weights (title >> tags >> body); words are folded by ``unicode61`` (case,
diacritics: ``mainīt`` matches ``mainit``) and English words stemmed by ``porter`` (``cards`` matches
``card``); words of other scripts (Latvian, Greek, Russian, Bulgarian) pass through whole. Every query keeps
to the viewer's audience and locale in its ``WHERE`` clause. "Did you mean" and "related articles" use apsw's
FTS5 helpers over the index's own vocabulary (``closest_tokens``, ``key_tokens``, ``text_for_token``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from chalicelib.domain.kb import SearchDoc, Visibility
from chalicelib.kb.search import STOP_WORDS, Category, Hit, IndexUnreadable, Query, Results, terms, typed_prefix

FORMAT = "fts5-v1"
TOKENIZER = "porter unicode61 remove_diacritics 2"
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
SCHEMA = f"""
CREATE VIRTUAL TABLE docs USING fts5(
    title, tags, body,
    article_id UNINDEXED, slug UNINDEXED, locale UNINDEXED, category UNINDEXED, level UNINDEXED,
    tokenize = '{TOKENIZER}'
);
CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row');
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_HIT_COLUMNS = (
    f"article_id, slug, locale, title, category, snippet(docs, 2, '', '', '…', {SNIPPET_TOKENS}), "
    f"bm25(docs, {', '.join(str(w) for w in WEIGHTS)}) AS score"
)
_AUDIENCE = "level <= :level AND (:locale IS NULL OR locale = :locale)"
# Built from this module's constants only; every value is a bound parameter.
SEARCH_SQL = f"SELECT {_HIT_COLUMNS} FROM docs WHERE docs MATCH :match AND {_AUDIENCE} ORDER BY score LIMIT :limit"  # noqa: S608
CATEGORY_SQL = (
    "SELECT article_id, slug, locale, title, category, substr(body, 1, 160), 0 FROM docs "  # noqa: S608
    f"WHERE category = :category AND {_AUDIENCE} ORDER BY title LIMIT :limit"
)
RELATED_SQL = (
    f"SELECT {_HIT_COLUMNS} FROM docs WHERE docs MATCH :match AND {_AUDIENCE} AND article_id != :article_id "  # noqa: S608
    "ORDER BY score LIMIT :limit"
)


class Fts5Engine:
    name = FORMAT

    def build(self, docs: Sequence[SearchDoc], path: Path) -> None:
        import apsw

        db = apsw.Connection(str(path))
        try:
            with db:
                db.execute(SCHEMA)
                db.executemany(
                    "INSERT INTO docs(title, tags, body, article_id, slug, locale, category, level) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            d.title,
                            " ".join(d.tags),
                            d.text,
                            d.article_id,
                            d.slug,
                            d.locale,
                            d.category,
                            d.visibility.level,
                        )
                        for d in docs
                    ],
                )
                db.execute("INSERT INTO meta VALUES ('format', ?), ('articles', ?)", (FORMAT, str(len(docs))))
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
            format_row = self.db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            self._tokenizer = self.db.fts5_tokenizer(TOKENIZER.split()[0], TOKENIZER.split()[1:])
        except apsw.Error as exc:
            self.db.close()
            raise IndexUnreadable(f"{path}: {exc}") from exc
        if format_row is None or format_row[0] != FORMAT:
            self.db.close()
            raise IndexUnreadable(f"{path} is not a {FORMAT} index")

    def search(self, query: Query) -> Results:
        words = terms(query.text)
        if not words:
            return Results()
        with self._lock:
            hits = self._hits(SEARCH_SQL, _match(words, typed_prefix(query.text) if query.prefix else None), query)
            suggestion = self._suggestion(words, query)
            if hits or suggestion is None:
                return Results(hits, suggestion)
            corrected = self._hits(SEARCH_SQL, _match(terms(suggestion), None), query)
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
            return self._hits(RELATED_SQL, _match(words, None), query, article_id=article_id)

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

    def _hits(self, sql: str, match: str, query: Query, **extra: str) -> list[Hit]:
        parameters = {"level": query.audience.level, "locale": query.locale, "limit": query.limit}
        if match:
            parameters["match"] = match
        rows = self.db.execute(sql, {**parameters, **extra}).fetchall()
        return [Hit(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), -float(str(r[6]))) for r in rows]

    def _suggestion(self, words: list[str], query: Query) -> str | None:
        """The query's words with those unknown to the index replaced by the closest known ones (or None).

        Whether a word is known is one lookup in the index's vocabulary; only a query with an unknown word
        loads apsw's FTS5 helpers (and the vocabulary) to find the closest spelling. The vocabulary is every
        published article's, so a replacement must occur in an article the viewer may read (else a reader
        would learn the words of agents-only articles one suggestion at a time), and must not be a stop word
        (the search leaves those out: "two" would become "to")."""
        unknown = {w: t for w in words if (t := self._token(w)) and not self._known(t)}
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
                    and self._hits(SEARCH_SQL, _match([text], None), replace(query, limit=1))
                ),
                None,
            )
            replaced.append(spelling or word)
            changed = changed or spelling is not None
        return " ".join(replaced) if changed else None

    def _token(self, word: str) -> str:
        import apsw

        tokens = list(self._tokenizer(word.encode(), apsw.FTS5_TOKENIZE_QUERY, None, include_offsets=False))
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
