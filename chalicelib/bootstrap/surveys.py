"""The survey slice's parts, built from the container at first use (``Container.surveys``).

Kept apart from ``container.py`` so that each feature's wiring stays readable on its own screen. Everything is
read from the container when a part is built (the clock included: ``lambdesk sweep --at`` sets it first).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.bootstrap.container import Container
    from chalicelib.surveys.answers import SurveyAnswers
    from chalicelib.surveys.config import SurveyConfig, SurveySettingsAdmin
    from chalicelib.surveys.keeper import SurveyKeeper
    from chalicelib.surveys.reports import SurveyReports
    from chalicelib.surveys.sender import SurveySender


class SurveyParts:
    def __init__(self, container: Container) -> None:
        self.c = container

    @property
    def config(self) -> SurveyConfig:
        return self.c.survey_config

    @cached_property
    def settings(self) -> SurveySettingsAdmin:
        from chalicelib.surveys.config import SurveySettingsAdmin

        return SurveySettingsAdmin(self.c.documents, self.c.directory_repo)

    @cached_property
    def answers(self) -> SurveyAnswers:
        from chalicelib.surveys.answers import SurveyAnswers

        return SurveyAnswers(self.c.survey_repo, self.c.ticket_repo, self.c.clock)

    @cached_property
    def reports(self) -> SurveyReports:
        from chalicelib.surveys.reports import SurveyReports

        return SurveyReports(self.c.survey_repo)

    def keeper(self) -> SurveyKeeper:
        from chalicelib.surveys.keeper import SurveyKeeper

        return SurveyKeeper(self.c.ticket_repo, self.c.work_repo, self.config)

    def sender(self) -> SurveySender:
        from chalicelib.surveys.sender import SurveySender

        c = self.c
        ready = bool(c.settings.portal_base)
        return SurveySender(c.work_repo, c.survey_repo, c.customer_repo, self.config, c.clock, c.signing_key, ready)

    def links(self, data: Mapping[str, Any]) -> Mapping[int, str] | None:
        """The rating links of a ``survey.requested`` entry: how the survey mail (mailflow) gets them."""
        from chalicelib.surveys.links import rating_links

        base = self.c.settings.portal_base
        return rating_links(data, self.c.signing_key, base) if base else None
