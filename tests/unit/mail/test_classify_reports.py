"""Reports nobody tuned for (issue 17): vacation replies without headers, non-ARF complaints, SES notifications
arriving as mail, success reports, odd bounce senders, bounces that name no recipient. Each mail is written here;
the gathered corpora (tests/corpora) hold the real ones."""

from __future__ import annotations

import json

import pytest

from chalicelib.mail.classify import classify
from chalicelib.mail.model import Bounce
from chalicelib.mail.parse import parse


def _mail(*headers: str, body: str = "Hello.") -> bytes:
    has_from = any(h.lower().startswith("from:") for h in headers)
    lines = [*([] if has_from else ["From: kim@example.net"]), "To: support@example.com", *headers]
    return ("\n".join(lines) + f"\n\n{body}\n").encode()


@pytest.mark.parametrize(
    "headers",
    [
        ("Subject: Auto reply: Printer", "X-Apple-Action: VACATION"),  # iCloud
        ("Subject: Automatic reply: Printer",),  # Outlook, no header
        ("Subject: Out of Office: Printer",),
        ("Subject: AUTO: Kim is out of the office (returning 05/01)",),  # Lotus Notes
        ("Subject: Re: Printer (Automatic Response)",),  # AOL
        ("Subject: Abwesenheitsnotiz: Drucker",),
        ("Subject: Réponse automatique : Imprimante",),
        ("Subject: Printer", "X-Apple-Action: VACATION"),
    ],
)
def test_vacation_replies_are_auto_replies_even_without_auto_submitted(headers: tuple[str, ...]) -> None:
    kind = classify(parse(_mail(*headers, body="I am away until Monday.")))
    assert kind.auto_reply and kind.bounce is None and not kind.complaint


def test_a_person_writing_about_an_out_of_office_is_no_auto_reply() -> None:
    assert not classify(parse(_mail("Subject: Re: Out-of-office schedule for May"))).auto_reply


def test_an_apple_mail_unsubscribe_is_a_complaint_not_an_auto_reply() -> None:
    raw = _mail("Subject: unsubscribe", "Auto-Submitted: auto-replied", "X-Apple-Unsubscribe: true")
    kind = classify(parse(raw))
    assert (kind.complaint, kind.auto_reply, kind.bounce) == (True, False, None)


def test_a_microsoft_junk_report_that_is_not_arf_is_a_complaint() -> None:
    raw = (
        b"From: staff@hotmail.com\nTo: abuse@example.com\nSubject: complaint about message from 192.0.2.1\n"
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: message/rfc822\n\n'
        b"X-HmXmrOriginalRecipient: kim@example.net\nFrom: support@example.com\nTo: kim@example.net\n"
        b"Subject: Your ticket\n\nHello\n--B--\n"
    )
    kind = classify(parse(raw))
    assert kind.complaint and kind.bounce is None


def _sns_mail(notification: dict[str, object], *, envelope: bool) -> bytes:
    text = json.dumps(notification)
    if envelope:
        text = json.dumps({"Type": "Notification", "Message": text}, indent=2)
    return _mail(
        "From: AWS Notifications <no-reply@sns.amazonaws.com>",
        "Subject: AWS Notification Message",
        "x-amz-sns-message-id: 1af9f4b7",
        body=text,
    )


@pytest.mark.parametrize("envelope", [False, True])
def test_an_ses_bounce_notification_arriving_as_mail_is_a_bounce(envelope: bool) -> None:
    bounce = {
        "bounceType": "Permanent",
        "bouncedRecipients": [{"emailAddress": "gone@example.net", "status": "5.1.1"}],
    }
    kind = classify(parse(_sns_mail({"notificationType": "Bounce", "bounce": bounce}, envelope=envelope)))
    assert kind.bounce == Bounce(permanent=True, recipients=("gone@example.net",), status="5.1.1")
    assert kind.automatic and not kind.complaint


def test_an_ses_complaint_notification_arriving_as_mail_is_a_complaint() -> None:
    complaint = {"complainedRecipients": [{"emailAddress": "kim@example.net"}]}
    kind = classify(parse(_sns_mail({"notificationType": "Complaint", "complaint": complaint}, envelope=True)))
    assert kind.complaint and kind.bounce is None


def test_an_ses_delivery_notification_is_no_bounce_but_never_answered() -> None:
    kind = classify(parse(_sns_mail({"notificationType": "Delivery", "delivery": {}}, envelope=False)))
    assert kind.bounce is None and not kind.complaint and kind.automatic


def _dsn(action: str, status: str, sender: str = "MAILER-DAEMON@mx.example.net") -> bytes:
    return (
        f"From: {sender}\nTo: support@example.com\nSubject: Delivery Status Notification\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nReport.\n--B\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; kim@example.net\nAction: {action}\n"
        f"Status: {status}\n\n--B--\n"
    ).encode()


@pytest.mark.parametrize(("action", "status"), [("deliverable", "2.1.5"), ("delivered", "2.0.0"), ("failed", "2.0.0")])
def test_success_reports_are_never_bounces(action: str, status: str) -> None:
    assert classify(parse(_dsn(action, status))).bounce is None


def test_a_failure_report_is_still_a_bounce() -> None:
    assert classify(parse(_dsn("failed", "5.1.1"))).bounce == Bounce(True, ("kim@example.net",), "5.1.1")


def test_a_report_names_only_the_permanently_failed_recipients_beside_a_full_mailbox() -> None:
    raw = _dsn("failed", "5.1.1").replace(
        b"\n\n--B--", b"\n\nFinal-Recipient: rfc822; full@example.net\nAction: failed\nStatus: 5.2.2\n\n--B--"
    )
    assert classify(parse(raw)).bounce == Bounce(True, ("kim@example.net",), "5.1.1")


def test_a_failure_with_a_transient_status_is_a_temporary_bounce() -> None:
    # the MTA gave up (Action: failed), but the 4.x.x condition is transient (RFC 3463): the address is not dead
    assert classify(parse(_dsn("failed", "4.4.7"))).bounce == Bounce(False, ("kim@example.net",), "4.4.7")


@pytest.mark.parametrize("sender", ["MAILER-DAEMON", "post_master@carrier.example", "Postmaster@ezweb.example"])
def test_bare_and_post_master_senders_with_a_failure_subject_are_bounces(sender: str) -> None:
    raw = _mail(
        f"From: {sender}",
        "Subject: Mail System Error - Returned Mail",
        body="Error: Invalid user address\nRCPT TO: <gone@example.net>\n550 Requested action not taken: no such user",
    )
    bounce = classify(parse(raw)).bounce
    assert bounce is not None and bounce.recipients == ("gone@example.net",)


def _undelivered(original_headers: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: support@example.com\n"
        'Subject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nYour message could not be delivered. This is a permanent error.\n"
        f"--B\nContent-Type: message/rfc822\n\n{original_headers}\nSubject: Your ticket\n\nHello\n--B--\n"
    ).encode()


def test_a_bounce_naming_no_recipient_takes_the_returned_original_s_addressee() -> None:
    bounce = classify(parse(_undelivered("From: support@example.com\nTo: Kim <Kim@Example.net>"))).bounce
    assert bounce is not None and bounce.recipients == ("kim@example.net",)


def test_a_returned_list_mail_does_not_name_the_list_as_the_failed_recipient() -> None:
    headers = "From: support@example.com\nTo: team@lists.example.net\nList-Id: <team.lists.example.net>"
    bounce = classify(parse(_undelivered(headers))).bounce
    assert bounce is not None and bounce.recipients == ()


def test_an_apache_james_notice_with_a_re_subject_is_a_bounce() -> None:
    # the shape of James' AbstractNotify notice, as sisimai's ApacheJames module documents it
    body = (
        "Hi. This is the James mail server at mx.example.net.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        "Error message below:\n550 - Requested action not taken: no such user here\n\n"
        "Message details:\n  Subject: Your ticket\n  Sent date: Mon Mar 04 10:00:00 UTC 2024\n"
        "  MAIL FROM: support@example.com\n  RCPT TO: gone@example.net\n  From: support@example.com\n"
    )
    raw = _mail("From: post_master@mx.example.net", "Subject: Re: Your ticket", body=body)
    bounce = classify(parse(raw)).bounce
    assert bounce is not None and bounce.recipients == ("gone@example.net",) and bounce.permanent


def test_a_postmaster_writing_an_ordinary_mail_is_no_bounce() -> None:
    raw = _mail("From: postmaster@example.net", "Subject: Re: Your ticket", body="Thanks, the DNS is fixed now.")
    assert classify(parse(raw)).bounce is None


@pytest.mark.parametrize(
    ("status", "text"),
    [("5.2.2", "Mailbox full"), ("4.2.2", "Mailbox full"), (None, "552 Message would exceed mailbox quota")],
)
def test_a_full_mailbox_is_not_a_permanent_failure(status: str | None, text: str) -> None:
    raw = (
        _dsn("failed", status)
        if status
        else _mail(
            "From: MAILER-DAEMON@mx.example.net", "Subject: Undeliverable", body=f"RCPT TO: <kim@example.net>\n{text}"
        )
    )
    bounce = classify(parse(raw)).bounce
    assert bounce is not None and bounce.recipients == ("kim@example.net",) and not bounce.permanent


def test_a_status_naming_another_failure_stays_permanent() -> None:
    bounce = classify(parse(_dsn("failed", "5.1.1"))).bounce
    assert bounce is not None and bounce.permanent


def test_the_returned_original_s_x_original_to_names_the_failed_recipient_among_several_addressees() -> None:
    headers = "From: support@example.com\nTo: kim@example.net, lee@example.net\nX-Original-To: lee@example.net"
    bounce = classify(parse(_undelivered(headers))).bounce
    assert bounce is not None and bounce.recipients == ("lee@example.net",)


def test_an_original_quoted_inline_under_exim_s_copy_marker_names_the_recipient() -> None:
    body = (
        "This message was created automatically by mail delivery software.\n\nA message that you sent has not "
        "been delivered.\n\n------ This is a copy of the message, including all the headers. ------\n"
        "From: support@example.com\nTo: Kim <kim@example.net>\nSubject: Your ticket\n\nHello\n"
    )
    raw = _mail("From: Mail Delivery System <Mailer-Daemon@mx.example.net>", "Subject: Mail failure", body=body)
    bounce = classify(parse(raw)).bounce
    assert bounce is not None and bounce.recipients == ("kim@example.net",)


def test_a_report_without_delivery_status_takes_the_recipient_from_the_postfix_notice() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: support@example.com\n"
        b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nI'm sorry to have to inform you that your message could not\n"
        b"be delivered to one or more recipients.\n\n<kim@example.net>: host mx.example.net said: 554\n"
        b"    5.7.1 Client host rejected (in reply to RCPT TO command)\n\n"
        b"--B\nContent-Type: text/rfc822-headers\n\nFrom: support@example.com\nTo: kim@example.net\n"
        b"Precedence: bulk\nSubject: Your ticket\n\n--B--\n"
    )
    bounce = classify(parse(raw)).bounce
    assert bounce is not None and bounce.recipients == ("kim@example.net",)
