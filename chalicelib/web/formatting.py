"""Dates, times and durations in the customer's language and time zone (Babel's CLDR data)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from babel import Locale

DEFAULT_TIMEZONE = "UTC"


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; an unknown name raises ``ValueError`` naming it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@cache
def babel_locale(code: str) -> Locale:
    """The parsed locale (Babel parses a locale string on every call otherwise: 6x slower formatting)."""
    from babel import Locale

    return Locale.parse(code)


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("a naive datetime has no time zone; pass an aware one (UTC)")
    return when


def format_datetime(when: datetime, locale: str, tz: str = DEFAULT_TIMEZONE, fmt: str = "medium") -> str:
    """``when`` as the customer reads it: in their zone and language, e.g. '5 Mar 2026, 14:05:00'."""
    from babel.dates import format_datetime as babel_format

    return babel_format(_aware(when), format=fmt, tzinfo=zone(tz), locale=babel_locale(locale))


def format_date(when: datetime, locale: str, tz: str = DEFAULT_TIMEZONE, fmt: str = "medium") -> str:
    """The calendar day of ``when`` in the customer's zone (which may differ from the UTC day)."""
    from babel.dates import format_date as babel_format

    return babel_format(_aware(when).astimezone(zone(tz)).date(), format=fmt, locale=babel_locale(locale))


def format_relative(when: datetime, now: datetime, locale: str) -> str:
    """How long ago (or from now) ``when`` is, in words: '3 hours ago', 'через 2 дня'."""
    from babel.dates import format_timedelta

    return format_timedelta(_aware(when) - _aware(now), add_direction=True, locale=babel_locale(locale))


def format_size(size: int, locale: str) -> str:
    """A file size as people read it, in their language: '820 bytes', '1.2 MB', '1,2 МБ'. Bytes are written out:
    CLDR's short English unit is 'byte' whatever the number ('72 byte')."""
    from babel.units import format_unit

    for unit, factor in (("gigabyte", 1024**3), ("megabyte", 1024**2), ("kilobyte", 1024)):
        if size >= factor:
            return str(
                format_unit(
                    size / factor, f"digital-{unit}", length="short", format="#,##0.#", locale=babel_locale(locale)
                )
            )
    return str(format_unit(size, "digital-byte", length="long", locale=babel_locale(locale)))
