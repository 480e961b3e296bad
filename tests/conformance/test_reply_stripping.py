"""Reply stripping on discourse/email_reply_trimmer and mailgun/talon: floors at what we achieve."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conformance.corpora import score_discourse, score_talon

# Regression guards: raise them when the numbers go up (docs/email-conformance.md has the current ones).
DISCOURSE_EXACT = 64
DISCOURSE_NORMALISED = 64
TALON_EXACT = 23
TALON_NORMALISED = 23

Record = Callable[[str, object], None]


def test_discourse_reply_trimmer_corpus_keeps_the_reply_only(corpora: Path, record_property: Record) -> None:
    score = score_discourse(corpora)
    record_property("conformance", f"reply stripping, {score.summary}; failing: {score.failures or 'none'}")
    print(score.summary, score.failures)
    assert score.total == 64
    assert score.exact >= DISCOURSE_EXACT, score.failures + score.near_misses
    assert score.normalised >= DISCOURSE_NORMALISED, score.failures


def test_talon_corpus_removes_quotations_from_text_and_html(corpora: Path, record_property: Record) -> None:
    score = score_talon(corpora)
    record_property("conformance", f"reply stripping, {score.summary}; failing: {score.failures or 'none'}")
    print(score.summary, score.failures)
    assert score.total == 24
    assert score.exact >= TALON_EXACT, score.failures + score.near_misses
    assert score.normalised >= TALON_NORMALISED, score.failures


def test_talon_differences_with_signature_stripping_are_the_signatures(corpora: Path) -> None:
    """With signatures stripped (what Lambdesk shows), only the two cases whose expectation keeps a signature
    ("Sent from my iPhone", a Sparrow "-- " block) change."""
    quotes_only = set(score_talon(corpora).failures)
    full = set(score_talon(corpora, strip_signature=True).failures)
    assert full - quotes_only == {"standard_replies/iphone.eml", "standard_replies/sparrow.eml"}
