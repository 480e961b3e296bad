from __future__ import annotations

import re

from chalicelib.core.ids import ID_PATTERN, new_id


def test_ids_made_in_the_same_millisecond_keep_their_order() -> None:
    ids = [new_id(now_ms=1_800_000_000_000) for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_ids_sort_by_time_and_match_the_pattern() -> None:
    earlier, later = new_id(now_ms=1_900_000_000_000), new_id(now_ms=1_900_000_000_001)
    assert earlier < later
    assert re.fullmatch(ID_PATTERN, later)
