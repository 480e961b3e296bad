"""basis=business swaps a figure's calendar durations for its business ones; calendar leaves them."""

from __future__ import annotations

from chalicelib.reports.basis import on_basis
from chalicelib.reports.figures import figures
from chalicelib.reports.histogram import bucket

# Two resolutions: 3 days and 1 day by the calendar; 8 h and 2 h in business hours.
COUNTS = {
    "solved": 2,
    "rs_n": 2,
    "rs_s": 4 * 86400,
    "rs_bs": 10 * 3600,
    f"rs_h:{bucket(3 * 86400)}": 1,
    f"rs_h:{bucket(86400)}": 1,
    f"rs_bh:{bucket(8 * 3600)}": 1,
    f"rs_bh:{bucket(2 * 3600)}": 1,
}


def test_business_basis_reports_business_seconds() -> None:
    calendar = figures(COUNTS)
    business = on_basis(calendar, "business")
    assert calendar.resolution_time.total_s == 4 * 86400 and calendar.resolution_time.mean_s == 2 * 86400
    assert business.resolution_time.total_s == 10 * 3600 and business.resolution_time.mean_s == 5 * 3600
    assert business.resolution_time.median_s == calendar.resolution_time.business_median_s
    assert business.resolution_time.p90_s == calendar.resolution_time.business_p90_s
    assert abs(business.resolution_time.p90_s - 8 * 3600) <= 0.025 * 8 * 3600  # type: ignore[operator]
    assert business.tickets_solved == 2 and business.first_reply_time.count == 0


def test_calendar_basis_is_the_figures_as_they_are() -> None:
    calendar = figures(COUNTS)
    assert on_basis(calendar, "calendar") is calendar
