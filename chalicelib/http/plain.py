"""A response's JSON without pydantic, for the requests a cold process answers first.

Importing pydantic and building the response models cost about a fifth of a fresh process's first
``GET /v1/tickets/{id}`` (docs/decisions/006-cold-start.md). A route may instead hand the framework the JSON
value of its response model, built by hand from the domain objects, in the model's field order and with
pydantic's JSON rendering of each value (``model_dump(mode="json")``). Anything these functions do not know
exactly how pydantic renders raises ``NotPlain``, and the route falls back to its model: the bytes on the wire
are the model's either way (tests compare them).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

_ZERO = timedelta(0)


class NotPlain(Exception):
    """A value whose pydantic rendering this module does not reproduce: use the response model."""


def text(value: Any) -> str:
    if type(value) is not str:
        raise NotPlain(value)
    return value


def optional_text(value: Any) -> str | None:
    return None if value is None else text(value)


def integer(value: Any) -> int:
    if type(value) is not int:
        raise NotPlain(value)
    return value


def boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise NotPlain(value)
    return value


def member(value: Any, kind: type[Enum]) -> Any:
    """An enum field: the member's value (a plain string given for it would be validated by the model)."""
    if not isinstance(value, kind):
        raise NotPlain(value)
    return value.value


def optional_member(value: Any, kind: type[Enum]) -> Any:
    return None if value is None else member(value, kind)


def texts(values: Any) -> list[str]:
    """A ``list[str]`` field (the domain keeps tuples)."""
    if not isinstance(values, tuple | list):
        raise NotPlain(values)
    return [text(v) for v in values]


def timestamp(value: Any) -> str:
    """pydantic's rendering of a datetime: ISO 8601, ``Z`` for a zero offset, microseconds only when set."""
    if type(value) is not datetime:
        raise NotPlain(value)
    offset = value.utcoffset()
    if offset is None:
        return value.isoformat()
    if offset.microseconds or offset.seconds % 60:
        raise NotPlain(value)  # an offset with seconds: rare enough to leave to pydantic
    rendered = value.isoformat()
    return rendered[:-6] + "Z" if offset == _ZERO else rendered


def optional_timestamp(value: Any) -> str | None:
    return None if value is None else timestamp(value)


def any_value(value: Any) -> Any:
    """An ``Any`` field: rendered by the value's own type, as pydantic infers it in JSON mode."""
    if value is None or type(value) in (str, bool, int):
        return value
    if type(value) is float:
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return any_value(value.value)
    if type(value) is dict:
        return {text(k): any_value(v) for k, v in value.items()}
    if type(value) in (list, tuple, set, frozenset):
        return [any_value(v) for v in value]
    if type(value) is datetime:
        return timestamp(value)
    if type(value) is date:
        return value.isoformat()
    if type(value) is Decimal:
        return str(value)
    raise NotPlain(value)
