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
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
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
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
WorkingHours = dict[str, list[list[str]]]
Version = Annotated[int, Field(ge=1, description="The version this change is based on (or send If-Match).")]
Limit = Annotated[int, Field(ge=1, le=100)]
Days = Annotated[int, Field(ge=0, le=365, description="Days; 0 turns the step off.")]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PatchIn(In):
    """A partial update: only the fields sent change. ``null`` is refused (400 naming the field) unless the
    field can be cleared."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"version"})

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


class PageQuery(In):
    limit: Limit = 25
    cursor: str | None = None
    include_solved: bool = False


class OpenApiDocumentOut(RootModel[dict[str, Any]]):
    """The OpenAPI document itself."""


class HealthOut(Out):
    status: Literal["ok"]
    stage: str
