"""Languages: the message catalogs, choosing a customer's language, and translations outside a request.

Catalogs live in ``locales/<code>/LC_MESSAGES/messages.po`` (compiled ``.mo`` beside them, committed);
``make messages`` extracts, updates and compiles them. The order of choice: an explicit choice (a profile
value, else the ``lang`` cookie the switcher sets) > ``Accept-Language`` > English.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT = "en"
# Each language named in itself, in the order the switcher shows them.
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
MAX_ACCEPT_LANGUAGE = 40  # entries read from the header; the rest are ignored


def language_of(code: str) -> str:
    """The language subtag of a locale code, lower case: ``pt-BR``, ``pt_br`` and ``PT`` are all ``pt``."""
    return code.strip().replace("_", "-").split("-", 1)[0].lower()


def supported(code: str | None) -> str | None:
    """The supported locale ``code`` names (case-insensitive, ``ru-RU`` -> ``ru``), else None."""
    if not code:
        return None
    language = language_of(code)
    return language if language in LANGUAGES else None


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most preferred first (q=0 and junk dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:MAX_ACCEPT_LANGUAGE]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or not tag.replace("-", "").isalnum():
            continue
        quality = _quality(params)
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def _quality(params: str) -> float:
    name, _, value = params.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        quality = float(value)
    except ValueError:
        return 0.0
    return quality if 0 <= quality <= 1 else 0.0


def negotiate(*, explicit: str | None = None, cookie: str | None = None, accept_language: str | None = None) -> str:
    """The page language: an explicit choice, else the cookie, else the browser's preference, else English."""
    chosen = supported(explicit) or supported(cookie)
    if chosen:
        return chosen
    preferred = parse_accept_language(accept_language)
    if preferred:
        from babel import negotiate_locale

        found = negotiate_locale(preferred, list(LANGUAGES), sep="-")
        if found:
            return found
    return DEFAULT


def direction(locale: str) -> str:
    return "rtl" if language_of(locale) in RTL_LANGUAGES else "ltr"


@cache
def translator(locale: str) -> Translations:
    """The translations of ``locale`` (gettext, ngettext, pgettext); usable outside a request (mail)."""
    from babel.support import Translations

    code = supported(locale)
    if code is None:
        raise ValueError(f"unsupported locale {locale!r}; supported: {', '.join(LANGUAGES)}")
    translations = Translations.load(str(LOCALES_DIR), [code], DOMAIN)
    if not isinstance(translations, Translations):  # Babel returns NullTranslations when the .mo is missing
        raise FileNotFoundError(f"no compiled catalog for {code} in {LOCALES_DIR} (run `make messages`)")
    return translations


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message
