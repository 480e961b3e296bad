"""Bounce detection on flufl.bounce's corpus (~20 MTAs): failed recipients and permanent/temporary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conformance.corpora import score_bounces

RECIPIENTS_EXACT = 117
PERMANENCE_CORRECT = 103
DETECTED = 117

# expected.json records what one named flufl detector finds; for these two that detector finds nothing,
# while the mail does name the failed recipient (a DSN's Final-Recipient, an Exchange HTML report).
KNOWN_DISAGREEMENTS = (
    {"simple_42.txt (simplematch)", "groupwise_02.txt (groupwise)"}
    | {
        # a full mailbox, which flufl labels permanent; Lambdesk follows RFC 3463 (X.2.2 is a persistent transient
        # failure) and SES (MailboxFull is a Transient bounce): see docs/decisions/022-email-understanding.md
        f"{name} ({detector})"
        for name, detector in [
            ("simple_01.txt", "simplematch"),
            ("hotpop_01.txt", "simplematch"),
            ("simple_07.txt", "simplematch"),
            ("simple_09.txt", "simplematch"),
            ("simple_38.txt", "simplematch"),
            ("simple_45.txt", "simplematch"),
            ("qmail_06.txt", "qmail"),
            ("yahoo_02.txt", "yahoo"),
            ("yahoo_04.txt", "yahoo"),
        ]
    }
    | {
        # Action: failed with Status 4.4.7: flufl labels it permanent; Lambdesk follows RFC 3463 (a 4.x.x condition is
        # transient even when the MTA stopped retrying), as sisimai's and bounce_email's labels do (decision 022)
        "dsn_02.txt (dsn)"
    }
)


def test_bounces_name_the_failed_recipients_and_whether_to_retry(
    corpora: Path, record_property: Callable[[str, object], None]
) -> None:
    score = score_bounces(corpora)
    record_property("conformance", f"bounces, {score.summary}; failing: {score.failures or 'none'}")
    print(score.summary, score.failures)
    assert score.total == 119
    assert score.recipients_exact >= RECIPIENTS_EXACT, score.failures
    assert score.permanence_correct >= PERMANENCE_CORRECT, score.failures
    assert score.detected >= DETECTED
    assert {f.split(":")[0] for f in score.failures} <= KNOWN_DISAGREEMENTS
