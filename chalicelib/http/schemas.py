"""What every API area shares: base models, id and text types, the error shape, paging, meta routes.

Each area keeps the pydantic models of what it accepts and returns in its own ``schemas`` module, separate
from domain objects and storage items."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.limits import MAX_BODY_BYTES, check_locale, check_time_zone, utf8_at_most

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
TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(check_time_zone),
    Field(examples=["Europe/Riga"]),
]
Locale = Annotated[str, StringConstraints(min_length=2, max_length=16), AfterValidator(check_locale)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
WorkingHours = dict[str, list[list[str]]]
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
    model_config = ConfigDict(extra="forbid")


def one_nonempty(*names: str) -> dict[str, Any]:
    """JSON Schema: at least one of these array (or object) fields is present and not empty."""
    return {"anyOf": [{"required": [n], "properties": {n: {"minItems": 1, "minProperties": 1}}} for n in names]}


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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


def _no_null(schema: dict[str, Any]) -> None:
    """Query parameters are absent or have a value: their schemas allow no null."""
    for prop in schema.get("properties", {}).values():
        kept = [b for b in prop.pop("anyOf", []) if b != {"type": "null"}]
        if kept:
            prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
        if "default" in prop and prop["default"] is None:
            prop.pop("default")


class Query(In):
    """The query parameters of a route."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null)


class PageQuery(Query):
    limit: Limit = 25
    cursor: Cursor | None = None
    include_solved: bool = False


class OpenApiDocumentOut(RootModel[dict[str, Any]]):
    """The OpenAPI document itself."""


class HealthOut(Out):
    status: Literal["ok"]
    stage: str
