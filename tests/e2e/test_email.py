"""Email end to end through the local stack's SMTP port: a conversation, a duplicate, an auto-responder."""

from __future__ import annotations

import json
import smtplib
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any, TypeVar

import pytest

from tests.e2e.conftest import Stack, call

pytestmark = pytest.mark.e2e
SUPPORT = "help@support.lambdesk.local"
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float = 25.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("timed out waiting for the stack")


def smtp_send(stack: Stack, message: EmailMessage, to: str = SUPPORT) -> None:
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.send_message(message, to_addrs=[to])


def outbox(stack: Stack) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stack.cli("mail", "outbox").splitlines() if line.strip()]


def customer_mail(subject: str, body: str, to: str = SUPPORT, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Mia Customer <mia@customer.example>", to, subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@customer.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def timeline(stack: Stack, ticket_id: str) -> list[dict[str, Any]]:
    status, detail = call(stack, "GET", f"/v1/tickets/{ticket_id}")
    assert status == 200
    entries: list[dict[str, Any]] = detail["timeline"]
    return entries


def test_a_mail_conversation_threads_and_never_loops(stack: Stack) -> None:
    first = customer_mail("Cannot reset my password", "The reset link says it expired.")
    smtp_send(stack, first)

    def mias_ticket() -> dict[str, Any] | None:
        _, page = call(stack, "GET", "/v1/tickets?view=requester&requester_email=mia@customer.example")
        return page["items"][0] if page["items"] else None

    ticket = eventually(mias_ticket)
    assert ticket["subject"] == "Cannot reset my password" and ticket["channel"] == "email"

    # the requester gets an acknowledgement, marked as automatic
    ack = eventually(lambda: next((m for m in outbox(stack) if m["ticket_id"] == ticket["id"]), None))
    assert ack["to"] == ["mia@customer.example"] and ack["auto_submitted"] == "auto-replied"
    assert f"[#{ticket['number']}]" in ack["subject"]
    # ... offering the demo's help article on the question, with its "this solved it" link
    assert "Reset your password" in ack["text"] and "/portal/kb/solve/" in ack["text"]

    # routing assigns it (a write of its own); then an agent's API reply goes out with threading headers and
    # the signed Reply-To
    ticket = eventually(lambda: (t := mias_ticket()) and t["assignee_id"] and t)
    status, _ = call(
        stack,
        "POST",
        f"/v1/tickets/{ticket['id']}/replies",
        {"body": "Here is a new link.", "version": ticket["version"]},
    )
    assert status == 201
    reply = eventually(
        lambda: next((m for m in outbox(stack) if m["ticket_id"] == ticket["id"] and m["auto_submitted"] is None), None)
    )
    assert reply["in_reply_to"] == first["Message-ID"]
    reply_address = parseaddr(reply["reply_to"])[1]
    assert reply_address.startswith(f"help+{ticket['number']}-")

    # the customer's answer (to the Reply-To, quoting) lands on the same ticket, visible part only
    answer = customer_mail(
        f"Re: {reply['subject']}",
        "Thanks, that worked!\n\nOn Mon, Nov 2, 2026 at 9:00 AM Support wrote:\n> Here is a new link.",
        to=reply_address,
        In_Reply_To=reply["message_id"],
    )
    smtp_send(stack, answer, to=reply_address)

    def customer_messages() -> list[dict[str, Any]] | None:
        found = [
            e
            for e in timeline(stack, ticket["id"])
            if e["event"] == "message.added" and e["author"]["kind"] == "customer"
        ]
        return found if len(found) >= 2 else None

    messages = eventually(customer_messages)
    assert messages[-1]["body"] == "Thanks, that worked!"

    # the same mail delivered again gives no second message
    smtp_send(stack, answer, to=reply_address)
    time.sleep(3)
    assert len(customer_messages() or []) == 2

    # an auto-responder answering our mail opens nothing and gets nothing back
    sent_before = len(outbox(stack))
    ooo = customer_mail(
        "Automatic reply: out of office",
        "I am away until Monday.",
        In_Reply_To=reply["message_id"],
        Auto_Submitted="auto-replied",
    )
    smtp_send(stack, ooo)
    note = eventually(lambda: next((e for e in timeline(stack, ticket["id"]) if e["event"] == "mail.auto_reply"), None))
    assert note["public"] is False
    time.sleep(2)
    assert len(outbox(stack)) == sent_before
    _, page = call(stack, "GET", "/v1/tickets?view=requester&requester_email=mia@customer.example&include_solved=true")
    assert len(page["items"]) == 1


def test_smtp_refuses_mail_for_other_domains(stack: Stack) -> None:
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.sendmail("x@example.com", ["someone@elsewhere.example"], "Subject: x\r\n\r\nx")
