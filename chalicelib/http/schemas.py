"""What every API area shares: base models, id and text types, the error shape, paging, meta routes.

Each area keeps the pydantic models of what it accepts and returns in its own ``schemas`` module, separate
from domain objects and storage items."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.limits import LOCALE_PATTERN, MAX_BODY_BYTES, check_locale, check_time_zone, utf8_at_most

EntityId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# Something other than white space (Python's ``str.isspace`` set, which the Rust engines that validate the
# pattern spell with \x1c-\x1f added): the same class for pydantic, the document and its fuzzers.
NOT_BLANK = r"[^\s\x1c-\x1f]"


def _strip(value: str) -> str:
    return value.strip()


def text(max_length: int) -> Any:
    """A name or short text: not blank, at most ``max_length`` characters as sent, stored without the white
    space around it. Lengths are checked on what is sent, so the document's ``maxLength`` is the whole truth."""
    return Annotated[
        str, StringConstraints(min_length=1, max_length=max_length, pattern=NOT_BLANK), AfterValidator(_strip)
    ]


Text = text(200)
# A message or note: limited in bytes (what DynamoDB counts), 64 KiB of UTF-8 text.
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_BODY_BYTES),
    AfterValidator(utf8_at_most(MAX_BODY_BYTES)),
    Field(description=f"Text, at most {MAX_BODY_BYTES} bytes of UTF-8."),
]


def _any_case(word: str) -> str:
    """A regex for ``word`` in any case, spelled without flags (the document's regex dialect has none)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


# The document lists the zones once, as the component ``TimeZone`` (chalicelib/http/openapi.py).
TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(check_time_zone),
    WithJsonSchema({"allOf": [{"$ref": "#/components/schemas/TimeZone"}]}),
]


def _email(value: str) -> str:
    """What pydantic's ``EmailStr`` does (the same normalised address, the same errors), with email-validator
    imported at the first address checked rather than when a model using it is built (a cold start's GET)."""
    from pydantic.networks import validate_email

    return validate_email(value)[1]


class _EmailDocument:
    """The document's "email" format, less the special-use domains email-validator refuses (read when the
    document is written, so building a model does not import email-validator)."""

    def __get_pydantic_json_schema__(self, core: Any, handler: Any) -> dict[str, Any]:
        from email_validator import SPECIAL_USE_DOMAIN_NAMES

        refused = "|".join(map(_any_case, SPECIAL_USE_DOMAIN_NAMES))
        return {"type": "string", "format": "email", "not": {"pattern": rf"[.@]({refused})$"}}


# An address email-validator accepts.
Email = Annotated[str, AfterValidator(_email), _EmailDocument()]
Locale = Annotated[
    str, StringConstraints(min_length=2, max_length=16, pattern=LOCALE_PATTERN), AfterValidator(check_locale)
]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")]
START = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]  # 24:00 ends a day only
# A week's hours: {"mon": [["09:00", "17:00"]], ...}; intervals of a day must end after they start and not overlap.
Week = dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[tuple[HHMM, HHMM]]]
WorkingHours = dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[tuple[START, HHMM]]]
Version = Annotated[int, Field(ge=1, description="The version this change is based on (or send If-Match).")]
Limit = Annotated[int, Field(ge=1, le=100)]
# A page cursor: opaque, signed, valid only for the listing that issued it (its ``next_cursor``); empty or
# absent: the first page. The format names it for tools: no client can make one up.
CURSOR_FORMAT = "lambdesk-cursor"
Cursor = Annotated[
    str,
    StringConstraints(max_length=2048, pattern=r"^[A-Za-z0-9_-]*$"),
    Field(
        description="The next_cursor of the previous page of this listing.", json_schema_extra={"format": CURSOR_FORMAT}
    ),
]
Days = Annotated[int, Field(ge=0, le=365, description="Days; 0 turns the step off.")]


class In(BaseModel):
    """A request body. Booleans and integers are JSON's: pydantic would take ``0`` for false or ``"5"`` for 5,
    which the document's types refuse; so does the API (an integral number such as ``5.0`` is an integer)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    JSON_TYPES: ClassVar[bool] = True

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or not cls.JSON_TYPES or info.field_name is None:
            return value
        annotation = cls.model_fields[info.field_name].annotation
        if annotation in (bool, bool | None) and not isinstance(value, bool):
            raise ValueError("must be true or false")
        if annotation in (int, int | None) and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError("must be an integer")
        if annotation == list[date] and isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ValueError("dates are strings YYYY-MM-DD")
        return value


def one_nonempty(*names: str) -> dict[str, Any]:
    """JSON Schema: at least one of these array (or object) fields is present and not empty."""
    return {"anyOf": [{"required": [n], "properties": {n: {"minItems": 1, "minProperties": 1}}} for n in names]}


def exactly_one(*names: str) -> dict[str, Any]:
    """JSON Schema: exactly one of these fields is given a value (not null)."""
    return {"oneOf": [{"required": [n], "properties": {n: {"not": {"type": "null"}}}} for n in names]}


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, defer_build=True)

    @classmethod
    def versioned_resource(cls) -> bool:
        """Whether this is a versioned resource: its responses carry its version as the ETag header."""
        return "version" in cls.model_fields

    def etag(self) -> int | None:
        """The version for the ETag header (None when this is not a versioned resource)."""
        version = getattr(self, "version", None) if self.versioned_resource() else None
        return version if isinstance(version, int) else None


def _no_null_unless_clearable(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A patch's JSON Schema says what its validator accepts: ``null`` only for the fields that can be
    cleared (``NULLABLE``); any other field may be left out but not sent as null."""
    clearable: frozenset[str] = getattr(model, "NULLABLE", frozenset())
    for name, prop in schema.get("properties", {}).items():
        branches = prop.get("anyOf")
        if name in clearable or not branches:
            continue
        kept = [b for b in branches if b != {"type": "null"}]
        prop.pop("anyOf")
        prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
        if prop.get("default", 0) is None:
            prop.pop("default")


class PatchIn(In):
    """A partial update: only the fields sent change. ``null`` is refused (400 naming the field) unless the
    field can be cleared; the version may come in the body or as If-Match (``chalicelib.http.framework``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_unless_clearable)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"version"})


# -- errors ------------------------------------------------------------------------------------


class FieldErrorOut(Out):
    field: str
    message: str


class ErrorDetailOut(Out):
    code: str
    message: str
    fields: list[FieldErrorOut] | None = None
    current_version: int | None = None
    changes_since: list[dict[str, Any]] | None = None


class ErrorOut(Out):
    error: ErrorDetailOut


# -- paging and meta ------------------------------------------------------------------------------


def no_null_query(schema: dict[str, Any]) -> None:
    """Query parameters are absent or have a value: their schemas allow no null."""
    for prop in schema.get("properties", {}).values():
        kept = [b for b in prop.pop("anyOf", []) if b != {"type": "null"}]
        if kept:
            prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
        if "default" in prop and prop["default"] is None:
            prop.pop("default")


class Query(In):
    """The query parameters of a route (strings on the wire: ``true``, ``25``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=no_null_query)
    JSON_TYPES = False


class PageQuery(Query):
    limit: Limit = 25
    cursor: Cursor | None = None
    include_solved: bool = False


class OpenApiDocumentOut(RootModel[dict[str, Any]]):
    """The OpenAPI document itself."""


class HealthOut(Out):
    status: Literal["ok"]
    stage: str
