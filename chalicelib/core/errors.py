"""Domain errors. The data layer raises them; ``chalicelib.http.errors`` maps them to HTTP once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class FieldProblem:
    field: str
    message: str


class InvalidInput(DomainError):
    """The request is well-formed but a field's value is not acceptable."""

    code = "invalid_input"

    def __init__(self, problems: list[FieldProblem] | str, field_name: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [FieldProblem(field_name or "body", problems)]
        super().__init__("; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems))
        self.problems = problems


class FieldError(InvalidInput, ValueError):
    """One value is not acceptable: ``path`` names it inside the input (``conditions.priorities[1]``).

    Parsers of documents raise it with the path relative to what they parse; a caller that parses a part of a
    larger document re-raises it ``within`` the part's own path. The path stays data end to end: the API's
    400 names it without anyone reading it back out of a message. It is also a ``ValueError``, so code that
    reads stored documents can treat any malformed value alike."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__([FieldProblem(path, message)])
        self.path = path
        self.detail = message

    def within(self, prefix: str) -> FieldError:
        """The same problem seen from the enclosing document (``prefix`` + this path)."""
        if not prefix:
            return self
        joined = prefix if not self.path else prefix + ("" if self.path.startswith("[") else ".") + self.path
        return FieldError(joined, self.detail)


class TooLarge(InvalidInput):
    """A value, or the request, is larger than what is accepted (HTTP 413)."""

    code = "too_large"


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity


class AlreadyExists(DomainError):
    code = "already_exists"

    def __init__(self, entity: str, field_name: str, value: object) -> None:
        super().__init__(f"a {entity} with {field_name} {value!r} already exists")
        self.field = field_name


@dataclass
class ConflictDetails:
    current_version: int
    changes: list[dict[str, Any]] = field(default_factory=list)


class Conflict(DomainError):
    """The write was based on a stale version; ``details`` say what changed since."""

    code = "conflict"

    def __init__(self, message: str, details: ConflictDetails | None = None) -> None:
        super().__init__(message)
        self.details = details


class Duplicate(DomainError):
    """The change was already made: its idempotency key is taken (a redelivered message)."""

    code = "duplicate"

    def __init__(self, key: str) -> None:
        super().__init__(f"{key} was already processed")
        self.key = key


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class AtCapacity(DomainError):
    """An automatic assignment was refused: the agent is at capacity or no longer available."""

    code = "at_capacity"

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"agent {agent_id} is at capacity or not available")
        self.agent_id = agent_id


class RateLimited(DomainError):
    """Too many attempts in a while (sign-in requests, codes): the caller may try again after ``retry_after`` s."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
