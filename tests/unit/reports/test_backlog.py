"""Backlog age buckets: each bound belongs to the next bucket (under 1 h means under)."""

from __future__ import annotations

import pytest

from chalicelib.reports.backlog import age_bucket

H = 3600


@pytest.mark.parametrize(
    ("age_s", "bucket"),
    [
        (0, "under_1h"),
        (H - 1, "under_1h"),
        (H, "1h_8h"),
        (8 * H, "8h_24h"),
        (24 * H - 0.5, "8h_24h"),
        (24 * H, "1d_3d"),
        (72 * H, "3d_7d"),
        (168 * H - 1, "3d_7d"),
        (168 * H, "over_7d"),
        (400 * 24 * H, "over_7d"),
        (-5, "under_1h"),  # a clock a little behind the ticket's creation
    ],
)
def test_age_buckets(age_s: float, bucket: str) -> None:
    assert age_bucket(age_s) == bucket
