"""Reply-stripping libraries against the corpora: ``python -m tests.conformance.compare_reply_libraries``.

The evidence behind docs/decisions/020-mail-parsing.md. The candidates are not dependencies of Lambdesk;
install them to rerun: ``pip install email-reply-parser mail-parser-reply quotequail``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conformance.corpora import Score, corpora_dir, first_text_part, score_discourse, squash

Strip = Callable[[str], str]
LANGUAGES = ["en", "de", "cs", "da", "es", "fr", "it", "ja", "ko", "nl", "pl", "sv", "zh"]


def candidates() -> dict[str, Strip]:
    from chalicelib.mail.quotes import visible_text

    found: dict[str, Strip] = {
        "lambdesk quotes.visible_text": visible_text,
        "lambdesk, strip_signature=False": lambda text: visible_text(text, strip_signature=False),
    }
    if importlib.util.find_spec("email_reply_parser"):
        from email_reply_parser import EmailReplyParser  # type: ignore[import-untyped]

        found["email-reply-parser"] = lambda text: EmailReplyParser.parse_reply(text) or ""
    if importlib.util.find_spec("mailparser_reply"):
        from mailparser_reply import EmailReplyParser as MultiLanguageParser  # type: ignore[import-untyped]

        found["mail-parser-reply (13 languages)"] = lambda text: (
            MultiLanguageParser(languages=LANGUAGES).read(text).replies[0].body
        )
    if importlib.util.find_spec("quotequail"):
        import quotequail  # type: ignore[import-untyped]

        found["quotequail"] = lambda text: "\n".join(part for shown, part in quotequail.quote(text) if shown)
    return found


def score_talon_text(corpora: Path, strip: Strip) -> Score:
    """The 12 plain-text replies of talon's corpus (the HTML cases need an HTML-aware library)."""
    folder = corpora / "mailgun-talon"
    score = Score("mailgun-talon text")
    for case in json.loads((folder / "expected.json").read_text(encoding="utf-8"))["cases"]:
        if case["input"].startswith("first text/plain"):
            got = strip(first_text_part((folder / case["file"]).read_bytes()))
            expected = case["expected_reply"]
            score.add(case["file"], got.strip() == expected.strip(), squash(got) == squash(expected))
    return score


def main() -> int:
    corpora = corpora_dir()
    if corpora is None:
        print("mail corpora not found", file=sys.stderr)
        return 1
    print("| library | discourse exact | discourse normalised | talon text exact | talon text normalised |")
    print("|---|---|---|---|---|")
    for name, strip in candidates().items():
        discourse, talon = score_discourse(corpora, strip), score_talon_text(corpora, strip)
        print(
            f"| {name} | {discourse.exact}/{discourse.total} | {discourse.normalised}/{discourse.total} "
            f"| {talon.exact}/{talon.total} | {talon.normalised}/{talon.total} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
