"""Routing rules: conditions on a new ticket and the changes that the first matching rule makes to it.

Semantics:

* Enabled rules are tried in ``(position, id)`` order; the first whose conditions all hold wins.
* A condition left ``None`` matches anything. A set condition holds when the ticket's value is in the set;
  addresses, domains and tags are compared lowercased (``rule_from_doc`` stores them lowercased).
* ``keywords`` holds when any phrase occurs in the subject or the first message body as whole words:
  case-insensitive (Unicode case folding, NFC-normalised), not glued to a letter, digit or underscore on
  either side, and any run of whitespace inside a phrase matches any run of whitespace in the text.
* ``vip`` looks at the requester or their organization (``Facts.vip``) and at a ticket already marked VIP.
* Evaluation never raises: a missing or unusable calendar (or a naive ``now``) makes a ``business_hours``
  condition false, whichever way it is set.
* Actions only add: tags and skills are merged into the ticket's, and ``vip`` can set the flag, never clear it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, TypeVar

from chalicelib.calendars.calendar import BusinessCalendar, is_open
from chalicelib.core.errors import FieldError
from chalicelib.domain.people import email_domain
from chalicelib.domain.tickets import Channel, Priority, Ticket, TicketType

_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class RuleConditions:
    """Every given condition must hold; ``None`` means any value (see the module docstring)."""

    channels: frozenset[Channel] | None = None
    recipients: frozenset[str] | None = None  # any of the ticket's inbound recipient addresses
    requester_emails: frozenset[str] | None = None
    requester_domains: frozenset[str] | None = None
    organization_ids: frozenset[str] | None = None
    vip: bool | None = None
    tags_any: frozenset[str] | None = None
    priorities: frozenset[Priority] | None = None
    keywords: tuple[str, ...] | None = None
    business_hours: bool | None = None  # True: only while the calendar is open; False: only while closed
    calendar_id: str | None = None


@dataclass(frozen=True)
class RuleActions:
    """What a matching rule does; at least one action must be set (``vip=False`` does nothing)."""

    team_id: str | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    add_tags: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()  # required skills, added to the ticket's
    vip: bool | None = None  # True marks the ticket VIP


@dataclass(frozen=True)
class RoutingRule:
    id: str
    name: str
    position: int
    conditions: RuleConditions
    actions: RuleActions
    enabled: bool = True


@dataclass(frozen=True)
class Facts:
    """What a rule can look at when a ticket arrives."""

    ticket: Ticket
    body_text: str  # the first message's text
    recipients: tuple[str, ...]  # the addresses the mail was sent to
    requester_email: str | None
    vip: bool  # the requester or their organization is VIP
    now: datetime
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)


def first_match(rules: Sequence[RoutingRule], facts: Facts) -> RoutingRule | None:
    """The first enabled rule, by ``(position, id)``, whose conditions all hold."""
    ordered = sorted((r for r in rules if r.enabled), key=lambda r: (r.position, r.id))
    return next((r for r in ordered if _holds(r.conditions, facts)), None)


def _holds(c: RuleConditions, facts: Facts) -> bool:
    ticket = facts.ticket
    email = (facts.requester_email or "").strip().lower()
    if c.channels is not None and ticket.channel not in c.channels:
        return False
    if c.recipients is not None and not c.recipients & _lowered(facts.recipients):
        return False
    if c.requester_emails is not None and email not in c.requester_emails:
        return False
    if c.requester_domains is not None and ("@" not in email or email_domain(email) not in c.requester_domains):
        return False
    if c.organization_ids is not None and ticket.organization_id not in c.organization_ids:
        return False
    if c.vip is not None and c.vip is not (facts.vip or ticket.vip):
        return False
    if c.tags_any is not None and not c.tags_any & _lowered(ticket.tags):
        return False
    if c.priorities is not None and ticket.priority not in c.priorities:
        return False
    if c.keywords is not None and not _mentions(c.keywords, f"{ticket.subject}\n{facts.body_text}"):
        return False
    return c.business_hours is None or _business_hours_hold(c.business_hours, c.calendar_id, facts)


def _lowered(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values)


def _business_hours_hold(wanted: bool, calendar_id: str | None, facts: Facts) -> bool:
    calendar = facts.calendars.get(calendar_id) if calendar_id is not None else None
    if calendar is None:
        return False
    try:
        return is_open(calendar, facts.now) is wanted
    except ValueError:  # an invalid calendar or a naive ``now``: the condition cannot hold
        return False


def _mentions(keywords: tuple[str, ...], text: str) -> bool:
    pattern = _keyword_pattern(keywords)
    return pattern is not None and pattern.search(_folded(text)) is not None


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@lru_cache(maxsize=512)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    phrases = [r"\s+".join(re.escape(word) for word in _folded(k).split()) for k in keywords if k.strip()]
    if not phrases:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(phrases)})(?!\w)")


def changes_for(rule: RoutingRule, ticket: Ticket) -> dict[str, Any]:
    """Keyword arguments for ``Ticket.change`` that apply the rule's actions: only fields that would change."""
    actions = rule.actions
    wanted: dict[str, Any] = {}
    if actions.team_id is not None and actions.team_id != ticket.team_id:
        wanted["team_id"] = actions.team_id
    if actions.priority is not None and actions.priority != ticket.priority:
        wanted["priority"] = actions.priority
    if actions.type is not None and actions.type != ticket.type:
        wanted["type"] = actions.type
    for name, added in (("tags", actions.add_tags), ("skills", actions.skills)):
        current = _normalised(getattr(ticket, name))
        merged = _normalised((*current, *added))
        if merged != current:
            wanted[name] = merged
    if actions.vip and not ticket.vip:
        wanted["vip"] = True
    return wanted


def _normalised(values: Iterable[str]) -> tuple[str, ...]:
    """Tags and skills as ``Ticket.change`` stores them: stripped, lowercased, unique, sorted."""
    return tuple(sorted({v.strip().lower() for v in values if v.strip()}))


def validate_rule(rule: RoutingRule, calendar_ids: Collection[str]) -> None:
    """Raise FieldError (naming the field path) when the rule cannot be saved."""
    if not rule.id.strip():
        raise FieldError("id", "must not be empty")
    if not rule.name.strip():
        raise FieldError("name", "must not be empty")
    _validate_conditions(rule.conditions, calendar_ids)
    _validate_actions(rule.actions)


def _validate_conditions(c: RuleConditions, calendar_ids: Collection[str]) -> None:
    for name in ("channels", *_LOWERED_SETS, "organization_ids", "priorities", "keywords"):
        value = getattr(c, name)
        if value is not None and not value:
            raise FieldError(f"conditions.{name}", "must not be empty (leave it out to match any)")
    if c.keywords is not None and not all(k.strip() for k in c.keywords):
        raise FieldError("conditions.keywords", "a keyword must not be empty")
    if c.business_hours is not None and c.calendar_id is None:
        raise FieldError("conditions.calendar_id", "required when business_hours is set")
    if c.calendar_id is not None and c.calendar_id not in calendar_ids:
        raise FieldError("conditions.calendar_id", f"unknown calendar {c.calendar_id!r}")


def _validate_actions(a: RuleActions) -> None:
    if a.team_id is None and a.priority is None and a.type is None and not (a.add_tags or a.skills or a.vip):
        raise FieldError("actions", "at least one action is required")
    if a.team_id is not None and not a.team_id.strip():
        raise FieldError("actions.team_id", "must not be empty")
    for name in ("add_tags", "skills"):
        if not all(v.strip() for v in getattr(a, name)):
            raise FieldError(f"actions.{name}", "a value must not be empty")


# --- documents: JSON-shaped dicts for the API and storage ------------------------------------------------------

_RULE_FIELDS = frozenset({"id", "name", "position", "enabled", "conditions", "actions"})
_LOWERED_SETS = ("recipients", "requester_emails", "requester_domains", "tags_any")
_CONDITION_FIELDS = frozenset(
    {*_LOWERED_SETS, "channels", "organization_ids", "vip", "priorities", "keywords", "business_hours", "calendar_id"}
)
_ACTION_FIELDS = frozenset({"team_id", "priority", "type", "add_tags", "skills", "vip"})


def rule_from_doc(doc: Mapping[str, Any]) -> RoutingRule:
    """A rule from its document; FieldError (naming the field path) for a bad shape or an unknown key.

    Unknown keys are errors at every level, so a misspelt condition cannot silently match everything.
    Addresses, domains (a leading ``@`` dropped) and tags are stored stripped and lowercased.
    """
    _check_fields(_mapping(doc, "rule"), _RULE_FIELDS, "")
    position = doc.get("position")
    if isinstance(position, bool) or not isinstance(position, int):
        raise FieldError("position", f"expected a whole number, got {position!r}")
    enabled = _bool(doc.get("enabled", True), "enabled")
    return RoutingRule(
        id=_required_str(doc.get("id"), "id"),
        name=_required_str(doc.get("name"), "name"),
        position=position,
        conditions=_conditions_from_doc(_or_empty(doc.get("conditions"))),
        actions=_actions_from_doc(_or_empty(doc.get("actions"))),
        enabled=True if enabled is None else enabled,
    )


def _conditions_from_doc(doc: Any) -> RuleConditions:
    _check_fields(_mapping(doc, "conditions"), _CONDITION_FIELDS, "conditions.")
    lowered = {n: _str_set(doc.get(n), f"conditions.{n}") for n in _LOWERED_SETS}
    domains = lowered["requester_domains"]
    keywords = _strs(doc.get("keywords"), "conditions.keywords")
    return RuleConditions(
        channels=_enum_set(doc.get("channels"), Channel, "conditions.channels", "channel"),
        recipients=lowered["recipients"],
        requester_emails=lowered["requester_emails"],
        requester_domains=None if domains is None else frozenset(d.removeprefix("@") for d in domains) - {""},
        organization_ids=_str_set(doc.get("organization_ids"), "conditions.organization_ids", lower=False),
        vip=_bool(doc.get("vip"), "conditions.vip"),
        tags_any=lowered["tags_any"],
        priorities=_enum_set(doc.get("priorities"), Priority, "conditions.priorities", "priority"),
        keywords=None if keywords is None else tuple(k.strip() for k in keywords),
        business_hours=_bool(doc.get("business_hours"), "conditions.business_hours"),
        calendar_id=_optional_str(doc.get("calendar_id"), "conditions.calendar_id"),
    )


def _actions_from_doc(doc: Any) -> RuleActions:
    _check_fields(_mapping(doc, "actions"), _ACTION_FIELDS, "actions.")
    return RuleActions(
        team_id=_optional_str(doc.get("team_id"), "actions.team_id"),
        priority=_enum(doc.get("priority"), Priority, "actions.priority", "priority"),
        type=_enum(doc.get("type"), TicketType, "actions.type", "type"),
        add_tags=_normalised(_strs(doc.get("add_tags"), "actions.add_tags") or ()),
        skills=_normalised(_strs(doc.get("skills"), "actions.skills") or ()),
        vip=_bool(doc.get("vip"), "actions.vip"),
    )


def rule_to_doc(rule: RoutingRule) -> dict[str, Any]:
    """The rule's JSON-serialisable document: sets as sorted lists, fields at their default left out."""
    return {
        "id": rule.id,
        "name": rule.name,
        "position": rule.position,
        "enabled": rule.enabled,
        "conditions": _plain(rule.conditions),
        "actions": _plain(rule.actions),
    }


def _plain(part: RuleConditions | RuleActions) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for spec in fields(part):
        value = getattr(part, spec.name)
        if value == spec.default:
            continue
        if isinstance(value, frozenset):
            value = sorted(str(v) for v in value)  # str() of a StrEnum member is its value
        doc[spec.name] = list(value) if isinstance(value, tuple) else value
    return doc


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FieldError(path, f"expected an object, got {type(value).__name__}")
    return value


def _or_empty(value: Any) -> Any:
    return {} if value is None else value


def _check_fields(doc: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
    unknown = sorted(str(k) for k in doc if k not in allowed)
    if unknown:
        raise FieldError(f"{prefix}{unknown[0]}", "unknown field")


def _optional_str(value: Any, path: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise FieldError(path, f"expected a string, got {value!r}")
    return value


def _required_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise FieldError(path, "required" if value is None else f"expected a string, got {value!r}")
    return value


def _bool(value: Any, path: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise FieldError(path, f"expected true or false, got {value!r}")
    return value


def _strs(value: Any, path: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise FieldError(path, f"expected a list of strings, got {value!r}")
    return tuple(value)


def _str_set(value: Any, path: str, lower: bool = True) -> frozenset[str] | None:
    """Stripped (and lowercased), blanks dropped: ``[""]`` is an empty set, which validation rejects."""
    values = _strs(value, path)
    return None if values is None else frozenset(v.strip().lower() if lower else v.strip() for v in values) - {""}


def _member(value: Any, enum: type[_E], path: str, noun: str) -> _E:
    try:
        return enum(value)
    except ValueError as exc:
        raise FieldError(path, f"unknown {noun} {value!r}") from exc


def _enum(value: Any, enum: type[_E], path: str, noun: str) -> _E | None:
    return None if value is None else _member(value, enum, path, noun)


def _enum_set(value: Any, enum: type[_E], path: str, noun: str) -> frozenset[_E] | None:
    if value is not None and not isinstance(value, list | tuple):
        raise FieldError(path, f"expected a list, got {value!r}")
    return None if value is None else frozenset(_member(v, enum, path, noun) for v in value)
