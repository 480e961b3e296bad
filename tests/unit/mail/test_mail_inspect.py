"""``lambdesk mail inspect``: one JSON object per file, in order; unreadable files give an error object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.mail_inspect import inspect_files, main

SAMPLES = Path(__file__).resolve().parent / "samples"
KEYS = [
    "file", "from", "to", "cc", "reply_to", "subject", "date", "message_id", "in_reply_to", "references", "text",
    "html", "visible_text", "attachments", "classification", "defects",
]  # fmt: skip


def test_inspect_describes_each_file_in_the_order_given(tmp_path: Path) -> None:
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    paths = [str(SAMPLES / "dsn_permanent.eml"), str(tmp_path / "missing.eml"), str(empty)]
    dsn, missing, blank = inspect_files(paths)
    assert list(dsn) == KEYS
    assert dsn["classification"] == {
        "auto_reply": True,
        "bulk": False,
        "complaint": False,
        "bounce": {"permanent": True, "recipients": ["nobody@example.org"], "status": "5.1.1"},
    }
    assert dsn["from"] == {"name": "Mail Delivery Subsystem", "email": "MAILER-DAEMON@mx.example.com"}
    assert missing == {"file": paths[1], "error": "cannot read: No such file or directory"}
    assert blank == {"file": paths[2], "error": "unparseable: empty input", "reason": "empty"}


def test_inspect_lists_attachments_without_their_bytes() -> None:
    (item,) = inspect_files([str(SAMPLES / "inline_image.eml")])
    assert item["attachments"] == [{"filename": "shot1.png", "content_type": "image/png", "size": 70, "inline": True}]
    assert item["date"] is None and item["references"] == []


def test_main_prints_json_lines_and_fails_when_a_file_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(SAMPLES / "encoded_headers.eml")]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["subject"] == "Grüße aus Köln €" and line["date"] == "2024-03-05T14:30:00+01:00"
    assert main([str(SAMPLES / "newsletter.eml"), str(tmp_path / "nope.eml")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(x)["file"] for x in out] == [str(SAMPLES / "newsletter.eml"), str(tmp_path / "nope.eml")]


def test_inspect_names_the_limit_a_hostile_mail_crossed(tmp_path: Path) -> None:
    from tests.unit.mail import hostile

    deep = tmp_path / "deep.eml"
    deep.write_bytes(hostile.nested_multipart(2_000))
    (item,) = inspect_files([str(deep)])
    assert item == {"file": str(deep), "error": "unparseable: too deep: 51 over the limit of 50", "reason": "too_deep"}


_PROBE = """
import io, json, resource, sys
from contextlib import redirect_stdout
from devtools.mail_inspect import main
with redirect_stdout(io.StringIO()):
    main([sys.argv[1]])  # first use: imports and the HTML libraries are the base
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with redirect_stdout(io.StringIO()) as out:
    main([sys.argv[2]])
print(json.dumps({"mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024,
                  "subject": json.loads(out.getvalue())["subject"][:21]}))
"""


def test_inspecting_a_mail_with_a_3300_line_header_stays_under_100_mb(tmp_path: Path) -> None:
    """The issue's case: ``lambdesk mail inspect`` peaked at 386 MB on such a mail."""
    import subprocess
    import sys

    from tests.unit.mail import hostile

    big = tmp_path / "header.eml"
    big.write_bytes(hostile.long_header(3_300))
    root = Path(__file__).resolve().parents[3]
    args = [sys.executable, "-c", _PROBE, str(SAMPLES / "encoded_headers.eml"), str(big)]
    out = subprocess.run(args, cwd=root, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["subject"] == "a longer word number "
    assert result["mb"] <= 100, result
