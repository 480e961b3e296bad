"""The in-repo corpora (tests/corpora): mail gathered from other projects' fixtures, scored on a tuned share and a
held-out share.

Every case goes to one share by a hash of its source and name, fixed before any tuning: about one case in three
is held out. Rules were tuned by looking at failures of the tuned share only; the held-out share is reported
beside it, as the estimate of how the pipeline does on mail nobody tuned for.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conformance.corpora import ROOT, RobustnessScore, Score, squash

GATHERED = ROOT / "tests" / "corpora"
SHARES = ("tuned", "held-out")
REPLY_SOURCES = (
    "github-email_reply_parser",
    "willdurand-EmailReplyParser",
    "planer-talon",
    "crisp-oss-email-reply-parser",
    "web-ridge-email-reply-parser",
    "hellogustav-elixir_email_reply_parser",
    "t2bot-node-email-reply-parser",
    "edgetier-email-reply-parser",
    "alfonsrv-mail-parser-reply-round3",
)
# Upstream asserts strings in or out of the reply (no full expected reply): scored as all assertions holding.
ASSERTION_SOURCES = ("fiedl-extended_email_reply_parser", "alfonsrv-mail-parser-reply")
CLASSIFICATION_SOURCES = (
    "sisimai",
    "sisimai-fresh",
    "sisimai-round2",
    "sisimai-round3",
    "sisimai-round4",
    "bounced",
    "sisimai-round5",
    "baunsu",
    "sisimai-round6",
    "flanker",
    "zoonru-php-bounce-handler",
    "sisimai-round7",
)
ROBUSTNESS_SOURCES = {
    "spamscope-mail-parser": "mails/*.eml",
    "sisimai": "mails/*.eml",
    "sisimai-fresh": "mails/*.eml",
    "sisimai-round2": "mails/*.eml",
    "sisimai-round3": "mails/*.eml",
    "sisimai-round4": "mails/*.eml",
    "bounced": "mails/*.eml",
    "sisimai-round5": "mails/*.eml",
    "baunsu": "mails/*.eml",
    "sisimai-round6": "mails/*.eml",
    "flanker": "mails/*.eml",
    "zoonru-php-bounce-handler": "mails/*.eml",
    "sisimai-round7": "mails/*.eml",
}


def share(source: str, name: str) -> str:
    """Sources gathered after the tuning say so (``"share": "held-out"``): all their cases are held out. ``name`` is
    the case's ``share_key`` when it has one (cases built from shared parts go to a share together)."""
    fixed = json.loads((GATHERED / source / "cases.json").read_text(encoding="utf-8")).get("share")
    if fixed:
        return str(fixed)
    digest = int(hashlib.sha256(f"{source}/{name}".encode()).hexdigest(), 16)
    return "held-out" if digest % 3 == 0 else "tuned"


def cases(source: str) -> list[dict[str, Any]]:
    return list(json.loads((GATHERED / source / "cases.json").read_text(encoding="utf-8"))["cases"])


def case_name(case: dict[str, Any]) -> str:
    return str(case.get("name") or case["file"])


def share_of(source: str, case: dict[str, Any]) -> str:
    return share(source, str(case.get("share_key") or case_name(case)))


# -- reply stripping ---------------------------------------------------------------------------------------


def score_replies(source: str) -> dict[str, Score]:
    """Exact = equal after stripping surrounding whitespace. planer-talon expects quotations removed only (talon's
    semantics), so it is scored with ``strip_signature=False``; the others expect the visible reply. A case that
    carries ``includes``/``excludes`` instead of ``expected_reply`` (upstream asserts part of the reply only) passes
    when every assertion holds."""
    from chalicelib.mail.quotes import visible_text

    strip_signature = source != "planer-talon"
    scores = {s: Score(f"{source} ({s})") for s in SHARES}
    for case in cases(source):
        got = visible_text(case["text"], strip_signature=strip_signature)
        name = case_name(case)
        if "expected_reply" in case:
            expected = case["expected_reply"]
            scores[share_of(source, case)].add(name, got.strip() == expected.strip(), squash(got) == squash(expected))
        else:
            ok = _assertions_hold(case, got)
            scores[share_of(source, case)].add(name, ok, ok)
    return scores


def score_assertions(source: str) -> dict[str, Score]:
    """A case passes when the visible reply contains every ``includes`` string and none of ``excludes``."""
    from chalicelib.mail.quotes import visible_text

    scores = {s: Score(f"{source} ({s})") for s in SHARES}
    for case in cases(source):
        ok = _assertions_hold(case, visible_text(case["text"]))
        scores[share(source, case["name"])].add(case["name"], ok, ok)
    return scores


def _assertions_hold(case: dict[str, Any], got: str) -> bool:
    return all(s in got for s in case["includes"]) and not any(s in got for s in case["excludes"])


# -- classification ----------------------------------------------------------------------------------------


@dataclass
class ClassificationScore:
    """Bounces, complaints and auto-replies against labelled mails; every count is of cases."""

    name: str
    bounces: int = 0  # cases labelled as a bounce
    bounces_found: int = 0
    without_recipient: int = 0  # detected bounces naming no recipient
    unnamed: int = 0  # ... of them, those whose notice names no address either (the label has none)
    recipients_exact: int = 0
    permanence_correct: int = 0
    not_bounces: int = 0  # cases labelled as no bounce (success reports, complaints, auto-replies)
    false_bounces: int = 0
    complaints: int = 0
    complaints_found: int = 0
    false_complaints: int = 0
    auto_replies: int = 0
    auto_replies_found: int = 0
    false_auto_replies: int = 0
    crashes: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.name}: bounces {self.bounces_found}/{self.bounces} (recipients exact {self.recipients_exact}, "
            f"without recipient {self.without_recipient}, permanence {self.permanence_correct}), false bounces "
            f"{self.false_bounces}/{self.not_bounces}, complaints {self.complaints_found}/{self.complaints} "
            f"(false {self.false_complaints}), auto-replies {self.auto_replies_found}/{self.auto_replies} "
            f"(false {self.false_auto_replies}), crashes {self.crashes}"
        )

    def add(self, name: str, expected: dict[str, Any], got: Any) -> None:
        self._bounce(name, expected, got.bounce)
        if expected["complaint"] is not None:  # None: the source does not say (a DMARC failure report)
            self._flag(name, "complaint", expected["complaint"], got.complaint)
        if expected.get("auto_reply") is not None:
            self._flag(name, "auto_reply", expected["auto_reply"], got.auto_reply)

    def _bounce(self, name: str, expected: dict[str, Any], bounce: Any) -> None:
        if not expected["bounce"]:
            self.not_bounces += 1
            if bounce is not None:
                self.false_bounces += 1
                self.failures.append(f"{name}: a bounce ({bounce}), expected none")
            return
        self.bounces += 1
        if bounce is None:
            self.failures.append(f"{name}: no bounce, expected one")
            return
        self.bounces_found += 1
        self.without_recipient += not bounce.recipients
        self.unnamed += not bounce.recipients and not expected["recipients"]
        wanted = sorted(expected["recipients"] or [])
        if sorted(r.lower() for r in bounce.recipients) == [w.lower() for w in wanted]:
            self.recipients_exact += 1
        else:
            self.failures.append(f"{name}: recipients {list(bounce.recipients)}, expected {wanted}")
        if bounce.permanent == expected["permanent"]:
            self.permanence_correct += 1
        else:
            self.failures.append(f"{name}: permanent={bounce.permanent}, expected {expected['permanent']}")

    def _flag(self, name: str, kind: str, expected: bool, got: bool) -> None:
        total, found, false = {"complaint": ("complaints", "complaints_found", "false_complaints")}.get(
            kind, ("auto_replies", "auto_replies_found", "false_auto_replies")
        )
        if expected:
            setattr(self, total, getattr(self, total) + 1)
            setattr(self, found, getattr(self, found) + got)
        elif got:
            setattr(self, false, getattr(self, false) + 1)
        if expected != got:
            self.failures.append(f"{name}: {kind}={got}, expected {expected}")


def score_classification(source: str) -> dict[str, ClassificationScore]:
    from chalicelib.mail.classify import classify
    from chalicelib.mail.parse import parse

    scores = {s: ClassificationScore(f"{source} ({s})") for s in SHARES}
    for case in cases(source):
        name = case_name(case)
        score = scores[share(source, name)]
        try:
            got = classify(parse((GATHERED / source / case["file"]).read_bytes()))
        except Exception as exc:  # counting every crash is the point of this score
            score.crashes += 1
            score.failures.append(f"{name}: {exc.__class__.__name__}: {exc}")
            continue
        score.add(name, case["expected"], got)
    return scores


# -- robustness and memory ---------------------------------------------------------------------------------


def mail_files() -> Iterator[tuple[str, Path]]:
    for source, pattern in ROBUSTNESS_SOURCES.items():
        for path in sorted((GATHERED / source).glob(pattern)):
            yield source, path


def score_gathered_robustness(source: str) -> RobustnessScore:
    from chalicelib.mail.classify import classify
    from chalicelib.mail.parse import parse

    score = RobustnessScore(source)
    for path in sorted((GATHERED / source).glob(ROBUSTNESS_SOURCES[source])):
        score.files += 1
        try:
            mail = parse(path.read_bytes())
            classify(mail)
        except Exception as exc:  # counting every failure is the point of this score
            score.errors.append(f"{path.name}: {exc.__class__.__name__}: {exc}")
            continue
        score.parsed += 1
        score.with_text += bool(mail.text.strip() or mail.attachments)
    return score


def peak_memory_mb(paths: list[Path]) -> tuple[float, str]:
    """The largest Python-heap peak (tracemalloc) that parsing and classifying one of ``paths`` reached, and
    which file it was."""
    from chalicelib.mail.classify import classify
    from chalicelib.mail.errors import UnparseableMail
    from chalicelib.mail.parse import parse

    worst, which = 0.0, ""
    tracemalloc.start()
    try:
        for path in paths:
            raw = path.read_bytes()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            with contextlib.suppress(UnparseableMail):
                classify(parse(raw))
            peak = (tracemalloc.get_traced_memory()[1] - base) / 1e6
            if peak > worst:
                worst, which = peak, path.name
    finally:
        tracemalloc.stop()
    return round(worst, 1), which
