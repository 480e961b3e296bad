"""HTML form posts (``application/x-www-form-urlencoded``), parsed from the raw body with limits.

Chalice routes that take a form need ``content_types=[FORM_CONTENT_TYPE]`` (``views.page_route(form=True)``
sets it). Every problem is an ``InvalidInput`` whose problems name the field; each problem also carries a
message id and its parameters, so a page can show it in the customer's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from chalicelib.core.errors import FieldProblem, InvalidInput
from chalicelib.web.i18n import N_

if TYPE_CHECKING:
    from babel.support import Translations

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 100
DEFAULT_MAX_LENGTH = 10_000

REQUIRED = N_("Enter a value.")
TOO_LONG = N_("Use at most %(max)s characters.")
NOT_ONE_OF = N_("Choose one of the options.")
NOT_TEXT = N_("Remove the control characters.")


@dataclass
class FormProblem(FieldProblem):
    """A field's problem: ``message`` in English (logs, JSON), ``msgid`` and ``params`` for pages."""

    msgid: str = ""
    params: dict[str, str | int] = dc_field(default_factory=dict)

    def localized(self, translations: Translations) -> str:
        return translations.gettext(self.msgid or self.message) % self.params


def problem(name: str, msgid: str, **params: str | int) -> FormProblem:
    return FormProblem(name, msgid % params, msgid, params)


class FormError(InvalidInput):
    """The form cannot be accepted; ``problems`` (``FormProblem``) say which fields and why."""


def body_problem(message: str) -> FormError:
    return FormError([FieldProblem("body", message)])


@dataclass(frozen=True)
class Form:
    """The fields of one post, in order; a name may repeat (checkboxes)."""

    pairs: tuple[tuple[str, str], ...]

    def get(self, name: str, default: str | None = None) -> str | None:
        return next((value for key, value in self.pairs if key == name), default)

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def text(self, name: str, *, required: bool = True, max_length: int = DEFAULT_MAX_LENGTH) -> str:
        """The field's text, stripped; a missing, empty, too long or binary value raises ``FormError``."""
        value = (self.get(name) or "").strip()
        if required and not value:
            raise FormError([problem(name, REQUIRED)])
        if len(value) > max_length:
            raise FormError([problem(name, TOO_LONG, max=max_length)])
        if any(ord(c) < 32 and c not in "\t\r\n" for c in value):
            raise FormError([problem(name, NOT_TEXT)])
        return value

    def choice(self, name: str, options: tuple[str, ...] | list[str]) -> str:
        value = self.get(name)
        if value is None or value not in options:
            raise FormError([problem(name, NOT_ONE_OF)])
        return value


def parse_form(
    raw: bytes | None, content_type: str | None, *, max_bytes: int = MAX_BODY_BYTES, max_fields: int = MAX_FIELDS
) -> Form:
    """Parse a url-encoded body; refuse other media types, oversize bodies and invalid UTF-8."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != FORM_CONTENT_TYPE:
        raise body_problem(f"send the form as {FORM_CONTENT_TYPE}, not {media_type or 'no content type'}")
    raw = raw or b""
    if len(raw) > max_bytes:
        raise body_problem(f"the form is larger than {max_bytes} bytes")
    try:
        text = raw.decode("ascii")  # url-encoded bodies are ASCII; UTF-8 arrives percent-encoded
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=max_fields, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise body_problem("the form is not valid url-encoded UTF-8") from exc
    except ValueError as exc:  # parse_qsl: more than max_fields fields
        raise body_problem(f"the form has more than {max_fields} fields") from exc
    return Form(tuple(pairs))
