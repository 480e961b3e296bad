"""What pages say besides their own content: flash messages after a redirect, and error pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.core import observability
from chalicelib.core.errors import DomainError, Forbidden, InvalidInput, NotFound, RateLimited, Unauthenticated
from chalicelib.web.csrf import CsrfRejected
from chalicelib.web.forms import FormProblem
from chalicelib.web.i18n import N_, translator

if TYPE_CHECKING:
    from chalice import Response  # type: ignore[attr-defined]

    from chalicelib.web.views import PageRequest


@dataclass(frozen=True)
class Message:
    """A status line shown above the page content (role=status; ``error`` ones use role=alert)."""

    text: str
    kind: str = "info"  # info | success | error


# Flash messages are named, never carried as text in a cookie.
FLASH: dict[str, tuple[str, str]] = {
    "language_changed": (N_("Language changed."), "success"),
}


def flash_message(key: str | None, locale: str) -> Message | None:
    if key not in FLASH:
        return None
    text, kind = FLASH[key]
    return Message(translator(locale).gettext(text), kind)


@dataclass(frozen=True)
class ErrorText:
    status: int
    title: str
    explanation: str


# Checked in order: the first class the error is an instance of decides.
ERRORS: list[tuple[type[DomainError], ErrorText]] = [
    (
        CsrfRejected,
        ErrorText(
            403,
            N_("This form has expired"),
            N_("For your security, a form works only for a while. Go back, reload the page and try again."),
        ),
    ),
    (Unauthenticated, ErrorText(401, N_("Please sign in"), N_("You need to sign in to see this page."))),
    (Forbidden, ErrorText(403, N_("You cannot open this page"), N_("This page belongs to someone else."))),
    (
        NotFound,
        ErrorText(404, N_("Page not found"), N_("The address may be mistyped, or the page no longer exists.")),
    ),
    (
        RateLimited,
        ErrorText(429, N_("Too many attempts"), N_("For your security, please wait a little while and try again.")),
    ),
    (
        InvalidInput,
        ErrorText(400, N_("Something in the request was not right"), N_("Check the details below and try again.")),
    ),
]
OTHER = ErrorText(409, N_("That did not work"), N_("Something changed while you were on this page. Please try again."))


def error_text(error: DomainError) -> ErrorText:
    return next((text for cls, text in ERRORS if isinstance(error, cls)), OTHER)


def error_page(request: PageRequest, error: DomainError) -> Response:
    text = error_text(error)
    observability.logger().info("page refused", extra={"status": text.status, "code": error.code})
    translations = translator(request.locale)
    problems = [
        p.localized(translations) if isinstance(p, FormProblem) else p.message
        for p in (error.problems if isinstance(error, InvalidInput) else [])
    ]
    context = {"title": translations.gettext(text.title), "explanation": translations.gettext(text.explanation)}
    return request.page("error.html", {**context, "problems": problems}, status=text.status)
