"""Domain errors -> HTTP responses, in one place. No stack trace ever reaches a client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.core.errors import (
    AlreadyExists,
    AtCapacity,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
)

if TYPE_CHECKING:
    from pydantic import ValidationError

STATUS: dict[type[DomainError], int] = {
    InvalidInput: 400,
    TooLarge: 413,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    AlreadyExists: 409,
    AtCapacity: 409,
    RateLimited: 429,
}


class PreconditionRequired(DomainError):
    code = "precondition_required"


STATUS[PreconditionRequired] = 428


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if isinstance(error, InvalidInput):
        body["fields"] = [{"field": p.field, "message": p.message} for p in error.problems]
    if isinstance(error, AlreadyExists):
        body["fields"] = [{"field": error.field, "message": error.message}]
    if isinstance(error, Conflict) and error.details is not None:
        body["current_version"] = error.details.current_version
        body["changes_since"] = error.details.changes
    return {"error": body}


def validation_error(exc: ValidationError, location: str) -> InvalidInput:
    from chalicelib.core.errors import FieldProblem

    problems = [
        FieldProblem(".".join(str(p) for p in (location, *e["loc"]) if p != "") or location, e["msg"])
        for e in exc.errors()
    ]
    return InvalidInput(problems)
