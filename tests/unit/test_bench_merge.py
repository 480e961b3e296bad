"""``python -m bench --only X --merge`` puts the sections it ran into bench/results.json, with their details."""

from __future__ import annotations

import json
from pathlib import Path

from bench.report import Check
from bench.run import _merge


def test_a_merged_section_brings_its_details_and_leaves_the_others_alone(tmp_path: Path) -> None:
    into = tmp_path / "results.json"
    into.write_text(
        json.dumps(
            {
                "end_to_end": {"solve": "old"},
                "chat": {"p50": 1041},
                "meta": {"end_to_end_detail": "old", "chat_detail": "kept", "sections": ["all"]},
            }
        )
    )
    results = {
        "end_to_end": {"solve": "new"},
        "thread_growth": {"reply_by_agent": {"5": 20, "100": 20}},
        "meta": {
            "sections": ["end_to_end"],
            "date": "2026-12-03",
            "git_commit": "abc",
            "git_dirty": False,
            "machine": {},
            "section_seconds": {"end_to_end": 12.0},
            "end_to_end_detail": "new",
            "end_to_end_run": {"tickets": 1000},
        },
    }
    checks = [Check("end_to_end: equal at both sizes", True, ""), Check("chat: unrelated", False, "")]

    _merge(results, checks, into)

    merged = json.loads(into.read_text())
    assert merged["end_to_end"]["solve"] == "new"
    assert merged["end_to_end"]["run"]["self_checks"] == "1/1 passed"
    assert merged["thread_growth"]["reply_by_agent"] == {"5": 20, "100": 20}
    assert merged["chat"] == {"p50": 1041}
    assert merged["meta"] == {
        "end_to_end_detail": "new",
        "end_to_end_run": {"tickets": 1000},
        "chat_detail": "kept",
        "sections": ["all"],
    }
