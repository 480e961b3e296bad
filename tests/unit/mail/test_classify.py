"""Classification: auto-replies, bulk mail, bounces, complaints, and the SES spam and virus verdicts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.mail.classify import classify
from chalicelib.mail.model import Bounce, Classification
from chalicelib.mail.parse import parse

Sample = Callable[[str], bytes]


def _mail(*headers: str, body: str = "Hello.") -> bytes:
    lines = ["From: kim@example.net", "To: support@example.com", "Subject: Question", *headers]
    return ("\n".join(lines) + f"\n\n{body}\n").encode()


def test_a_person_s_mail_is_nothing_special() -> None:
    assert classify(parse(_mail())) == Classification()
    assert not classify(parse(_mail())).automatic


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-notified; owner-email=x@example.net",
        "X-Autoreply: yes",
        "X-Autorespond: Out of office",
        "X-Auto-Response-Suppress: All",
        "Precedence: auto_reply",
        "Precedence: junk",
    ],
)
def test_auto_reply_headers_mark_an_auto_reply(header: str) -> None:
    result = classify(parse(_mail(header)))
    assert result.auto_reply and result.automatic


def test_auto_submitted_no_is_a_person_writing() -> None:
    assert not classify(parse(_mail("Auto-Submitted: no"))).auto_reply


@pytest.mark.parametrize(
    "header",
    ["List-Id: <news.example.com>", "List-Unsubscribe: <mailto:u@example.com>", "Precedence: bulk", "Precedence: list"],
)
def test_list_and_bulk_headers_mark_bulk_mail_not_an_auto_reply(header: str) -> None:
    result = classify(parse(_mail(header)))
    assert result.bulk and not result.auto_reply and result.newsletter and not result.list_post


def test_a_post_to_a_discussion_list_is_bulk_but_no_newsletter() -> None:
    result = classify(parse(_mail("List-Id: <users.lists.example.org>", "List-Post: <mailto:users@lists.example.org>")))
    assert result.bulk and result.list_post and not result.newsletter


def test_a_newsletter_is_bulk_mail_never_answered(sample: Sample) -> None:
    result = classify(parse(sample("newsletter.eml")))
    assert result.newsletter and result.automatic and result.bounce is None


def test_delivery_status_report_names_the_original_recipient_and_the_status(sample: Sample) -> None:
    result = classify(parse(sample("dsn_permanent.eml")))
    assert result.bounce == Bounce(permanent=True, recipients=("nobody@example.org",), status="5.1.1")
    assert result.auto_reply and not result.complaint


def test_delayed_delivery_report_is_a_temporary_bounce(sample: Sample) -> None:
    result = classify(parse(sample("dsn_delayed.eml")))
    assert result.bounce == Bounce(permanent=False, recipients=("nobody@example.org",), status="4.4.1")


def test_successful_delivery_report_is_no_bounce(sample: Sample) -> None:
    assert classify(parse(sample("dsn_delivered.eml"))).bounce is None


def test_free_form_mailer_daemon_bounce_is_read_by_the_mta_detectors(sample: Sample) -> None:
    result = classify(parse(sample("qmail_bounce.eml")))
    assert result.bounce == Bounce(permanent=True, recipients=("gone@example.net",), status="5.1.1")


def test_x_failed_recipients_alone_makes_a_bounce() -> None:
    raw = _mail("X-Failed-Recipients: a@example.org, b@example.org", body="Delivery failed.")
    bounce = classify(parse(raw)).bounce
    assert bounce is not None and bounce.recipients == ("a@example.org", "b@example.org") and bounce.permanent


def test_a_postmaster_writing_a_normal_mail_is_no_bounce() -> None:
    raw = b"From: postmaster@example.net\nTo: support@example.com\nSubject: Our new address\n\nHello!\n"
    assert classify(parse(raw)).bounce is None


def test_arf_feedback_report_is_a_complaint_not_a_bounce(sample: Sample) -> None:
    result = classify(parse(sample("arf_complaint.eml")))
    assert result.complaint and result.bounce is None


@pytest.mark.parametrize(
    ("verdicts", "spam", "virus"),
    [
        ({"spam": "PASS", "virus": "PASS"}, False, False),
        ({"spam": "FAIL", "virus": "PASS"}, True, False),
        ({"spam": "GRAY", "virus": "FAIL"}, False, True),
        ({"spam": "PROCESSING_FAILED"}, False, False),
        ({"spamVerdict": {"status": "FAIL"}, "virusVerdict": {"status": "FAIL"}}, True, True),
        (None, False, False),
    ],
)
def test_ses_verdicts_mark_spam_and_viruses(verdicts: dict[str, object] | None, spam: bool, virus: bool) -> None:
    result = classify(parse(_mail()), verdicts)
    assert (result.spam, result.virus) == (spam, virus)


def test_verdict_headers_written_by_the_sender_are_ignored() -> None:
    result = classify(parse(_mail("X-SES-Spam-Verdict: FAIL", "X-SES-Virus-Verdict: FAIL")))
    assert not result.spam and not result.virus
