"""Macros: canned responses with placeholders, and the field changes that come with them.

A macro's body is a Jinja2 template with three placeholders: ``ticket`` (id, number, subject, status,
priority), ``requester`` (name, first_name, email) and ``agent`` (name), e.g. ``Hi {{ requester.first_name }}``.
It renders to plain text (no autoescaping: the app sanitises the text when it turns it into HTML) in a
sandbox with strict undefined values, so a typo fails loudly instead of sending a blank, and Python internals
(``{{ ticket.__class__ }}``) are out of reach. The sandbox does not bound a template's time or memory: macros
are written by agents, and the function's timeout and memory bound the damage.

jinja2 is imported at first use, not at import, to keep cold starts of the functions that never render cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from chalicelib.automations.triggers import (
    _check_items,
    _field,
    _known,
    _list,
    _plain_fields,
    _section,
    _text,
    check_set_fields,
    ticket_changes,
)
from chalicelib.core.errors import FieldError, InvalidInput
from chalicelib.domain.tickets import Channel, Ticket
from chalicelib.domain.timeline import Actor, EntryKind

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

    from chalicelib.automations.config import AutomationConfig
    from chalicelib.storage.ports import CustomerRepository
    from chalicelib.tickets.service import TicketService

PLACEHOLDERS = frozenset({"ticket", "requester", "agent"})
# Render errors of a template's own making (``{{ 1 / 0 }}``, ``{{ ticket.number + "x" }}``), besides jinja2's.
_TEMPLATE_FAULTS: tuple[type[Exception], ...] = (ArithmeticError, LookupError, TypeError, ValueError)


@dataclass(frozen=True)
class Macro:
    """``public``: sent to the customer as a reply; otherwise added as an internal note."""

    id: str
    name: str
    body: str
    public: bool = True
    set_fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    add_tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "set_fields", MappingProxyType(dict(self.set_fields)))


@cache
def _environment() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


@lru_cache(maxsize=256)
def _template(body: str) -> Template:
    return _environment().from_string(body)


def render(macro: Macro, context: Mapping[str, Any]) -> str:
    """The macro's text for ``context`` (see :func:`macro_context`); ValueError when it cannot be rendered."""
    try:
        return _render(macro.body, context)
    except ValueError as exc:
        raise ValueError(f"macro {macro.id!r}: {exc}") from exc


def _render(body: str, context: Mapping[str, Any]) -> str:
    from jinja2 import TemplateError, TemplateSyntaxError

    try:
        return _template(body).render(dict(context))
    except TemplateSyntaxError as exc:
        raise ValueError(f"line {exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:
        raise ValueError(f"cannot be rendered: {exc.message or exc}") from exc
    except _TEMPLATE_FAULTS as exc:
        raise ValueError(f"cannot be rendered: {exc}") from exc


def macro_context(
    ticket: Ticket, requester_name: str, requester_email: str | None, agent_name: str | None
) -> dict[str, Any]:
    """What the placeholders can read. A missing email or agent name renders as an empty string, not "None"."""
    name = requester_name.strip()
    return {
        "ticket": {
            "id": ticket.id,
            "number": ticket.number,
            "subject": ticket.subject,
            "status": str(ticket.status),
            "priority": str(ticket.priority),
        },
        "requester": {"name": name, "first_name": name.split()[0] if name else "", "email": requester_email or ""},
        "agent": {"name": agent_name or ""},
    }


def field_changes(macro: Macro, ticket: Ticket) -> dict[str, Any]:
    """Keyword arguments for :meth:`Ticket.change` when the macro is applied: only what differs."""
    return ticket_changes(ticket, macro.set_fields, macro.add_tags)


_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_SAMPLE = Ticket("sample", 1, "Sample subject", "customer", Channel.EMAIL, _EPOCH, _EPOCH)


def validate_macro(macro: Macro) -> None:
    """Raise ``ValueError("<field>: <problem>")``: empty body, syntax error (with its line), unknown placeholder.

    The body is also rendered once against sample values, which catches unknown attributes such as
    ``{{ ticket.numbr }}`` and blocked ones such as ``{{ ticket.__class__ }}`` in the branches it reaches.
    """
    from jinja2 import TemplateSyntaxError, meta

    if not macro.id.strip():
        raise FieldError("id", "must not be empty")
    if not macro.name.strip():
        raise FieldError("name", "must not be empty")
    if not macro.body.strip():
        raise FieldError("body", "must not be empty")
    try:
        tree = _environment().parse(macro.body)
    except TemplateSyntaxError as exc:
        raise FieldError("body", f"line {exc.lineno}: {exc.message}") from exc
    unknown = sorted(meta.find_undeclared_variables(tree) - PLACEHOLDERS)
    if unknown:
        raise FieldError("body", f"unknown placeholder {', '.join(unknown)}; use ticket, requester or agent")
    try:
        _render(macro.body, macro_context(_SAMPLE, "Sam Sample", "sam@example.com", "Alex Agent"))
    except ValueError as exc:
        raise FieldError("body", f"{exc}") from exc
    check_set_fields(macro.set_fields, "set_fields")
    _check_items(macro.add_tags, "add_tags", _text)


def macro_to_doc(macro: Macro) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": macro.id, "name": macro.name, "body": macro.body, "public": macro.public}
    if macro.set_fields:
        doc["set_fields"] = _plain_fields(macro.set_fields)
    if macro.add_tags:
        doc["add_tags"] = list(macro.add_tags)
    return doc


def macro_from_doc(doc: Mapping[str, Any]) -> Macro:
    """Parse and validate a stored or submitted macro; FieldError naming the field if invalid."""
    _known(doc, ("id", "name", "body", "public", "set_fields", "add_tags"), "")
    macro = Macro(
        id=_field(doc, "id", str),
        name=_field(doc, "name", str),
        body=_field(doc, "body", str),
        public=_field(doc, "public", bool, True),
        set_fields=_section(doc, "set_fields", None),
        add_tags=tuple(_list(doc, "add_tags", "")),
    )
    validate_macro(macro)
    return macro


class MacroApplier:
    """An agent applies a macro to a ticket: its text as a reply (or note) and its field changes, one write."""

    def __init__(self, writer: TicketService, customers: CustomerRepository, config: AutomationConfig) -> None:
        self.writer = writer
        self.customers = customers
        self.config = config

    def apply(self, actor: Actor, ticket_id: str, based_on: int, macro_id: str, agent_name: str) -> Ticket:
        from chalicelib.tickets.service import Draft

        macro = self.config.macro(macro_id)

        def draft(ticket: Ticket) -> Draft:
            requester = self.customers.get_customer(ticket.requester_id)
            try:
                text = render(macro, macro_context(ticket, requester.name, requester.email, agent_name))
            except ValueError as exc:
                raise InvalidInput(str(exc), "macro_id") from None
            kind = EntryKind.MESSAGE if macro.public else EntryKind.NOTE
            return Draft(kind, text, field_changes(macro, ticket), {"macro_id": macro.id})

        return self.writer.post_drafted(actor, ticket_id, based_on, draft)
