"""Log-scale histograms: percentiles within the stated bound, merged by adding buckets."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.reports.histogram import RELATIVE_ERROR, bucket, percentile


def nearest_rank(values: list[int], q: float) -> int:
    return sorted(values)[max(1, math.ceil(q * len(values))) - 1]


def histogram(values: list[int]) -> Counter[str]:
    return Counter(bucket(v) for v in values)


def test_the_stated_bound_is_under_two_and_a_half_percent() -> None:
    assert 0.0246 < RELATIVE_ERROR < 0.0247


@given(st.lists(st.integers(0, 40_000_000), min_size=1, max_size=300), st.sampled_from([0.5, 0.9, 0.99, 1.0]))
def test_a_percentile_is_within_the_bound_of_the_exact_nearest_rank(values: list[int], q: float) -> None:
    exact = nearest_rank(values, q)
    estimate = percentile(histogram(values), q)
    assert estimate is not None
    assert abs(estimate - exact) <= RELATIVE_ERROR * exact + 0.5


@given(st.lists(st.integers(0, 10**6), max_size=100), st.lists(st.integers(0, 10**6), max_size=100))
def test_histograms_merge_by_adding_their_buckets(a: list[int], b: list[int]) -> None:
    assert histogram(a) + histogram(b) == histogram(a + b)


def test_zero_is_exact_and_an_empty_histogram_has_no_percentile() -> None:
    assert percentile(histogram([0, 0, 5]), 0.5) == 0
    assert percentile({}, 0.5) is None
