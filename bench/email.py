"""The ``email`` section of ``make bench``: inbound mail through the real ingest handler against moto.

- ``ingest_per_second``: mails per second through ``MailIngest.handle`` (S3 read, parse, classify,
  thread, one DynamoDB transaction), one process, new mails from distinct senders. Against moto this is
  bounded by moto (it evaluates every Query over its whole in-memory table); the request counts are the
  figures that carry over to AWS;
- ``ddb_requests``: DynamoDB requests per ingested mail for a new ticket, a threaded reply and a bounce
  (counted with botocore hooks on every client pynamodb uses; S3 requests reported beside them);
- ``parse_ms``: median and p99 parse time per mail of ``chalicelib.mail.parse`` beside a full stdlib decode
  of the same mail (``message_from_bytes`` with ``policy.default``, then every leaf part's content decoded),
  on the real messages of the corpora: ``../shared/corpora`` (the mail files, not the expected-output texts
  beside them) and the in-repo ``tests/corpora``. Without the shared corpora the section fails: a benchmark
  that quietly shrinks to a handful of samples measures something else.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NEW_MAILS = 100
SUPPORT = "help@support.example.com"


# Real messages in the shared corpora (the rest are expected outputs, body-only texts and CSV files).
SHARED_MESSAGES = (
    "mikel-mail/**/*.eml",
    "cpython-test_email/**/msg_*.txt",
    "django-helpdesk/**/*.eml",
    "flufl.bounce/tests/data/*.txt",
    "mailgun-talon/**/*.eml",
)
MIN_SHARED_MESSAGES = 250


class CorporaMissing(RuntimeError):
    """The parse benchmark needs the real-world corpora."""


def corpus() -> tuple[str, list[bytes]]:
    base = Path(os.environ.get("LAMBDESK_CORPORA", ROOT.parent / "shared" / "corpora"))
    shared = sorted({p for pattern in SHARED_MESSAGES for p in base.glob(pattern) if p.is_file()})
    if len(shared) < MIN_SHARED_MESSAGES:
        raise CorporaMissing(
            f"found {len(shared)} mails under {base} (need {MIN_SHARED_MESSAGES}): set LAMBDESK_CORPORA or place "
            "the corpora at ../shared/corpora"
        )
    in_repo = sorted(p for p in (ROOT / "tests" / "corpora").rglob("*.eml") if p.is_file())
    return f"{base} + tests/corpora", [p.read_bytes() for p in shared + in_repo]


def stdlib_decode(raw: bytes) -> int:
    """The stdlib's own full decode: parse, then every leaf part's content (text decoded to str)."""
    message = message_from_bytes(raw, policy=policy.default)
    decoded = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            content = part.get_content()  # type: ignore[attr-defined]
        except (LookupError, KeyError, ValueError, UnicodeError, AttributeError, TypeError):
            content = part.get_payload(decode=True)  # unknown charsets and content managers' gaps
        decoded += len(content) if isinstance(content, str | bytes) else 1
    return decoded


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def parse_times() -> dict[str, Any]:
    from chalicelib.mail.errors import UnparseableMail
    from chalicelib.mail.parse import parse

    source, raws = corpus()
    ours: list[float] = []
    stdlib: list[float] = []
    refused = 0
    for raw in raws[:3]:  # imports and first use of the HTML libraries are cold-start costs, not parse time
        stdlib_decode(raw)
        with suppress(UnparseableMail):
            parse(raw)
    for raw in raws:
        start = time.perf_counter()
        try:
            parse(raw)
        except UnparseableMail:
            refused += 1
        ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        stdlib_decode(raw)
        stdlib.append((time.perf_counter() - start) * 1000)
    return {
        "corpus": source,
        "files": len(raws),
        "refused": refused,
        "lambdesk": {"median": round(statistics.median(ours), 3), "p99": round(_percentile(ours, 0.99), 3)},
        "stdlib_full_decode": {
            "median": round(statistics.median(stdlib), 3),
            "p99": round(_percentile(stdlib, 0.99), 3),
        },
    }


class RequestCounter:
    """DynamoDB and S3 requests, by operation, through botocore hooks."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def hook(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.*.*", self.hook)

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        self.calls = Counter()
        yield self.calls


def new_mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, SUPPORT, subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@customer.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def bounce(original_id: str, failed: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.customer.example\r\nTo: help@support.example.com\r\nSubject: Undelivered\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
        "--B\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {original_id}\r\n--B--\r\n"
    ).encode()


def run() -> dict[str, Any]:
    import boto3

    from bench.meter import item_clients
    from bench.motoserver import CountingMotoServer
    from chalicelib import bootstrap
    from chalicelib.core import clients, settings
    from chalicelib.mailflow.notices import InboundNotice
    from chalicelib.storage.dynamodb.models import bind
    from devtools.provision import create_table

    # moto in its own process (bench.motoserver), so its work does not share this interpreter's lock.
    server = CountingMotoServer()
    server.start()
    url = server.url
    saved = dict(os.environ)
    try:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": url,
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_REGION": "us-east-1",
                "LAMBDESK_STAGE": "bench",
                "LAMBDESK_AUTH_MODE": "dev",
                "LAMBDESK_DEV_SIGNING_KEY": "b" * 40,
                "LAMBDESK_SIGNING_KEY": "s" * 40,
                "LAMBDESK_TABLE_NAME": "lambdesk-bench-mail",
                "LAMBDESK_MAIL_BUCKET": "bench-mail",
            }
        )
        settings.reset()
        clients.reset()
        create_table(boto3.client("dynamodb"), "lambdesk-bench-mail")
        boto3.client("s3").create_bucket(Bucket="bench-mail")
        svc = bootstrap.dynamodb_container(settings.get_settings())
        bind("lambdesk-bench-mail", "us-east-1", url)
        counter = RequestCounter()
        for item_client in item_clients():  # each once: the item classes share a client
            counter.attach(item_client)
        counter.attach(clients.client("s3"))
        s3 = clients.client("s3")
        ingest = svc.mail_ingest

        def handle(raw: bytes) -> Any:
            key = f"raw/{uuid.uuid4().hex}"
            with counter.counting() as uncounted:
                s3.put_object(Bucket="bench-mail", Key=key, Body=raw)
            uncounted.clear()
            with counter.counting() as calls:
                outcome = ingest.handle(InboundNotice("bench-mail", key, key[4:], (SUPPORT,), {}))
            return outcome, dict(calls)

        mails = [
            new_mail(f"c{i}@customer{i % 17}.example", f"Question {i}", f"Hello, question {i}.")
            for i in range(NEW_MAILS)
        ]
        start = time.perf_counter()
        for raw in mails:
            handle(raw)
        elapsed = time.perf_counter() - start
        first = new_mail("first@customer.example", "Printer on fire", "Help")
        _outcome, new_calls = handle(first)
        reply_id = message_from_bytes(first)["Message-ID"]
        _, reply_calls = handle(
            new_mail(
                "first@customer.example",
                "Re: Printer on fire",
                "Still burning",
                In_Reply_To=reply_id,
                References=reply_id,
            )
        )
        _, bounce_calls = handle(bounce(reply_id, "gone@customer.example"))

        def split(calls: dict[str, int]) -> dict[str, Any]:
            ddb = {k.split(":")[1]: v for k, v in calls.items() if k.startswith("dynamodb:")}
            s3_calls = {k.split(":")[1]: v for k, v in calls.items() if k.startswith("s3:")}
            return {"requests": sum(ddb.values()), "by_operation": ddb, "s3_requests": sum(s3_calls.values())}

        return {
            "ingest_per_second": round(NEW_MAILS / elapsed, 1),
            "ingested": NEW_MAILS,
            "ddb_requests": {
                "new_ticket": split(new_calls),
                "reply": split(reply_calls),
                "bounce": split(bounce_calls),
            },
            "parse_ms": parse_times(),
        }
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.reset()
        clients.reset()
        server.stop()


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
