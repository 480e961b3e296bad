"""Pydantic models of the backlog and achievements routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from chalicelib.http.schemas import In, Out
from chalicelib.reports.achievements import QUICK_S, WINDOW_DAYS, Achievement
from chalicelib.reports.backlog import BUCKETS, MAX_PER_STATUS, Backlog
from chalicelib.reports.schemas import LocalDay


class BacklogQuery(In):
    model_config = ConfigDict(extra="forbid")


class AchievementsQuery(In):
    model_config = ConfigDict(extra="forbid")

    to: LocalDay | None = Field(None, description="Last day of the window (the desk's report zone; default today).")


class AgeBucketOut(Out):
    bucket: str
    max_age_s: int | None = Field(description="Tickets younger than this (seconds since creation); None: no bound.")
    count: int


class BacklogStatusOut(Out):
    status: str
    count: int
    ages: list[AgeBucketOut]


class BacklogOut(Out):
    as_of: datetime
    total: int
    complete: bool = Field(
        description=f"False when a status had more than {MAX_PER_STATUS} unsolved tickets: counted up to that."
    )
    statuses: list[BacklogStatusOut]
    ages: list[AgeBucketOut]

    @classmethod
    def of(cls, b: Backlog) -> BacklogOut:
        def ages(counts: dict[str, int]) -> list[AgeBucketOut]:
            return [AgeBucketOut(bucket=name, max_age_s=upper, count=counts[name]) for name, upper in BUCKETS]

        statuses = [
            BacklogStatusOut(status=status, count=sum(counts.values()), ages=ages(counts))
            for status, counts in b.counts.items()
        ]
        return cls(as_of=b.as_of, total=b.total, complete=b.complete, statuses=statuses, ages=ages(b.by_age()))


class AchievementOut(Out):
    id: str
    value: int
    level: int = Field(description="0 (not reached yet) to 3.")
    next_at: int | None = Field(description="The value of the next level; None at the top level.")


class AchievementsOut(Out):
    agent_id: str
    to: str
    window_days: int = Field(description="Days counted, ending on `to`.")
    quick_first_reply_s: int = Field(description="A day's median first reply (business seconds) counts as quick.")
    achievements: list[AchievementOut]

    @classmethod
    def of(cls, agent_id: str, to: str, found: list[Achievement]) -> AchievementsOut:
        return cls(
            agent_id=agent_id,
            to=to,
            window_days=WINDOW_DAYS,
            quick_first_reply_s=QUICK_S,
            achievements=[AchievementOut.model_validate(a) for a in found],
        )
