"""The message catalogs are complete, compiled and in step with the templates and code (`make messages`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from chalicelib.web.i18n import LANGUAGES, LOCALES_DIR
from tests.conftest import ROOT

BABEL_CFG = ROOT / "chalicelib" / "web" / "babel.cfg"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def po(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def mo(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        return read_mo(f)


def key(msgid: Any) -> str:
    return str(msgid[0] if isinstance(msgid, tuple | list) else msgid)


def extracted() -> set[str]:
    """Every message the templates and the web code use, extracted as `make messages` does."""
    with BABEL_CFG.open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        directory_filter=lambda path: Path(path).resolve().is_relative_to(ROOT / "chalicelib"),
    )
    return {key(message) for _, _, message, _, _ in found}


@pytest.fixture(scope="module")
def used() -> set[str]:
    messages = extracted()
    assert "Help center" in messages and "Enter a value." in messages  # templates and Python both extracted
    return messages


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_every_message_the_pages_use_is_in_the_catalog(locale: str, used: set[str]) -> None:
    in_catalog = {key(m.id) for m in po(locale) if m.id}
    assert sorted(used - in_catalog) == [], "run `make messages` and translate the new messages"
    assert sorted(in_catalog - used) == [], "the catalog keeps messages nothing uses: run `make messages`"


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_every_message_is_translated_with_all_its_plural_forms_and_placeholders(locale: str) -> None:
    catalog = po(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {key(message.id)!r}")
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"{key(message.id)!r}: {len(strings)} plural forms, {catalog.num_plurals} needed")
        wanted = set(PLACEHOLDER.findall(" ".join(message.id if isinstance(message.id, tuple) else [message.id])))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"{key(message.id)!r}: placeholders {wanted} missing or changed in {string!r}")
    assert problems == []


def test_russian_declares_three_plural_forms() -> None:
    assert po("ru").num_plurals == 3


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_compiled_catalog_matches_its_source(locale: str) -> None:
    """A .po edited without `make messages` (or `pybabel compile`) leaves a stale .mo: the site would not show it."""
    source, compiled = po(locale), mo(locale)
    assert strings(compiled) == strings(source)
    assert compiled.plural_expr == source.plural_expr


def strings(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    return {
        key(m.id): tuple(m.string) if isinstance(m.string, tuple | list) else (m.string,)
        for m in catalog
        if m.id and not m.fuzzy
    }
