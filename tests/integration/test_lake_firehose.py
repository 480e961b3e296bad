"""The reports consumer on moto ships its facts through a Firehose stream into S3; the records there are the JSON
rows Firehose's format conversion reads, and, laid out as Parquet by day, the recomputed daily aggregates equal
the daily items, although every event was delivered twice (moto converts nothing and runs no Athena SQL:
devtools/lake.py does both)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.core.resources import REPORT_EVENTS
from chalicelib.domain.reports import DIMENSIONS
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.events.envelope import envelope
from chalicelib.reports.lake import COLUMNS, PARTITION
from chalicelib.storage.firehose import FirehoseSink
from chalicelib.tickets.service import NewTicket
from devtools.lake import LocalLake, named_queries


def test_facts_go_through_firehose_into_s3_and_recompute_the_daily_items(
    dynamo_svc: Any, aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = dynamo_svc
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    bucket, stream = f"lake-{uuid.uuid4().hex[:10]}", f"facts-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    boto3.client("firehose", endpoint_url=aws, region_name="us-east-1").create_delivery_stream(
        DeliveryStreamName=stream,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/lake-delivery",
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "Prefix": "facts/",
        },
    )
    sink = FirehoseSink(stream)  # the app's lazily created client, pointed at moto
    monkeypatch.setattr(svc.reports, "lake", lambda: sink)

    ann = Actor(ActorKind.AGENT, svc.directory.create_agent("ann@desk.example", "Ann").id)
    by_mail = Actor(ActorKind.SYSTEM, "mail")  # the customer's own ticket: the first reply counts
    ticket, _ = svc.tickets.create(by_mail, NewTicket(subject="Help", body_text="Hi", requester_email="bo@x.example"))
    svc.tickets.reply(ann, ticket.id, ticket.version, "Done", status=Status.SOLVED)
    _, timeline = svc.ticket_repo.get_with_timeline(ticket.id)
    aggregator = svc.reports.aggregator()
    for event in [envelope(e) for e in timeline if e.event in REPORT_EVENTS]:
        aggregator.on_event(event)
        aggregator.on_event(event)  # redelivered: the items refuse it, the lake gets its rows again

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="facts/").get("Contents", [])]
    lines = [line for key in keys for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().splitlines()]
    rows = [json.loads(line) for line in lines]
    assert sink.calls == 2 * len({r["entry_id"] for r in rows}) >= 6  # one PutRecordBatch per delivery with facts
    assert all(set(row) == set(COLUMNS) | {PARTITION} for row in rows)
    assert {r["fact"] for r in rows} >= {"created", "reply", "first_reply", "solved", "fcr"}
    assert len({r["id"] for r in rows}) * 2 == len(rows)

    local = LocalLake(tmp_path / "facts")
    local.put(rows)
    local.flush()
    days = sorted({str(r[PARTITION]) for r in rows})  # the rows' own days, not today's
    got = {
        (r["dimension"], r["group_key"], str(r["day"])): (r["created"], r["solved"], r["replies"], r["fr_n"], r["fr_s"])
        for r in local.run(named_queries()["daily_aggregates"], days[0], days[-1])
    }
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    items = [i for d in DIMENSIONS for i in svc.reports.repository.days(d, first, last)]
    counters = ("created", "solved", "replies", "fr_n", "fr_s")
    want = {(i.dimension, i.key, i.day.isoformat()): tuple(i.counts.get(k, 0) for k in counters) for i in items}
    assert got == want
    desk = [v for (dimension, _, _), v in got.items() if dimension == "all"]
    assert [sum(v[n] for v in desk) for n in range(4)] == [1, 1, 1, 1]
