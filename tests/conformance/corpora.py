"""The real-world mail corpora (shared/corpora) and the scores of our pipeline on them.

Used by the conformance tests (floors) and by ``python -m tests.conformance.report`` (the numbers in
docs/email-conformance.md). Nothing here runs at import.
"""

from __future__ import annotations

import email
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROBUSTNESS_CORPORA = {
    "mikel-mail": "**/*.eml",
    "cpython-test_email": "**/msg_*.txt",
    "django-helpdesk": "**/*.eml",
}


def corpora_dir() -> Path | None:
    """``$LAMBDESK_CORPORA``, else ``../shared/corpora`` from the project root; None when absent."""
    configured = os.environ.get("LAMBDESK_CORPORA")
    path = Path(configured) if configured else ROOT.parent / "shared" / "corpora"
    return path if path.is_dir() else None


@dataclass
class Score:
    """How many cases match exactly, how many after whitespace normalisation, and which do not."""

    name: str
    total: int = 0
    exact: int = 0
    normalised: int = 0
    failures: list[str] = field(default_factory=list)
    near_misses: list[str] = field(default_factory=list)  # match only after whitespace normalisation

    def add(self, case: str, exact: bool, normalised: bool) -> None:
        self.total += 1
        self.exact += exact
        self.normalised += exact or normalised
        if not (exact or normalised):
            self.failures.append(case)
        elif not exact:
            self.near_misses.append(case)

    @property
    def summary(self) -> str:
        exact, normalised = f"{self.exact}/{self.total}", f"{self.normalised}/{self.total}"
        return f"{self.name}: {exact} exact, {normalised} after whitespace normalisation"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- reply stripping ---------------------------------------------------------------------------------------


def discourse_cases(corpora: Path) -> Iterator[tuple[str, str, str]]:
    folder = corpora / "discourse-email_reply_trimmer" / "test"
    for source in sorted((folder / "emails").glob("*.txt")):
        expected = (folder / "trimmed" / source.name).read_text(encoding="utf-8")
        yield source.stem, source.read_text(encoding="utf-8"), expected


def score_discourse(corpora: Path, visible: Callable[[str], str] | None = None) -> Score:
    from chalicelib.mail.quotes import visible_text

    strip = visible or visible_text
    score = Score("discourse-email_reply_trimmer")
    for case, text, expected in discourse_cases(corpora):
        got = strip(text)
        score.add(case, got.strip() == expected.strip(), squash(got) == squash(expected))
    return score


def first_text_part(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            content = part.get_content()
            return str(content)
    return ""


def score_talon(corpora: Path, *, strip_signature: bool = False) -> Score:
    """mailgun/talon's expectations. Talon removes quotations only (its signature extraction is separate), so
    the text cases compare against ``visible_text(..., strip_signature=False)`` unless told otherwise."""
    from chalicelib.mail.html import html_to_text
    from chalicelib.mail.parse import parse
    from chalicelib.mail.quotes import visible_text
    from chalicelib.mail.quotes_html import visible_html

    folder = corpora / "mailgun-talon"
    suffix = "" if not strip_signature else ", signatures stripped"
    score = Score(f"mailgun-talon{suffix}")
    for case in json.loads((folder / "expected.json").read_text(encoding="utf-8"))["cases"]:
        path = folder / case["file"]
        name = case["file"].removeprefix("tests/fixtures/")
        if case["input"].startswith("first text/plain"):
            got = visible_text(first_text_part(path.read_bytes()), strip_signature=strip_signature)
            expected = case["expected_reply"]
            score.add(name, got.strip() == expected.strip(), squash(got) == squash(expected))
        elif case["input"] == "HTML body":
            html = path.read_text(encoding="utf-8", errors="replace")
            if "expected_reply" in case:
                got = html_to_text(visible_html(html, strip_signature=strip_signature))
                match = no_space(got) == no_space(case["expected_reply"])
            else:
                got = visible_html(html, strip_signature=strip_signature)
                match = no_space(got) == no_space(case["expected_reply_html"])
            score.add(name, match, match)  # talon compares these with all whitespace removed
        else:  # "result non-empty and does not contain 'From'"
            mail = parse(path.read_bytes())
            ok = bool(mail.visible_text.strip()) and "From" not in mail.visible_text
            score.add(name, ok, ok)
    return score


# -- bounces -----------------------------------------------------------------------------------------------


@dataclass
class BounceScore:
    total: int = 0
    detected: int = 0  # classified as a bounce
    recipients_exact: int = 0
    permanence_total: int = 0  # cases with failed recipients and a permanent/temporary verdict
    permanence_correct: int = 0
    failures: list[str] = field(default_factory=list)
    not_detected: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"flufl.bounce: recipients exact {self.recipients_exact}/{self.total}, "
            f"permanent/temporary correct {self.permanence_correct}/{self.permanence_total}, "
            f"classified as bounce {self.detected}/{self.total}"
        )


def score_bounces(corpora: Path) -> BounceScore:
    from chalicelib.mail.classify import classify
    from chalicelib.mail.parse import parse

    folder = corpora / "flufl.bounce"
    score = BounceScore()
    for case in json.loads((folder / "expected.json").read_text(encoding="utf-8"))["cases"]:
        name = f"{case['file'].removeprefix('tests/data/')} ({case['detector']})"
        bounce = classify(parse((folder / case["file"]).read_bytes())).bounce
        expected = set(case["expected_addresses"])
        got = set(bounce.recipients) if bounce else set()
        score.total += 1
        score.detected += bounce is not None
        if bounce is None:
            score.not_detected.append(f"{name}: expected {sorted(expected) or 'no recipients'} ({case['kind']})")
        if got == expected:
            score.recipients_exact += 1
        else:
            score.failures.append(f"{name}: recipients {sorted(got)}, expected {sorted(expected)}")
        if expected and case["kind"] in ("permanent", "temporary"):
            score.permanence_total += 1
            if bounce is not None and bounce.permanent == (case["kind"] == "permanent"):
                score.permanence_correct += 1
            else:
                verdict = "none" if bounce is None else ("permanent" if bounce.permanent else "temporary")
                score.failures.append(f"{name}: {verdict}, expected {case['kind']}")
    return score


# -- robustness --------------------------------------------------------------------------------------------


@dataclass
class RobustnessScore:
    corpus: str
    files: int = 0
    parsed: int = 0
    with_text: int = 0  # a non-empty text body or at least one attachment
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.corpus}: {self.parsed}/{self.files} parsed and classified without an exception"


def robustness_files(corpora: Path, corpus: str) -> list[Path]:
    return sorted((corpora / corpus).glob(ROBUSTNESS_CORPORA[corpus]))


def score_robustness(corpora: Path, corpus: str) -> RobustnessScore:
    from chalicelib.mail.classify import classify
    from chalicelib.mail.parse import parse

    score = RobustnessScore(corpus)
    for path in robustness_files(corpora, corpus):
        score.files += 1
        name = str(path.relative_to(corpora / corpus))
        try:
            mail = parse(path.read_bytes())
            classify(mail)
        except Exception as exc:  # counting every failure is the point of this score
            score.errors.append(f"{name}: {exc.__class__.__name__}: {exc}")
            continue
        score.parsed += 1
        score.with_text += bool(mail.text.strip() or mail.attachments)
    return score
