"""Macros: placeholders, plain-text output, the sandbox, validation messages and documents."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.automations.macros import (
    Macro,
    field_changes,
    macro_context,
    macro_from_doc,
    macro_to_doc,
    render,
    validate_macro,
)
from chalicelib.domain.tickets import Channel, Priority, Status, Ticket

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TICKET = Ticket(
    "T1", 42, "Printer <on fire> & smoking", "C1", Channel.EMAIL, T0, T0, status=Status.PENDING, priority=Priority.HIGH
)
CONTEXT = macro_context(TICKET, "Jane Q. Doe", "jane@example.com", "Alex Agent")


def macro(body: str, **fields: Any) -> Macro:
    return Macro("M1", "Greeting", body, **fields)


def test_placeholders_render_with_and_without_spaces_and_keep_the_trailing_newline() -> None:
    body = (
        "Hi {{ requester.first_name }} ({{requester.name}}, {{ requester.email }}),\n"
        "ticket #{{ticket.number}} ({{ ticket.id }}) is {{ ticket.status }} at {{ ticket.priority }}.\n"
        "-- {{ agent.name }}\n"
    )
    assert render(macro(body), CONTEXT) == (
        "Hi Jane (Jane Q. Doe, jane@example.com),\nticket #42 (T1) is pending at high.\n-- Alex Agent\n"
    )


def test_output_is_plain_text_without_html_escaping() -> None:
    assert render(macro("Re: {{ ticket.subject }}"), CONTEXT) == "Re: Printer <on fire> & smoking"


def test_missing_email_and_agent_render_empty_not_none() -> None:
    context = macro_context(TICKET, "  Cher ", None, None)
    assert context["requester"] == {"name": "Cher", "first_name": "Cher", "email": ""}
    assert render(macro("[{{ requester.email }}][{{ agent.name }}]"), context) == "[][]"
    assert macro_context(TICKET, "", None, None)["requester"]["first_name"] == ""


def test_an_unknown_placeholder_is_refused_naming_it() -> None:
    with pytest.raises(ValueError) as refused:
        validate_macro(macro("Dear {{ customer.name }}, {{ ticket.number }} {{ order }}"))
    assert str(refused.value) == "body: unknown placeholder customer, order; use ticket, requester or agent"


def test_a_syntax_error_is_refused_with_its_line() -> None:
    with pytest.raises(ValueError) as refused:
        validate_macro(macro("Hi {{ requester.name }},\nyour ticket {{ ticket.number }\n"))
    assert str(refused.value) == "body: line 2: unexpected '}'"


def test_render_reports_a_syntax_error_with_the_macro_and_line() -> None:
    with pytest.raises(ValueError, match=r"^macro 'M1': line 1: "):
        render(macro("{% if %}"), CONTEXT)


@pytest.mark.parametrize("body", ["{{ ticket.__class__ }}", "{{ ticket.__class__.__mro__[1].__subclasses__() }}"])
def test_the_sandbox_blocks_python_internals(body: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        render(macro(body), CONTEXT)
    with pytest.raises(ValueError, match=r"^body: cannot be rendered: .*unsafe"):
        validate_macro(macro(body))


def test_an_unknown_attribute_is_an_error_not_a_blank() -> None:
    with pytest.raises(ValueError) as refused:
        render(macro("#{{ ticket.numbr }}"), CONTEXT)
    assert str(refused.value) == "macro 'M1': cannot be rendered: 'dict object' has no attribute 'numbr'"
    with pytest.raises(ValueError, match="has no attribute 'numbr'"):
        validate_macro(macro("#{{ ticket.numbr }}"))


def test_a_fault_of_the_template_itself_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^macro 'M1': cannot be rendered: division by zero$"):
        render(macro("{{ ticket.number / 0 }}"), CONTEXT)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": " \n"}, "body: must not be empty"),
        ({"name": ""}, "name: must not be empty"),
        ({"set_fields": {"subject": "x"}}, "set_fields.subject: not a field automations can set"),
        ({"set_fields": {"priority": "asap"}}, "set_fields.priority: invalid value 'asap'"),
        ({"add_tags": ("ok", " ")}, "add_tags: invalid value ' '"),
    ],
)
def test_validation_names_the_field_and_the_problem(fields: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"id": "M1", "name": "Greeting", "body": "Hi"} | fields
    with pytest.raises(ValueError) as refused:
        validate_macro(Macro(**values))
    assert str(refused.value).startswith(message)


def test_a_macro_survives_a_round_trip_through_its_json_document() -> None:
    original = Macro(
        "M1",
        "Close politely",
        "Thanks {{ requester.first_name }}!\n",
        public=False,
        set_fields={"status": Status.SOLVED, "type": None},
        add_tags=("closed-by-macro",),
    )
    doc = json.loads(json.dumps(macro_to_doc(original)))
    assert doc["set_fields"] == {"status": "solved", "type": None}
    assert macro_from_doc(doc) == original
    assert macro_from_doc({"id": "M2", "name": "n", "body": "b"}) == Macro("M2", "n", "b")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"id": "M1", "name": "n", "body": "b", "colour": "red"}, "colour: unknown field"),
        ({"id": "M1", "name": "n", "body": 3}, "body: must be a string"),
        ({"id": "M1", "name": "n", "body": "b", "public": "yes"}, "public: must be true or false"),
        ({"id": "M1", "name": "n", "body": "b", "add_tags": "x"}, "add_tags: must be a list"),
        ({"id": "M1", "name": "n", "body": "{{ who }}"}, "body: unknown placeholder who"),
    ],
)
def test_an_invalid_document_is_refused(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as refused:
        macro_from_doc(doc)
    assert str(refused.value).startswith(message)


def test_applying_a_macro_changes_only_what_differs() -> None:
    applied = macro("Done", set_fields={"status": "solved", "priority": "high"}, add_tags=("Macro",))
    assert field_changes(applied, TICKET) == {"status": "solved", "tags": ("macro",)}


def test_importing_macros_does_not_import_jinja2() -> None:
    probe = "import sys, chalicelib.automations.macros; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
