"""The survey page: ``/portal/survey/{token}``, the target of the rating links in the survey mail.

GET records nothing (mail scanners open every link, some in a headless browser): it shows the form with the
rating of the link (``?rating=N``) chosen. POST (a CSRF-checked form: ``rating``, ``comment``, ``reason`` when
the rating is low) records the answer and redirects to the page, which then thanks and lets the customer
change it until the survey closes (410). An unknown, malformed or foreign token is a 404. Requests carrying an
agent's credentials are refused (403): surveys are answered by customers only. Works without JavaScript.
Importing this module imports neither Jinja2 nor Babel (the app imports it on every cold start).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.core.providers import Provider
from chalicelib.web import i18n
from chalicelib.web.cookies import get_cookie
from chalicelib.web.views import LANG_COOKIE, PageRequest, page_route

if TYPE_CHECKING:
    from chalicelib.core.errors import InvalidInput
    from chalicelib.domain.surveys import Survey
    from chalicelib.surveys.answers import SurveyAnswers
    from chalicelib.web.forms import Form

PATH = "/portal/survey/{token}"


@dataclass(frozen=True)
class Needs:
    answers: SurveyAnswers
    signing_key: bytes


deps: Provider[Needs] = Provider("surveys.pages")
bp = Blueprint(__name__)


@page_route(bp, PATH, name="survey")
def show(request: PageRequest, token: str) -> Response:
    if _agent_credentials(request):
        return _notice(request, "agent", None, 403)
    opened = deps().answers.open(token)
    request = _in_customer_language(request, opened.survey)
    if opened.closed is not None:
        return _notice(request, "closed", opened.survey, 410)
    chosen = _rating(request.query("rating")) or opened.survey.rating
    return _form(request, token, opened.survey, chosen, saved=request.query("saved") == "1")


@page_route(bp, PATH, "POST", name="survey_answer", form=True)
def answer(request: PageRequest, token: str) -> Response:
    from chalicelib.surveys.answers import SurveyClosed
    from chalicelib.web.csrf import PRESESSION_COOKIE, check_csrf
    from chalicelib.web.forms import FormError

    if _agent_credentials(request):
        return _notice(request, "agent", None, 403)
    needs = deps()
    form = request.form()
    check_csrf(form, get_cookie(request.cookies, PRESESSION_COOKIE), needs.signing_key)
    opened = needs.answers.open(token)
    request = _in_customer_language(request, opened.survey)
    try:
        rating, comment, reasons = _answer(form)
        needs.answers.answer(token, rating, comment, reasons)
    except FormError as error:
        return _form(request, token, opened.survey, _rating(form.get("rating")), form=form, error=error)
    except SurveyClosed as closed:
        return _notice(request, "closed", closed.survey, 410)
    return request.redirect(f"/portal/survey/{token}?saved=1")


def _agent_credentials(request: PageRequest) -> bool:
    """The request carries an agent's credentials: a bearer token (JWT or personal API token). The agents' web
    session cookie joins this test when agent pages arrive."""
    return bool(request.request.headers.get("authorization"))


def _in_customer_language(request: PageRequest, survey: Survey) -> PageRequest:
    """The customer's own choice on this site (the switcher's cookie) first, then the language of their profile
    when the survey was sent, then the browser's."""
    if get_cookie(request.cookies, LANG_COOKIE) or not i18n.supported(survey.locale):
        return request
    return replace(request, locale=i18n.negotiate(explicit=survey.locale))


def _rating(value: str | None) -> int | None:
    from chalicelib.domain.surveys import RATINGS

    return int(value) if value and value.isascii() and value.isdigit() and int(value) in RATINGS else None


def _answer(form: Form) -> tuple[int, str | None, tuple[str, ...]]:
    """The rating, comment and reasons of a post; ``FormError`` naming every field at fault."""
    from chalicelib.core.errors import FieldProblem
    from chalicelib.domain.surveys import MAX_COMMENT_CHARS, RATINGS, Reason
    from chalicelib.web.forms import NOT_ONE_OF, FormError, problem

    problems: list[FieldProblem] = []
    rating = _rating(form.get("rating"))
    if rating is None:
        problems.append(problem("rating", NOT_ONE_OF))
    comment = None
    try:
        comment = form.text("comment", required=False, max_length=MAX_COMMENT_CHARS) or None
    except FormError as error:
        problems.extend(error.problems)
    reasons = tuple(form.getlist("reason"))
    if any(r not in set(Reason) for r in reasons):
        problems.append(problem("reason", NOT_ONE_OF))
    if problems:
        raise FormError(problems)
    assert rating in RATINGS
    return rating, comment, reasons


def _form(
    request: PageRequest,
    token: str,
    survey: Survey,
    chosen: int | None,
    *,
    saved: bool = False,
    form: Form | None = None,
    error: InvalidInput | None = None,
) -> Response:
    from chalicelib.core.errors import InvalidInput
    from chalicelib.domain.surveys import RATINGS, Reason, is_negative
    from chalicelib.web.csrf import issue_token, presession
    from chalicelib.web.forms import FormProblem
    from chalicelib.web.i18n import translator

    binding, cookie = presession(request.cookies)
    translations = translator(request.locale)
    problems = error.problems if isinstance(error, InvalidInput) else []
    errors = {p.field: p.localized(translations) if isinstance(p, FormProblem) else p.message for p in problems}
    reasons = tuple(form.getlist("reason")) if form is not None else survey.reasons
    context = {
        "token": token,
        "survey": survey,
        "ratings": RATINGS,
        "chosen": chosen,
        "reason_codes": [str(r) for r in Reason],
        "reasons": reasons,
        "reasons_open": is_negative(chosen) or bool(reasons) or "reason" in errors,
        "comment": form.get("comment", "") if form is not None else (survey.comment or ""),
        "errors": errors,
        "saved": saved and survey.answered,
        "csrf_token": issue_token(deps().signing_key, binding),
    }
    return request.page("survey.html", context, status=400 if errors else 200, cookies=[cookie] if cookie else None)


def _notice(request: PageRequest, kind: str, survey: Survey | None, status: int) -> Response:
    return request.page("survey_notice.html", {"kind": kind, "survey": survey}, status=status)
