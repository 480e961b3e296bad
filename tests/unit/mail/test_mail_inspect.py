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
    assert blank == {"file": paths[2], "error": "unparseable: empty input"}


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
