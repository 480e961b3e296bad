"""Event triggers: when a ticket event meets a trigger's conditions, the trigger's actions change the ticket.

The consumer hands every event (the envelope of :mod:`chalicelib.events.envelope`) and the ticket as it is
now to :func:`matching`; the matching triggers run in order of ``(position, id)``. Ticket conditions read the
ticket *now*, event conditions read the event (its type, actor and ``changes``).

Why triggers cannot loop
------------------------
A trigger's action is written as the system actor ``trigger:<id>`` (:func:`trigger_actor`) with data
``{"cause": <root cause>}`` (:func:`action_data`), where the root cause is the id of the original event and is
carried unchanged down any chain (:func:`cause_of`). The claim key ``TRIGGER#<trigger>#<ticket>#<root cause>``
(:func:`claim_key`) is written, conditionally on not existing, in the same transaction as the action. So a
trigger fires at most once per ticket per original event: the events its own action produces are skipped
outright (:func:`fired_by_trigger`), the events of other triggers carry the same root cause and find its claim
taken, and a redelivered event finds the claim taken too. Any chain of N triggers ends after at most N actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from chalicelib.core.errors import FieldError
from chalicelib.domain.tickets import TRANSITIONS, UPDATABLE_FIELDS, Channel, Priority, Status, Ticket, TicketType
from chalicelib.domain.timeline import ActorKind, fired_by_trigger
from chalicelib.events.envelope import matches
from chalicelib.storage import keys

_E = TypeVar("_E")


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(value)
    return value


def _bool(value: Any) -> object:
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


# The fields a trigger or a macro may set, with the check of a value for each.
SETTABLE_FIELDS: dict[str, Callable[[Any], object]] = {
    "status": Status,
    "priority": Priority,
    "type": lambda v: None if v is None else TicketType(v),
    "team_id": lambda v: None if v is None else _text(v),
    "assignee_id": lambda v: None if v is None else _text(v),
    "vip": _bool,
}


# Rules first, then triggers. Routing writes exactly one ``ticket.routed`` for every new ticket, after its rules
# (docs/decisions/031-sla-and-automations.md): that event is the moment a trigger on ``ticket.created`` runs, so
# it sees the ticket as routing left it (its team, tags, priority); the ``ticket.created`` event itself runs no
# trigger. At that moment the actor the conditions see is the ticket's creator (``data.created_by``).
CREATED = "ticket.created"
ROUTED = "ticket.routed"


def seen_as(event_type: str) -> tuple[str, ...]:
    """The event types a trigger's ``events`` are matched against for an event of ``event_type``."""
    if event_type == CREATED:
        return ()
    if event_type == ROUTED:
        return (CREATED, ROUTED)
    return (event_type,)


@dataclass(frozen=True)
class TriggerConditions:
    """All given conditions must hold; ``None`` means any.

    ``events`` are event types or patterns (``*``, ``ticket.*``). ``changed_field`` asks that the event changed
    the field, ``changed_to`` that it changed it to that value (``None`` = to anything; to test for an
    unassignment, combine ``changed_field="assignee_id"`` with ``assigned=False``).
    """

    events: frozenset[str]
    actor_kinds: frozenset[ActorKind] | None = None
    statuses: frozenset[Status] | None = None
    priorities: frozenset[Priority] | None = None
    channels: frozenset[Channel] | None = None
    team_ids: frozenset[str] | None = None
    tags_any: frozenset[str] | None = None
    tags_none: frozenset[str] | None = None
    changed_field: str | None = None
    changed_to: Any = field(default=None, hash=False)
    assigned: bool | None = None
    vip: bool | None = None

    def hold(self, event: Mapping[str, Any], ticket: Ticket) -> bool:
        return self.may_hold(event) and self._hold_for(ticket)

    def may_hold(self, event: Mapping[str, Any]) -> bool:
        """The conditions on the event alone (its type, actor and changes): when they fail, the ticket need not
        be read."""
        kinds = seen_as(str(event.get("type", "")))
        actor = (event.get("data") or {}).get("created_by") if CREATED in kinds else event.get("actor")
        return (
            any(matches(kind, tuple(self.events)) for kind in kinds)
            and _allows(self.actor_kinds, (actor or {}).get("kind"))
            and (self.changed_field is None or self._changed(event.get("changes") or ()))
        )

    def _hold_for(self, ticket: Ticket) -> bool:
        return (
            _allows(self.statuses, ticket.status)
            and _allows(self.priorities, ticket.priority)
            and _allows(self.channels, ticket.channel)
            and _allows(self.team_ids, ticket.team_id)
            and (self.tags_any is None or not self.tags_any.isdisjoint(ticket.tags))
            and (self.tags_none is None or self.tags_none.isdisjoint(ticket.tags))
            and (self.assigned is None or (ticket.assignee_id is not None) is self.assigned)
            and (self.vip is None or ticket.vip is self.vip)
        )

    def _changed(self, changes: Iterable[Mapping[str, Any]]) -> bool:
        return any(
            c.get("field") == self.changed_field and (self.changed_to is None or c.get("new") == self.changed_to)
            for c in changes
        )


def _allows(allowed: frozenset[Any] | None, value: object) -> bool:
    return allowed is None or value in allowed


@dataclass(frozen=True)
class TriggerActions:
    """What a trigger does: set fields, add or remove tags, mail agents, send a macro as a public reply."""

    set_fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    notify_agent_ids: tuple[str, ...] = ()
    reply_macro_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "set_fields", MappingProxyType(dict(self.set_fields)))


@dataclass(frozen=True)
class Trigger:
    id: str
    name: str
    position: int
    conditions: TriggerConditions
    actions: TriggerActions
    enabled: bool = True


def cause_of(event: Mapping[str, Any]) -> str:
    """The id of the original event: ``data["cause"]`` of an event an automation wrote, else the event's id."""
    cause = (event.get("data") or {}).get("cause")
    return str(cause) if cause else str(event["id"])


def action_data(event: Mapping[str, Any]) -> dict[str, str]:
    """The data of the entries an action writes: the root cause travels down the chain unchanged."""
    return {"cause": cause_of(event)}


def claim_key(trigger_id: str, ticket_id: str, cause: str) -> str:
    """Written with the action: a trigger fires at most once per ticket per root cause."""
    return keys.trigger_fired(trigger_id, ticket_id, cause)


def candidates(triggers: Sequence[Trigger], event: Mapping[str, Any]) -> list[Trigger]:
    """The enabled triggers whose event conditions hold (never the trigger that wrote the event): only when
    there are any does the consumer read the ticket for their ticket conditions."""
    own = fired_by_trigger(event)
    return [t for t in triggers if t.enabled and t.id != own and t.conditions.may_hold(event)]


def matching(triggers: Sequence[Trigger], event: Mapping[str, Any], ticket: Ticket) -> list[Trigger]:
    """The enabled triggers whose conditions hold, by ``(position, id)``; never the trigger that wrote the event."""
    if event["ticket"]["id"] != ticket.id:
        raise ValueError(f"event {event['id']} is about ticket {event['ticket']['id']}, not {ticket.id}")
    own = fired_by_trigger(event)
    hits = [t for t in triggers if t.enabled and t.id != own and t.conditions.hold(event, ticket)]
    return sorted(hits, key=lambda t: (t.position, t.id))


def ticket_changes(
    ticket: Ticket, set_fields: Mapping[str, Any], add_tags: Iterable[str] = (), remove_tags: Iterable[str] = ()
) -> dict[str, Any]:
    """Keyword arguments for :meth:`Ticket.change`: only the values that differ from the ticket now.

    A status the ticket cannot move to from where it is (anything from closed, any status of a merged ticket)
    is left out, so an automation does not fail on a ticket that has moved on; the other changes still apply.
    """
    values = {name: value for name, value in set_fields.items() if getattr(ticket, name) != value}
    status = values.get("status")
    if status is not None and (ticket.merged_into_id or Status(status) not in TRANSITIONS[ticket.status]):
        del values["status"]
    tags = (set(ticket.tags) | _tags(add_tags)) - _tags(remove_tags)
    if tags != set(ticket.tags):
        values["tags"] = tuple(sorted(tags))
    return values


def field_changes(trigger: Trigger, ticket: Ticket) -> dict[str, Any]:
    """Keyword arguments for :meth:`Ticket.change` that the trigger's actions make (see :func:`ticket_changes`)."""
    actions = trigger.actions
    return ticket_changes(ticket, actions.set_fields, actions.add_tags, actions.remove_tags)


def _tags(values: Iterable[str]) -> set[str]:
    return {t.strip().lower() for t in values if t.strip()}


# --- validation and documents ---------------------------------------------------------------------------

_SET_CONDITIONS: dict[str, Callable[[Any], Any]] = {
    "actor_kinds": ActorKind,
    "statuses": Status,
    "priorities": Priority,
    "channels": Channel,
    "team_ids": _text,
    "tags_any": _text,
    "tags_none": _text,
}
_SCALAR_CONDITIONS = ("changed_field", "changed_to", "assigned", "vip")
_LIST_ACTIONS = ("add_tags", "remove_tags", "notify_agent_ids")


def check_set_fields(values: Mapping[str, Any], path: str) -> None:
    """ValueError unless every key is a settable field and every value valid for it."""
    for name, value in values.items():
        check = SETTABLE_FIELDS.get(name)
        if check is None:
            raise FieldError(
                f"{path}.{name}", f"not a field automations can set; allowed: {', '.join(SETTABLE_FIELDS)}"
            )
        try:
            check(value)
        except ValueError:
            raise FieldError(f"{path}.{name}", f"invalid value {value!r}") from None


def validate_trigger(trigger: Trigger) -> None:
    """Raise FieldError (naming the field path) when the trigger cannot be used."""
    if not trigger.id.strip() or "#" in trigger.id:
        raise FieldError("id", "must be a non-empty id without '#'")
    if not trigger.name.strip():
        raise FieldError("name", "must not be empty")
    if isinstance(trigger.position, bool) or not isinstance(trigger.position, int):
        raise FieldError("position", f"must be a whole number, got {trigger.position!r}")
    _validate_conditions(trigger.conditions)
    _validate_actions(trigger.actions)


def _validate_conditions(c: TriggerConditions) -> None:
    if not c.events:
        raise FieldError("conditions.events", "needs at least one event type")
    _check_items(c.events, "conditions.events", _text)
    for name, convert in _SET_CONDITIONS.items():
        values = getattr(c, name)
        if values is not None and not values:
            raise FieldError(f"conditions.{name}", "an empty list matches nothing; leave it out to match any")
        _check_items(values or (), f"conditions.{name}", convert)
    if c.changed_to is not None and c.changed_field is None:
        raise FieldError("conditions.changed_to", "needs changed_field")
    if c.changed_field is not None and c.changed_field not in UPDATABLE_FIELDS:
        raise FieldError("conditions.changed_field", f"unknown field {c.changed_field!r}")
    for name in ("assigned", "vip"):
        if getattr(c, name) not in (None, True, False):
            raise FieldError(f"conditions.{name}", "must be true, false or left out")


def _validate_actions(a: TriggerActions) -> None:
    if not (a.set_fields or a.add_tags or a.remove_tags or a.notify_agent_ids or a.reply_macro_id is not None):
        raise FieldError("actions", "needs at least one action")
    check_set_fields(a.set_fields, "actions.set_fields")
    for name in _LIST_ACTIONS:
        _check_items(getattr(a, name), f"actions.{name}", _text)
    both = _tags(a.add_tags) & _tags(a.remove_tags)
    if both:
        raise FieldError("actions.remove_tags", f"{', '.join(sorted(both))} also in add_tags")
    if a.reply_macro_id is not None:
        _check_items([a.reply_macro_id], "actions.reply_macro_id", _text)


def _check_items(values: Iterable[Any], path: str, convert: Callable[[Any], Any]) -> None:
    for value in values:
        try:
            convert(value)
        except ValueError:
            raise FieldError(path, f"invalid value {value!r}") from None


def trigger_to_doc(trigger: Trigger) -> dict[str, Any]:
    c, a = trigger.conditions, trigger.actions
    conditions: dict[str, Any] = {"events": sorted(c.events)}
    for name in _SET_CONDITIONS:
        if (values := getattr(c, name)) is not None:
            conditions[name] = sorted(str(v) for v in values)
    conditions.update({n: getattr(c, n) for n in _SCALAR_CONDITIONS if getattr(c, n) is not None})
    actions: dict[str, Any] = {n: list(getattr(a, n)) for n in _LIST_ACTIONS if getattr(a, n)}
    if a.set_fields:
        actions["set_fields"] = _plain_fields(a.set_fields)
    if a.reply_macro_id is not None:
        actions["reply_macro_id"] = a.reply_macro_id
    return {
        "id": trigger.id,
        "name": trigger.name,
        "position": trigger.position,
        "enabled": trigger.enabled,
        "conditions": conditions,
        "actions": actions,
    }


def trigger_from_doc(doc: Mapping[str, Any]) -> Trigger:
    """Parse and validate a stored or submitted trigger; FieldError (naming the field path) if invalid."""
    _known(doc, ("id", "name", "position", "enabled", "conditions", "actions"), "")
    cond = _section(doc, "conditions", ("events", *_SET_CONDITIONS, *_SCALAR_CONDITIONS))
    act = _section(doc, "actions", ("set_fields", *_LIST_ACTIONS, "reply_macro_id"))
    sets: dict[str, Any] = {name: _set(cond, name, convert) for name, convert in _SET_CONDITIONS.items()}
    scalars: dict[str, Any] = {name: cond.get(name) for name in _SCALAR_CONDITIONS}
    lists: dict[str, Any] = {name: tuple(_list(act, name, "actions.")) for name in _LIST_ACTIONS}
    trigger = Trigger(
        id=_field(doc, "id", str),
        name=_field(doc, "name", str),
        position=_field(doc, "position", int),
        enabled=_field(doc, "enabled", bool, True),
        conditions=TriggerConditions(events=_set(cond, "events", _text) or frozenset(), **sets, **scalars),
        actions=TriggerActions(
            set_fields=_section(act, "set_fields", None, "actions."), reply_macro_id=act.get("reply_macro_id"), **lists
        ),
    )
    validate_trigger(trigger)
    return trigger


def _plain_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values for a document: enums as their string values."""
    return {k: v if v is None or isinstance(v, bool) else str(v) for k, v in values.items()}


def _known(doc: Mapping[str, Any], keys: Iterable[str], prefix: str) -> None:
    unknown = sorted(set(doc) - set(keys))
    if unknown:
        raise FieldError(f"{prefix}{unknown[0]}", "unknown field")


def _section(doc: Mapping[str, Any], name: str, keys: Iterable[str] | None, prefix: str = "") -> Mapping[str, Any]:
    """The object at ``doc[name]`` (``{}`` when missing), with only the given keys (any when ``None``)."""
    section = doc.get(name) or {}
    if not isinstance(section, Mapping):
        raise FieldError(f"{prefix}{name}", "must be an object")
    if keys is not None:
        _known(section, keys, f"{prefix}{name}.")
    return section


_KINDS: dict[type, str] = {str: "a string", int: "a whole number", bool: "true or false"}


def _field(doc: Mapping[str, Any], name: str, kind: type[_E], default: _E | None = None) -> _E:
    value = doc.get(name, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FieldError(name, f"must be {_KINDS.get(kind, kind.__name__)}")
    return value


def _list(doc: Mapping[str, Any], name: str, prefix: str) -> list[Any]:
    values = doc.get(name) or []
    if not isinstance(values, list | tuple):
        raise FieldError(f"{prefix}{name}", "must be a list")
    return list(values)


def _set(doc: Mapping[str, Any], name: str, convert: Callable[[Any], _E]) -> frozenset[_E] | None:
    if doc.get(name) is None:
        return None
    values = _list(doc, name, "conditions.")
    _check_items(values, f"conditions.{name}", convert)
    return frozenset(convert(v) for v in values)
