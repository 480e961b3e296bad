"""An agent's reply with uploaded attachments: the upload service's checks, and the mail that carries them."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from typing import Any

import pytest

from chalicelib.core.errors import NotFound, TooLarge
from chalicelib.domain.tickets import Channel
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.events.envelope import envelope
from chalicelib.mailflow.outbound import Outcome
from chalicelib.tickets.service import NewTicket
from chalicelib.tickets.uploads import Uploads, safe_name
from tests import fakes
from tests.fakes.objects import InMemoryObjectStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
AGENT = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


class FakeSes:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **params: Any) -> dict[str, str]:
        self.sent.append(params)
        return {"MessageId": f"0100-fake-{len(self.sent)}"}


def uploaded(uploads: Uploads, store: InMemoryObjectStore, name: str, data: bytes, agent: str = AGENT) -> str:
    started = uploads.start(agent, name, "application/pdf", len(data))
    assert store.upload(uploads.bucket, started.fields, data)
    return started.key


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("Résumé 2026.pdf", "R_sum_2026.pdf"),
        ("...", "attachment"),
    ],
)
def test_a_file_name_becomes_a_safe_last_key_segment(given: str, kept: str) -> None:
    assert safe_name(given) == kept


def test_resolve_lists_the_callers_uploads_and_refuses_anything_else() -> None:
    store = InMemoryObjectStore()
    uploads = Uploads(store, "mail", 100, lambda: NOW)
    key = uploaded(uploads, store, "a.pdf", b"%PDF-1")
    assert uploads.resolve(AGENT, [key, key]) == [
        {"key": key, "filename": "a.pdf", "content_type": "application/pdf", "size": 6}
    ]
    other = uploaded(uploads, store, "b.pdf", b"%PDF-2", agent="01BX5ZZKBKACTAV9WEVGEMMVRZ")
    with pytest.raises(NotFound, match=r"attachments\[1\]"):
        uploads.resolve(AGENT, [key, other])
    with pytest.raises(NotFound):
        uploads.resolve(AGENT, [f"attachments/uploads/{AGENT}/01BX5ZZKBKACTAV9WEVGEMMVRZ/never.pdf"])


def test_a_reply_cannot_carry_more_than_the_limit_together() -> None:
    store = InMemoryObjectStore()
    uploads = Uploads(store, "mail", 10, lambda: NOW)
    keys = [uploaded(uploads, store, f"{n}.pdf", b"123456") for n in range(2)]
    with pytest.raises(TooLarge):
        uploads.resolve(AGENT, keys)


def test_the_customer_mail_of_a_reply_attaches_its_uploads(memory_svc: Any) -> None:
    ses, store = FakeSes(), memory_svc.objects
    agent = memory_svc.directory.create_agent("ben@agents.example", "Ben Agent")
    outbound = fakes.outbound(memory_svc, store, ses, b"unit-test-signing-key-0123456789abcdef")
    ticket, _ = memory_svc.tickets.create(
        Actor(ActorKind.CUSTOMER, "c"),
        NewTicket(
            subject="Printer on fire",
            body_text="Help!",
            channel=Channel.EMAIL,
            requester_email="bob@customer.example",
            acknowledge=False,
            message_data={"message_id": "m1@customer.example", "references": []},
        ),
    )
    key = uploaded(memory_svc.agent_uploads, store, "manual.pdf", b"%PDF-1.7 manual", agent=agent.id)
    files = memory_svc.agent_uploads.resolve(agent.id, [key])
    memory_svc.tickets.reply(
        Actor(ActorKind.AGENT, agent.id), ticket.id, ticket.version, "Manual attached.", attachments=files
    )
    [event] = [
        envelope(e)
        for e in memory_svc.tickets.get(ticket.id)[1]
        if e.event == "message.added" and e.author.kind is ActorKind.AGENT
    ]
    assert outbound.handle(event) is Outcome.SENT
    mail = BytesParser(policy=policy.default).parsebytes(ses.sent[-1]["Content"]["Raw"]["Data"])
    [part] = mail.iter_attachments()
    assert (part.get_filename(), part.get_content_type(), part.get_content()) == (
        "manual.pdf",
        "application/pdf",
        b"%PDF-1.7 manual",
    )
