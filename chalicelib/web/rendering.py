"""Rendering: one Jinja2 environment, built at first use, and ``page`` -> an HTML ``chalice.Response``.

Autoescape is on, undefined names fail (``StrictUndefined``), ``{% trans %}`` and ``_()`` go through the
catalog of the ``locale`` in the render context (one environment serves every language, thread-safe).
Macros that translate are imported ``with context``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalice import Response  # type: ignore[attr-defined]

from chalicelib.core.settings import get_settings
from chalicelib.web import formatting, i18n, static
from chalicelib.web.headers import security_headers

if TYPE_CHECKING:
    from babel.support import Translations
    from jinja2 import Environment
    from jinja2.runtime import Context

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_PREFIX = "/portal/static/"
# Where templates are found, in order: the foundation's, then each feature slice's (``add_templates``).
SEARCH_PATH: list[Path] = [TEMPLATES_DIR]


def add_templates(directory: Path) -> None:
    """Let pages find a feature slice's templates (``portal/ticket.html`` in ``<slice>/templates``)."""
    if directory not in SEARCH_PATH:
        SEARCH_PATH.append(directory)
        environment.cache_clear()


def _translations(ctx: Context) -> Translations:
    return i18n.translator(str(ctx["locale"]))


def _gettext(ctx: Context, message: str) -> str:
    return _translations(ctx).gettext(message)


def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    return _translations(ctx).ngettext(singular, plural, n)


def _pgettext(ctx: Context, context: str, message: str) -> str:
    return str(_translations(ctx).pgettext(context, message))


def _url(ctx: Context, path: str) -> str:
    """A site path as the browser must request it (with API Gateway's stage prefix, if any)."""
    return str(ctx.get("base_path", "")) + path


def _static(ctx: Context, name: str) -> str:
    return _url(ctx, STATIC_PREFIX + static.url_name(name))


def _datetime(ctx: Context, when: datetime, fmt: str = "medium") -> str:
    return formatting.format_datetime(when, str(ctx["locale"]), str(ctx.get("timezone", "UTC")), fmt)


def _date(ctx: Context, when: datetime, fmt: str = "medium") -> str:
    return formatting.format_date(when, str(ctx["locale"]), str(ctx.get("timezone", "UTC")), fmt)


def _filesize(ctx: Context, size: int) -> str:
    return formatting.format_size(int(size), str(ctx["locale"]))


def _relative(ctx: Context, when: datetime) -> str:
    now = ctx.get("now") or datetime.now(UTC)
    return formatting.format_relative(when, now, str(ctx["locale"]))


@cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

    env = Environment(
        loader=FileSystemLoader(SEARCH_PATH),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext=pass_context(_gettext),
        ngettext=pass_context(_ngettext),
        pgettext=pass_context(_pgettext),
        newstyle=True,
    )
    env.globals.update(url=pass_context(_url), static=pass_context(_static))
    env.filters.update(
        datetime=pass_context(_datetime),
        date=pass_context(_date),
        relative=pass_context(_relative),
        filesize=pass_context(_filesize),
    )
    return env


def base_context(locale: str) -> dict[str, Any]:
    """What the layout needs, for any page in ``locale``; a page's own context may override any of it."""
    return {
        "locale": locale,
        "direction": i18n.direction(locale),
        "product_name": get_settings().support_name,
        "languages": i18n.LANGUAGES,
        "base_path": "",
        "current_path": "/portal",
        "messages": [],
        "timezone": formatting.DEFAULT_TIMEZONE,
        # The chat widget is on every page once the chat's socket URL is configured (docs/decisions/043-chat.md).
        "chat_widget": bool(get_settings().chat_ws_url),
    }


def render(template: str, context: Mapping[str, Any], *, locale: str) -> str:
    return environment().get_template(template).render({**base_context(locale), **context, "locale": locale})


def page(
    template: str,
    context: Mapping[str, Any],
    *,
    locale: str,
    status: int = 200,
    headers: Mapping[str, str | list[str]] | None = None,
    personal: bool = True,
    form_origins: tuple[str, ...] = (),
) -> Response:
    """An HTML page with the security headers; ``personal`` pages are never stored by any cache."""
    security = security_headers(personal=personal, form_origins=form_origins)
    all_headers: dict[str, str | list[str]] = {**security, **(headers or {})}
    return Response(body=render(template, context, locale=locale), status_code=status, headers=all_headers)
