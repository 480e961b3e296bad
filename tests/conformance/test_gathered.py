"""The in-repo corpora (tests/corpora), tuned and held-out shares reported apart: floors at what we achieve, so a
regression fails. These never skip: the corpora are part of the repository."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conformance.gathered import (
    ASSERTION_SOURCES,
    CLASSIFICATION_SOURCES,
    REPLY_SOURCES,
    ROBUSTNESS_SOURCES,
    mail_files,
    peak_memory_mb,
    score_assertions,
    score_classification,
    score_gathered_robustness,
    score_replies,
)

Record = Callable[[str, object], None]

# (tuned exact, held-out exact): raise them when the numbers go up (docs/email-conformance.md has the current ones).
REPLY_FLOORS = {
    "github-email_reply_parser": (16, 9),
    "willdurand-EmailReplyParser": (13, 6),
    "planer-talon": (23, 8),
    "crisp-oss-email-reply-parser": (30, 21),
    "web-ridge-email-reply-parser": (21, 9),
    "hellogustav-elixir_email_reply_parser": (0, 8),
    "t2bot-node-email-reply-parser": (0, 21),
    "edgetier-email-reply-parser": (24, 7),
    "alfonsrv-mail-parser-reply-round3": (0, 19),
}
REPLY_TOTALS = {
    "github-email_reply_parser": (18, 11),
    "willdurand-EmailReplyParser": (13, 6),
    "planer-talon": (25, 12),
    "crisp-oss-email-reply-parser": (31, 22),
    "web-ridge-email-reply-parser": (28, 12),
    "hellogustav-elixir_email_reply_parser": (0, 9),
    "t2bot-node-email-reply-parser": (0, 21),
    "edgetier-email-reply-parser": (24, 8),
    "alfonsrv-mail-parser-reply-round3": (0, 19),
}
MAX_PEAK_MB = 100
ASSERTION_TOTALS = {"fiedl-extended_email_reply_parser": 4, "alfonsrv-mail-parser-reply": 10}
# (bounces not detected, bounces with the wrong permanence) allowed: docs/email-conformance.md says which and why.
KNOWN_BOUNCE_MISSES = {("sisimai-round2", "held-out"): (1, 0)}
MIN_FILES = {"spamscope-mail-parser": 11, "sisimai": 22, "sisimai-fresh": 9, "sisimai-round2": 10, "sisimai-round3": 7}


@pytest.mark.parametrize("source", REPLY_SOURCES)
def test_gathered_replies_keep_the_reply_on_both_shares(source: str, record_property: Record) -> None:
    scores = score_replies(source)
    tuned, held_out = scores["tuned"], scores["held-out"]
    record_property("conformance", f"gathered reply stripping, {tuned.summary}; {held_out.summary}")
    assert (tuned.total, held_out.total) == REPLY_TOTALS[source]
    assert tuned.exact >= REPLY_FLOORS[source][0], tuned.failures + tuned.near_misses
    assert held_out.exact >= REPLY_FLOORS[source][1], held_out.failures + held_out.near_misses


@pytest.mark.parametrize("source", ASSERTION_SOURCES)
def test_gathered_assertions_hold_on_mail_gathered_after_tuning(source: str, record_property: Record) -> None:
    score = score_assertions(source)["held-out"]
    record_property("conformance", f"gathered reply assertions, {score.summary}")
    assert score.total == ASSERTION_TOTALS[source] and score.exact == score.total, score.failures


@pytest.mark.parametrize("source", CLASSIFICATION_SOURCES)
@pytest.mark.parametrize("share", ["tuned", "held-out"])
def test_gathered_reports_are_classified(source: str, share: str, record_property: Record) -> None:
    score = score_classification(source)[share]
    record_property("conformance", f"gathered classification, {score.summary}")
    assert score.crashes == 0, score.failures
    assert score.false_bounces == 0 and score.false_complaints == 0 and score.false_auto_replies == 0, score.failures
    missed, wrong_permanence = KNOWN_BOUNCE_MISSES.get((source, share), (0, 0))
    assert score.bounces_found >= score.bounces - missed, score.failures
    assert score.complaints_found == score.complaints, score.failures
    assert score.auto_replies_found == score.auto_replies, score.failures
    assert score.permanence_correct >= score.bounces_found - wrong_permanence, score.failures
    assert score.without_recipient <= (1 if share == "held-out" else 0), score.failures


@pytest.mark.parametrize("source", sorted(ROBUSTNESS_SOURCES))
def test_gathered_mail_parses_without_an_exception(source: str, record_property: Record) -> None:
    score = score_gathered_robustness(source)
    record_property("conformance", f"gathered robustness, {score.summary}")
    assert score.files >= MIN_FILES[source] and score.errors == [] and score.parsed == score.files


def test_no_gathered_mail_costs_more_than_100_mb_of_heap() -> None:
    peak, which = peak_memory_mb([path for _, path in mail_files()])
    assert peak <= MAX_PEAK_MB, which
