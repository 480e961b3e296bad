"""Fixed log-scale histograms: mergeable by addition, so medians and p90 merge across days and groups.

A duration of ``v`` whole seconds falls in bucket ``z`` when it is 0, else in bucket
``i = floor(log(v) / log(RATIO))``, which holds ``[RATIO**i, RATIO**(i + 1))``. A percentile is the value of
rank ``ceil(q * n)`` (nearest rank); the histogram answers with its bucket's geometric middle
``RATIO**(i + 0.5)``, rounded to whole seconds. So the answer is within ``RELATIVE_ERROR`` (sqrt(RATIO) - 1,
2.47 %) of the true value, plus 0.5 s of rounding, and exact for 0. Bucket boundaries are the same for every
item, so adding two histograms bucket by bucket is the histogram of both sets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

RATIO = 1.05
RELATIVE_ERROR = math.sqrt(RATIO) - 1
ZERO = "z"
_LOG_RATIO = math.log(RATIO)


def bucket(seconds: int) -> str:
    """The bucket name of a duration in whole seconds (negative durations count as 0)."""
    if seconds <= 0:
        return ZERO
    return str(math.floor(math.log(seconds) / _LOG_RATIO))


def middle(name: str) -> int:
    """The value a bucket stands for."""
    if name == ZERO:
        return 0
    value: float = RATIO ** (int(name) + 0.5)
    return round(value)


def _order(name: str) -> int:
    return -1 if name == ZERO else int(name)


def percentile(buckets: Mapping[str, int], q: float) -> int | None:
    """The nearest-rank ``q`` percentile (0 < q <= 1) of the values counted in ``buckets``; None when empty."""
    total = sum(n for n in buckets.values() if n > 0)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for name in sorted(buckets, key=_order):
        seen += max(buckets[name], 0)
        if seen >= rank:
            return middle(name)
    return None  # pragma: no cover - ranks never exceed the total
