"""Survey settings as configuration documents: one per team (its id) and the desk's ``default``.

A team without its own document uses ``default``; without that, the built-in defaults (on, 24 h, 7 days, no
rules). Every change is validated, versioned and audited by the configuration store like any document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.config.store import DocumentKind, DocumentStore, Parsed
from chalicelib.core.errors import FieldError, NotFound
from chalicelib.domain.tickets import Channel
from chalicelib.surveys.rules import MAX_DELAY_HOURS, MAX_THROTTLE_DAYS, Criteria, SurveySettings

if TYPE_CHECKING:
    from chalicelib.storage.ports import DirectoryRepository, Document

SURVEY_SETTINGS = "survey_settings"
DEFAULT = "default"
CRITERIA_FIELDS = ("tags", "team_ids", "organization_ids", "channels")


def settings_from_doc(body: dict[str, Any]) -> SurveySettings:
    """Parse a settings document (raises ``FieldError`` naming the field)."""
    unknown = sorted(set(body) - {"enabled", "delay_hours", "throttle_days", "include", "exclude"})
    if unknown:
        raise FieldError(unknown[0], "unknown field")
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise FieldError("enabled", "must be true or false")
    return SurveySettings(
        enabled=enabled,
        delay_hours=_whole(body, "delay_hours", 24, MAX_DELAY_HOURS),
        throttle_days=_whole(body, "throttle_days", 7, MAX_THROTTLE_DAYS),
        include=_criteria(body.get("include"), "include"),
        exclude=_criteria(body.get("exclude"), "exclude"),
    )


def _whole(body: dict[str, Any], name: str, default: int, most: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise FieldError(name, f"must be a whole number from 0 to {most}")
    return value


def _criteria(value: Any, path: str) -> Criteria:
    if value is None:
        return Criteria()
    if not isinstance(value, dict):
        raise FieldError(path, "must be an object")
    unknown = sorted(set(value) - set(CRITERIA_FIELDS))
    if unknown:
        raise FieldError(f"{path}.{unknown[0]}", "unknown field")
    lists = {name: _strings(value.get(name) or [], f"{path}.{name}") for name in CRITERIA_FIELDS}
    try:
        channels = frozenset(Channel(c) for c in lists["channels"])
    except ValueError as exc:
        raise FieldError(f"{path}.channels", f"one of {', '.join(Channel)}") from exc
    return Criteria(
        tags=frozenset(t.strip().lower() for t in lists["tags"]),
        team_ids=frozenset(lists["team_ids"]),
        organization_ids=frozenset(lists["organization_ids"]),
        channels=channels,
    )


def _strings(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FieldError(path, "must be a list of non-empty strings")
    return list(value)


def settings_to_doc(settings: SurveySettings) -> dict[str, Any]:
    def criteria(c: Criteria) -> dict[str, list[str]]:
        return {
            "tags": sorted(c.tags),
            "team_ids": sorted(c.team_ids),
            "organization_ids": sorted(c.organization_ids),
            "channels": sorted(str(ch) for ch in c.channels),
        }

    return {
        "enabled": settings.enabled,
        "delay_hours": settings.delay_hours,
        "throttle_days": settings.throttle_days,
        "include": criteria(settings.include),
        "exclude": criteria(settings.exclude),
    }


def survey_settings_kind(directory: DirectoryRepository) -> DocumentKind:
    """The document kind: its id is a team's id or ``default``; teams named in its rules must exist."""

    def team(team_id: str, path: str) -> None:
        try:
            directory.get_team(team_id)
        except NotFound as exc:
            raise FieldError(path, f"no team {team_id!r}") from exc

    def normalise(doc_id: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
        if doc_id != DEFAULT:
            team(doc_id, "team_id")
        settings = settings_from_doc(body)
        for path, criteria in (("include", settings.include), ("exclude", settings.exclude)):
            for team_id in sorted(criteria.team_ids):
                team(team_id, f"{path}.team_ids")
        return settings_to_doc(settings)

    return DocumentKind(SURVEY_SETTINGS, normalise)


class SurveyConfig:
    """The settings of every team, parsed once per refresh of the store's cache."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._parsed = Parsed(store, SURVEY_SETTINGS, lambda docs: {d.id: settings_from_doc(d.body) for d in docs})

    def for_team(self, team_id: str | None) -> SurveySettings:
        parsed = self._parsed()
        found = parsed.get(team_id) if team_id else None
        return found or parsed.get(DEFAULT) or SurveySettings()


@dataclass(frozen=True)
class Effective:
    """The settings that apply to a team (or ``default``), and where they come from."""

    team_id: str
    settings: SurveySettings
    document: Document | None  # the team's own document (its version); None: inherited
    inherited_from: str | None  # "default" or "built-in" when the team has no document of its own


class SurveySettingsAdmin:
    """What the admin API does with the settings: read what applies, write (create with version 0, replace with
    the version read), remove (the team falls back to ``default``)."""

    def __init__(self, store: DocumentStore, directory: DirectoryRepository) -> None:
        self.store = store
        self.directory = directory

    def effective(self, team_id: str) -> Effective:
        self._known(team_id)
        own = self._document(team_id)
        if own is not None:
            return Effective(team_id, settings_from_doc(own.body), own, None)
        fallback = self._document(DEFAULT) if team_id != DEFAULT else None
        if fallback is not None:
            return Effective(team_id, settings_from_doc(fallback.body), None, DEFAULT)
        return Effective(team_id, SurveySettings(), None, "built-in")

    def stored(self) -> list[Effective]:
        """Every stored document: ``default`` first, then the teams'."""
        docs = sorted(self.store.documents(SURVEY_SETTINGS), key=lambda d: (d.id != DEFAULT, d.id))
        return [Effective(d.id, settings_from_doc(d.body), d, None) for d in docs]

    def put(self, actor_id: str, team_id: str, based_on: int, body: dict[str, Any]) -> Effective:
        self._known(team_id)
        if based_on == 0:
            doc = self.store.create(actor_id, SURVEY_SETTINGS, body, doc_id=team_id)
        else:
            doc = self.store.replace(actor_id, SURVEY_SETTINGS, team_id, based_on, body)
        return Effective(team_id, settings_from_doc(doc.body), doc, None)

    def remove(self, actor_id: str, team_id: str, based_on: int) -> None:
        self._known(team_id)
        self.store.delete(actor_id, SURVEY_SETTINGS, team_id, based_on)

    def _known(self, team_id: str) -> None:
        if team_id != DEFAULT:
            self.directory.get_team(team_id)  # NotFound for an unknown team

    def _document(self, doc_id: str) -> Document | None:
        try:
            return self.store.get(SURVEY_SETTINGS, doc_id)
        except NotFound:
            return None
