"""Every command, route and make target the README and docs/*.md name exists.

Commands (``lambdesk mail replay --reason``) are checked against the argparse parser, routes
(``POST /v1/agents``, or a bare ``/v1/...`` path) against the OpenAPI document the app serves (which leaves
out the catch-all for unknown paths), ``make`` targets against the Makefile. Names are read from inline code
and fenced code blocks. The decision records are history and are not checked.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"`([^`\n]+(?:\n[^`\n]+)?)`")
_ROUTE = re.compile(rf"(?:\b({'|'.join(METHODS)})\s+)?(/(?:v1/|health\b|openapi\.json)[^\s`'\"|,)\]]*)")
# ``lambdesk`` as a command word (not ``lambdesk-prod-...`` or ``/lambdesk/prod/``) and its words up to the line's end.
_COMMAND = re.compile(r"(?:^|[\s/(`$])lambdesk(?![-\w./])((?:[ \t]+[^\s|;&#)`]+)*)", re.MULTILINE)
_MAKE = re.compile(r"(?:^|[\s(`])make\s+([a-z][\w-]*)")


def code_of(path: Path) -> list[str]:
    """The code in a Markdown file: fenced blocks, then inline spans (one may wrap onto a second line)."""
    text = path.read_text()
    fenced = [m.group(1) for m in _FENCED.finditer(text)]
    prose = _FENCED.sub("", text)
    return fenced + [m.group(1).replace("\n", " ") for m in _INLINE.finditer(prose)]


def named(pattern: re.Pattern[str]) -> Iterator[tuple[str, re.Match[str]]]:
    for path in DOCS:
        for code in code_of(path):
            for match in pattern.finditer(code):
                yield path.relative_to(ROOT).as_posix(), match


# -- routes ----------------------------------------------------------------------------------------


def route_matches(documented: str, named_path: str) -> bool:
    """``/v1/tickets/{id}`` matches ``/v1/tickets/{ticket_id}`` and ``/v1/tickets/01ARZ``, not ``/v1/tickets/x/y``."""
    want = named_path.split("?", 1)[0].rstrip("/").split("/")
    have = documented.split("/")
    return len(want) == len(have) and all(
        h == w or (h.startswith("{") and h.endswith("}")) for h, w in zip(have, want, strict=True)
    )


def unknown_routes(document: dict[str, Any], found: Iterator[tuple[str, re.Match[str]]]) -> list[str]:
    operations = [(m.upper(), p) for p, ops in document["paths"].items() for m in ops]
    unknown = []
    for where, match in found:
        method, path = match.group(1), match.group(2)
        if not any(route_matches(p, path) and method in (None, m) for m, p in operations):
            unknown.append(f"{where}: {method or '(any method)'} {path}")
    return unknown


def test_every_route_the_docs_name_is_served(openapi_document: dict[str, Any]) -> None:
    found = list(named(_ROUTE))
    assert len(found) > 30, "the route pattern finds too little: it is broken"
    assert unknown_routes(openapi_document, iter(found)) == []


def test_the_route_check_catches_an_unknown_path_and_a_wrong_method(openapi_document: dict[str, Any]) -> None:
    probes = ["POST /v1/admin/agents", "GET /v1/agents", "DELETE /v1/me", "/v1/tickets/{id}/replies", "/v1/nope"]
    found = [("probe", match) for text in probes for match in _ROUTE.finditer(text)]
    assert unknown_routes(openapi_document, iter(found)) == [
        "probe: POST /v1/admin/agents",
        "probe: DELETE /v1/me",
        "probe: (any method) /v1/nope",
    ]


# -- lambdesk commands -----------------------------------------------------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_problem(words: list[str]) -> str | None:
    """Why ``lambdesk <words>`` is not a command line the parser knows (None when it is)."""
    from devtools import cli

    parser: argparse.ArgumentParser = cli.parser(cli.COMMANDS)
    chain = ["lambdesk"]
    for word in words:
        subcommands = _subcommands(parser)
        if subcommands:
            if word not in subcommands:
                return f"{' '.join(chain)} has no command '{word}'"
            parser = subcommands[word]
            chain.append(word)
            continue
        flag = word.strip("[]").split("=", 1)[0]
        if flag.startswith("--") and flag not in parser._option_string_actions:
            return f"{' '.join(chain)} has no option '{flag}'"
    if _subcommands(parser) and words:
        return f"{' '.join(chain)} needs a command"
    return None


def test_every_lambdesk_command_and_option_the_docs_name_exists() -> None:
    found = [(where, match.group(1).split()) for where, match in named(_COMMAND)]
    assert len(found) > 15, "the command pattern finds too little: it is broken"
    problems = [(where, " ".join(words), command_problem(words)) for where, words in found]
    assert [f"{where}: lambdesk {line}: {why}" for where, line, why in problems if why] == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("sweep --at +2h", None),
        ("mail replay [--reason R]", None),
        ("replay <purpose>", None),
        ("purge inbound", "lambdesk has no command 'purge'"),
        ("mail forward x.eml", "lambdesk mail has no command 'forward'"),
        ("sweep --when +2h", "lambdesk sweep has no option '--when'"),
    ],
)
def test_the_command_check_catches_unknown_commands_and_options(line: str, problem: str | None) -> None:
    assert command_problem(line.split()) == problem


# -- make targets ----------------------------------------------------------------------------------


def test_every_make_target_the_docs_name_exists() -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    found = [(where, match.group(1)) for where, match in named(_MAKE)]
    assert len(found) > 5
    assert [f"{where}: make {target}" for where, target in found if target not in targets] == []


# -- settings --------------------------------------------------------------------------------------

# Read outside the settings model, by developer tooling and tests (each where the value says).
OTHER_VARIABLES = {"LAMBDESK_CORPORA": "tests/conformance/corpora.py", "LAMBDESK_LOCAL_STATE": "devtools/localenv.py"}


def settings_variables() -> set[str]:
    from chalicelib.core.settings_model import Settings

    return {field.variable for field in Settings.FIELDS.values() if not field.alias}


def test_every_lambdesk_variable_the_docs_name_is_read() -> None:
    named_variables = {m.group(0) for path in DOCS for m in re.finditer(r"LAMBDESK_[A-Z][A-Z_]*", path.read_text())}
    assert len(named_variables) > 15
    assert all(name in (ROOT / where).read_text() for name, where in OTHER_VARIABLES.items())
    assert named_variables - settings_variables() - set(OTHER_VARIABLES) == set()


def test_the_readme_configuration_table_lists_every_setting() -> None:
    table = (ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert settings_variables() - set(re.findall(r"`(LAMBDESK_[A-Z_]+)`", table)) == set()
