"""Words in their article's language: the search index's tokenizer (``lambdesk``), registered on each connection.

FTS5's ``porter`` knows English only: ``cards`` finds ``card``, but a Russian reader's ``паролем`` never found
an article about ``пароля``, nor a German's ``Rechnungen`` one about ``Rechnung``. Every indexed value and every
query carries its locale (FTS5's ``locale=1`` tables and ``fts5_locale()``), and this tokenizer stems each word
with Snowball's algorithm for that language (PyStemmer, the Snowball project's C stemmers: ~0.5 ms to import,
well under a microsecond a word), then folds case and diacritics as ``unicode61 remove_diacritics 2`` does.
English, a locale Snowball has no algorithm for (Latvian, Bulgarian...) and no locale at all read exactly as
before: ``porter unicode61 remove_diacritics 2``. Prefix queries (type-ahead) are folded, never stemmed: the
unfinished word is not a word yet.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from chalicelib.web.i18n import language_of

NAME = "lambdesk"
# What English, no locale and languages without a stemmer use (the index's tokenizer before locales).
PORTER = ("porter", ("unicode61", "remove_diacritics", "2"))
# Words split and case-folded, diacritics kept for the stemmer (its rules read them), folded after it.
WORDS = ("unicode61", ("remove_diacritics", "0"))

# Snowball's algorithm for each language it stems, by ISO 639 code. English stays with FTS5's porter.
SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def language(locale: str | None) -> str | None:
    """Snowball's name for the locale's language (``pt-BR`` → ``portuguese``); None: read as English."""
    if not locale:
        return None
    return SNOWBALL.get(language_of(locale))


def fold(word: str) -> str:
    """Diacritics off, as ``unicode61 remove_diacritics 2`` takes them off (``mainīt`` → ``mainit``)."""
    decomposed = unicodedata.normalize("NFD", word)
    if decomposed.isascii():
        return decomposed
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@cache
def _stemmer(name: str) -> Callable[[str], str]:
    import Stemmer

    return Stemmer.Stemmer(name).stemWord  # type: ignore[no-any-return]


def register(db: Any) -> None:
    """Make the ``lambdesk`` tokenizer known to this apsw connection (each connection needs it to read or
    write the index)."""
    db.register_fts5_tokenizer(NAME, _factory)


def _factory(db: Any, args: list[str]) -> Callable[[bytes, int, str | None], Iterable[tuple[Any, ...]]]:
    import apsw

    porter = db.fts5_tokenizer(PORTER[0], list(PORTER[1]))
    words = db.fts5_tokenizer(WORDS[0], list(WORDS[1]))

    def tokenize(utf8: bytes, flags: int, locale: str | None) -> Iterable[tuple[Any, ...]]:
        name = language(locale)
        if name is None:
            return porter(utf8, flags, None)  # type: ignore[no-any-return]
        stem = _stemmer(name)
        if flags & apsw.FTS5_TOKENIZE_PREFIX:
            return [(start, end, *dict.fromkeys(map(fold, tokens))) for start, end, *tokens in words(utf8, flags, None)]
        return [
            (start, end, *dict.fromkeys(fold(stem(t)) for t in tokens))
            for start, end, *tokens in words(utf8, flags, None)
        ]

    return tokenize
