"""Daily items added together -> the figures of a report (rates, percentiles from the merged histograms)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chalicelib.reports.histogram import percentile

RATINGS = (1, 2, 3, 4, 5)
SATISFIED = (4, 5)


@dataclass(frozen=True)
class Durations:
    count: int
    total_s: int
    business_total_s: int
    mean_s: float | None
    median_s: int | None
    p90_s: int | None
    business_median_s: int | None
    business_p90_s: int | None


@dataclass(frozen=True)
class SlaTarget:
    policy_id: str
    target: str
    achieved: int
    breached: int


@dataclass(frozen=True)
class KbFigures:
    """The knowledge base's day counters (the desk only: they have no ticket, so no agent, team or channel)."""

    searches: int
    impressions: int
    zero_results: int
    clicks: int
    views: int
    explicit_deflections: int
    # Probable deflections: a portal view with no ticket and no explicit deflection by that reader within 30
    # minutes (chalicelib.reports.kb_probable), counted on the view's day.
    probable_deflections: int
    click_through_rate: float | None
    zero_result_rate: float | None


@dataclass(frozen=True)
class Figures:
    tickets_created: int
    tickets_solved: int
    reopens: int
    replies: int
    fcr: int
    first_reply_time: Durations
    next_reply_time: Durations
    resolution_time: Durations
    fcr_rate: float | None
    reopen_rate: float | None
    sla_achieved: int
    sla_breached: int
    sla_compliance: float | None
    sla_targets: tuple[SlaTarget, ...]
    csat_responses: int
    csat_ratings: Mapping[int, int]
    csat_score: float | None
    chats_missed: int = 0
    kb: KbFigures | None = None


def merged(items: Iterable[Mapping[str, int]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for counts in items:
        total.update(counts)
    return total


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _histogram(counts: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {name[len(prefix) :]: n for name, n in counts.items() if name.startswith(prefix)}


def durations(counts: Mapping[str, int], metric: str) -> Durations:
    n, total, business = counts.get(f"{metric}_n", 0), counts.get(f"{metric}_s", 0), counts.get(f"{metric}_bs", 0)
    calendar_h, business_h = _histogram(counts, f"{metric}_h:"), _histogram(counts, f"{metric}_bh:")
    return Durations(
        count=n,
        total_s=total,
        business_total_s=business,
        mean_s=round(total / n, 1) if n else None,
        median_s=percentile(calendar_h, 0.5),
        p90_s=percentile(calendar_h, 0.9),
        business_median_s=percentile(business_h, 0.5),
        business_p90_s=percentile(business_h, 0.9),
    )


def _sla_targets(counts: Mapping[str, int]) -> tuple[SlaTarget, ...]:
    found: dict[tuple[str, str], list[int]] = {}
    for name, n in counts.items():
        if name.startswith("sla:"):
            policy_id, target, outcome = name[4:].rsplit(":", 2)
            found.setdefault((policy_id, target), [0, 0])[0 if outcome == "a" else 1] += n
    return tuple(SlaTarget(p, t, a, b) for (p, t), (a, b) in sorted(found.items()))


def kb_figures(counts: Mapping[str, int]) -> KbFigures:
    searches, impressions, zero = (counts.get(n, 0) for n in ("kb_searches", "kb_impressions", "kb_zero_results"))
    clicks = counts.get("kb_clicks", 0)
    return KbFigures(
        searches=searches,
        impressions=impressions,
        zero_results=zero,
        clicks=clicks,
        views=counts.get("kb_views", 0),
        explicit_deflections=counts.get("kb_deflections", 0),
        probable_deflections=counts.get("kb_probable", 0),
        click_through_rate=_rate(clicks, impressions),
        zero_result_rate=_rate(zero, searches),
    )


def figures(counts: Mapping[str, int], desk: bool = False) -> Figures:
    """The figures of merged counters; ``desk``: the whole desk's, with the knowledge base's counters."""
    solved, achieved, breached = counts.get("solved", 0), counts.get("sla_a", 0), counts.get("sla_b", 0)
    ratings = {r: counts.get(f"csat:{r}", 0) for r in RATINGS}
    answers = sum(ratings.values())
    return Figures(
        tickets_created=counts.get("created", 0),
        tickets_solved=solved,
        reopens=counts.get("reopened", 0),
        replies=counts.get("replies", 0),
        fcr=counts.get("fcr", 0),
        first_reply_time=durations(counts, "fr"),
        next_reply_time=durations(counts, "nr"),
        resolution_time=durations(counts, "rs"),
        fcr_rate=_rate(counts.get("fcr", 0), solved),
        reopen_rate=_rate(counts.get("reopened", 0), solved),
        sla_achieved=achieved,
        sla_breached=breached,
        sla_compliance=_rate(achieved, achieved + breached),
        sla_targets=_sla_targets(counts),
        csat_responses=counts.get("csat_n", 0),
        csat_ratings=ratings,
        csat_score=_rate(sum(ratings[r] for r in SATISFIED), answers),
        chats_missed=counts.get("chat_missed", 0),
        kb=kb_figures(counts) if desk else None,
    )
