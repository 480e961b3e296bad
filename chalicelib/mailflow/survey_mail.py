"""The survey mail: the five rating links, in the customer's language.

Its words come from the web pages' catalogs (``chalicelib.web.i18n.translator``), like the survey page they
lead to, so one translation serves both; the templates are ``survey.txt`` and ``survey.html`` here, rendered
by their own Jinja2 environment with the i18n extension (the other mail templates are English only). Pure: no
I/O but reading the templates and the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.mailflow.compose import TEMPLATES, ticket_subject

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context

DEFAULT_LOCALE = "en"


@dataclass(frozen=True)
class SurveyMail:
    subject: str
    text: str
    html: str
    locale: str


def language(locale: str | None) -> str:
    """The supported language of a customer's locale (``ru-RU`` -> ``ru``), else English."""
    from chalicelib.web.i18n import supported

    return supported(locale) or DEFAULT_LOCALE


def _gettext(ctx: Context, message: str) -> str:
    from chalicelib.web.i18n import translator

    return translator(str(ctx["locale"])).gettext(message)


def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    from chalicelib.web.i18n import translator

    return translator(str(ctx["locale"])).ngettext(singular, plural, n)


@cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext=pass_context(_gettext), ngettext=pass_context(_ngettext), newstyle=True
    )
    return env


def survey_mail(
    locale: str | None, name: str, number: int, subject: str, support_name: str, links: Mapping[int, str]
) -> SurveyMail:
    """The mail asking for a rating of ticket ``number``; ``links`` maps each rating (1-5) to its page."""
    from chalicelib.web.i18n import translator

    code = language(locale)
    context: dict[str, Any] = {
        "locale": code,
        "name": name,
        "number": number,
        "subject": subject,
        "support_name": support_name,
        "links": [(rating, links[rating]) for rating in sorted(links, reverse=True)],
    }
    env = environment()
    text = env.get_template("survey.txt").render(context)
    html = env.get_template("survey.html").render(context)
    label = translator(code).gettext("How did we do?") + " "
    return SurveyMail(ticket_subject(subject, number, reply=False, label=label), text, html, code)
