"""The survey's timeline events (domain events), apart from ``domain.surveys``: a ticket's JSON looks for
answers in every timeline it renders, and a GET of a ticket should not build the surveys' classes for that."""

from __future__ import annotations

SURVEY_REQUESTED = "survey.requested"  # the sweep asked for a survey; the outbound consumer mails it
CSAT_ANSWERED = "csat.answered"  # every answer, and every change of one
CSAT_NEGATIVE = "csat.negative"  # an answer that became negative (rating <= NEGATIVE_AT_MOST)
