"""Pydantic models of the report routes: the range and grouping asked, and the figures answered."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from chalicelib.core.limits import check_time_zone
from chalicelib.http.schemas import In, Out
from chalicelib.reports.basis import Basis
from chalicelib.reports.figures import Durations, Figures, KbFigures
from chalicelib.reports.queries import MAX_DAYS, Day, Group


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a day of the calendar (YYYY-MM-DD)") from None


LocalDay = Annotated[
    str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_day), Field(examples=["2026-11-01"])
]
GroupBy = Literal["agent", "team", "channel", "priority"]
# A zone as a query parameter: the checked name inline (the body models' TimeZone is a component reference,
# which a query parameter's schema cannot carry).
QueryZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(check_time_zone),
    Field(examples=["Europe/Riga"]),
]


class ReportQuery(In):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: LocalDay = Field(alias="from", description="First local day (YYYY-MM-DD), inclusive.")
    to: LocalDay = Field(description=f"Last local day (YYYY-MM-DD), inclusive; at most {MAX_DAYS} days in all.")
    tz: QueryZone | None = Field(
        None, description="IANA zone of the days; the desk's report zone or one with the same offsets in the range."
    )
    group_by: GroupBy | None = None
    basis: Basis = Field(
        "calendar", description="Durations in calendar or business seconds (the figures and the CSV/XLSX columns)."
    )
    format: Literal["json", "csv", "xlsx"] = "json"

    @property
    def first(self) -> date:
        return self.from_  # type: ignore[return-value]  # the validator made it a date

    @property
    def last(self) -> date:
        return self.to  # type: ignore[return-value]


class SeriesQuery(ReportQuery):
    key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = Field(
        None, description="The group's value (an agent or team id, a channel, a priority) when group_by is set."
    )


class ReportDurationsOut(Out):
    count: int
    total_s: int = Field(description="Sum of the durations, whole calendar seconds (each truncated).")
    business_total_s: int
    mean_s: float | None
    median_s: int | None = Field(description="Nearest-rank median from the log-scale histogram (see error_bound).")
    p90_s: int | None
    business_median_s: int | None
    business_p90_s: int | None

    @classmethod
    def of(cls, d: Durations) -> ReportDurationsOut:
        return cls.model_validate(d)


class ReportSlaTargetOut(Out):
    policy_id: str
    target: str
    achieved: int
    breached: int


class ReportSlaOut(Out):
    achieved: int
    breached: int
    compliance: float | None
    targets: list[ReportSlaTargetOut]


class ReportCsatOut(Out):
    responses: int
    score: float | None = Field(description="Share of answers rating 4 or 5.")
    ratings: dict[str, int]


class ReportDeflectionsOut(Out):
    explicit: int = Field(description="Readers who said an article answered their question (or used a solve link).")
    probable: int = Field(
        description="Portal readers who viewed an article and opened no ticket and said nothing answered them "
        "within 30 minutes (one per reading session; counted on the view's day when the 30 minutes are over)."
    )


class ReportKbOut(Out):
    searches: int = Field(description="Searches and suggestions answered.")
    impressions: int = Field(description="Articles shown in their results.")
    zero_results: int = Field(description="Searches that found nothing.")
    clicks: int = Field(description="Results opened.")
    views: int = Field(description="Articles read.")
    click_through_rate: float | None = Field(description="Clicks per impression.")
    zero_result_rate: float | None = Field(description="Searches that found nothing, per search.")

    @classmethod
    def of(cls, k: KbFigures) -> ReportKbOut:
        return cls.model_validate(k)


class ReportFiguresOut(Out):
    tickets_created: int
    tickets_solved: int
    reopens: int
    replies: int
    first_reply_time: ReportDurationsOut
    next_reply_time: ReportDurationsOut
    resolution_time: ReportDurationsOut
    fcr_rate: float | None = Field(description="First-contact resolutions per solve.")
    reopen_rate: float | None = Field(description="Reopens per solve.")
    sla: ReportSlaOut
    csat: ReportCsatOut
    chats_missed: int = Field(description="Chats that rang out unanswered at an agent (grouped by agent: theirs).")
    deflections: ReportDeflectionsOut | None = Field(
        description="Questions the knowledge base answered without a ticket; the desk only (null per group)."
    )
    kb: ReportKbOut | None = Field(description="The knowledge base's searches and clicks; the desk only.")

    @classmethod
    def values(cls, f: Figures) -> dict[str, object]:
        return {
            "chats_missed": f.chats_missed,
            "deflections": None
            if f.kb is None
            else ReportDeflectionsOut(explicit=f.kb.explicit_deflections, probable=f.kb.probable_deflections),
            "kb": None if f.kb is None else ReportKbOut.of(f.kb),
            "tickets_created": f.tickets_created,
            "tickets_solved": f.tickets_solved,
            "reopens": f.reopens,
            "replies": f.replies,
            "first_reply_time": ReportDurationsOut.of(f.first_reply_time),
            "next_reply_time": ReportDurationsOut.of(f.next_reply_time),
            "resolution_time": ReportDurationsOut.of(f.resolution_time),
            "fcr_rate": f.fcr_rate,
            "reopen_rate": f.reopen_rate,
            "sla": ReportSlaOut(
                achieved=f.sla_achieved,
                breached=f.sla_breached,
                compliance=f.sla_compliance,
                targets=[ReportSlaTargetOut.model_validate(t) for t in f.sla_targets],
            ),
            "csat": ReportCsatOut(
                responses=f.csat_responses,
                score=f.csat_score,
                ratings={str(r): n for r, n in f.csat_ratings.items()},
            ),
        }


class ReportGroupOut(ReportFiguresOut):
    key: str

    @classmethod
    def of(cls, group: Group) -> ReportGroupOut:
        return cls(key=group.key, **cls.values(group.figures))


class ReportDayOut(ReportFiguresOut):
    date: date

    @classmethod
    def of(cls, day: Day) -> ReportDayOut:
        return cls(date=day.day, **cls.values(day.figures))


class _Range(Out):
    model_config = ConfigDict(from_attributes=True, serialize_by_alias=True, populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    tz: str
    group_by: str | None
    basis: Basis = Field(description="What median_s, p90_s, mean_s and total_s count: calendar or business seconds.")
    error_bound: float = Field(description="Percentiles are within this fraction of the exact value (+0.5 s).")


class ReportSummaryOut(_Range):
    groups: list[ReportGroupOut]


class ReportSeriesOut(_Range):
    key: str
    days: list[ReportDayOut]
