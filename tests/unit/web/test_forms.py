"""Form posts: parsed from the raw url-encoded body with limits; every refusal names the field."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from chalicelib.web.forms import FORM_CONTENT_TYPE, MAX_BODY_BYTES, Form, FormError, FormProblem, parse_form
from chalicelib.web.i18n import translator


def fields_of(error: pytest.ExceptionInfo[FormError]) -> list[str]:
    return [p.field for p in error.value.problems]


def test_a_form_body_is_parsed_in_order_with_utf8_and_repeated_names() -> None:
    body = urlencode([("subject", "Принтер горит"), ("tag", "a"), ("tag", "b"), ("empty", "")]).encode()
    form = parse_form(body, FORM_CONTENT_TYPE + "; charset=UTF-8")
    assert form.get("subject") == "Принтер горит"
    assert form.getlist("tag") == ["a", "b"]
    assert form.get("empty") == ""
    assert form.get("missing") is None


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"a": 1}', "application/json", "not application/json"),
        (b"a=1", None, "no content type"),
        (b"a=" + b"x" * MAX_BODY_BYTES, FORM_CONTENT_TYPE, "larger than"),
        ("&".join(f"f{i}=1" for i in range(101)).encode(), FORM_CONTENT_TYPE, "more than 100 fields"),
        (b"subject=%FF%FE", FORM_CONTENT_TYPE, "not valid url-encoded UTF-8"),
        ("subject=é".encode(), FORM_CONTENT_TYPE, "not valid url-encoded UTF-8"),  # raw non-ASCII byte
    ],
)
def test_a_body_that_is_not_an_acceptable_form_is_refused_naming_the_body(
    body: bytes, content_type: str | None, message: str
) -> None:
    with pytest.raises(FormError, match=message) as refused:
        parse_form(body, content_type)
    assert fields_of(refused) == ["body"]


def test_a_required_field_that_is_missing_or_blank_is_refused_by_name() -> None:
    form = Form((("subject", "   "),))
    with pytest.raises(FormError, match="subject: Enter a value") as refused:
        form.text("subject")
    assert fields_of(refused) == ["subject"]
    assert form.text("subject", required=False) == ""


def test_too_long_and_control_characters_are_refused_by_name() -> None:
    with pytest.raises(FormError, match="message: Use at most 5 characters"):
        Form((("message", "abcdef"),)).text("message", max_length=5)
    with pytest.raises(FormError, match="message: Remove the control characters"):
        Form((("message", "a\x00b"),)).text("message")
    assert Form((("message", " two\r\nlines\t "),)).text("message") == "two\r\nlines"


def test_a_choice_outside_the_options_is_refused_by_name() -> None:
    with pytest.raises(FormError) as refused:
        Form((("status", "closed!"),)).choice("status", ("open", "solved"))
    assert fields_of(refused) == ["status"]
    assert Form((("status", "open"),)).choice("status", ("open", "solved")) == "open"


def test_a_fields_problem_is_shown_in_the_customers_language() -> None:
    with pytest.raises(FormError) as refused:
        Form((("message", "abcdef"),)).text("message", max_length=5)
    problem = refused.value.problems[0]
    assert isinstance(problem, FormProblem)
    assert problem.localized(translator("ru")) == "Используйте не больше 5 символов."
    assert problem.localized(translator("en")) == "Use at most 5 characters."
