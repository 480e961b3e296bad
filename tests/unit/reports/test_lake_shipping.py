"""Facts reach the lake's Firehose stream without loss: records PutRecordBatch refuses are sent again, and when
Firehose keeps refusing the SQS message fails, so the event comes again; its daily items are not added twice,
its rows are shipped again with the same ids."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.bootstrap.reports import ReportParts
from chalicelib.storage.firehose import MAX_BATCH, FirehoseRefused, FirehoseSink, encode
from tests.unit.reports.conftest import Desk, team_agent

STREAM = "lambdesk-test-facts"
ROWS = [{"id": f"E{n}:0", "fact": "created", "day": "2026-11-02"} for n in range(3)]


def answer(*codes: str | None) -> dict[str, Any]:
    failed = [c for c in codes if c]
    return {
        "FailedPutCount": len(failed),
        "RequestResponses": [{"ErrorCode": c, "ErrorMessage": "slow down"} if c else {"RecordId": "r"} for c in codes],
    }


@pytest.fixture
def firehose() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("firehose", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def records(rows: Sequence[dict[str, object]]) -> dict[str, Any]:
    return {"DeliveryStreamName": STREAM, "Records": [{"Data": encode(r)} for r in rows]}


def test_only_the_records_firehose_refused_are_sent_again(firehose: tuple[Any, Stubber]) -> None:
    client, stub = firehose
    stub.add_response("put_record_batch", answer(None, "ServiceUnavailableException", None), records(ROWS))
    stub.add_response("put_record_batch", answer(None), records([ROWS[1]]))
    pauses: list[float] = []
    sink = FirehoseSink(STREAM, client=lambda: client, sleep=pauses.append)
    sink.put(ROWS)
    assert (sink.calls, pauses) == (2, [0.1])


def test_records_refused_on_every_attempt_raise_so_the_message_is_delivered_again(
    firehose: tuple[Any, Stubber],
) -> None:
    client, stub = firehose
    stub.add_response("put_record_batch", answer("InternalFailure", None, "InternalFailure"), records(ROWS))
    for _ in range(3):
        stub.add_response("put_record_batch", answer("InternalFailure", "InternalFailure"), records([ROWS[0], ROWS[2]]))
    pauses: list[float] = []
    with pytest.raises(FirehoseRefused, match="refused 2 record"):
        FirehoseSink(STREAM, client=lambda: client, sleep=pauses.append).put(ROWS)
    assert pauses == [0.1, 0.2, 0.4]


def test_more_rows_than_a_batch_takes_go_in_several_calls(firehose: tuple[Any, Stubber]) -> None:
    client, stub = firehose
    rows = [{"id": f"E{n}:0"} for n in range(MAX_BATCH * 2 + 1)]
    for start in range(0, len(rows), MAX_BATCH):
        chunk = rows[start : start + MAX_BATCH]
        stub.add_response("put_record_batch", answer(*[None] * len(chunk)), records(chunk))
    sink = FirehoseSink(STREAM, client=lambda: client)
    sink.put(rows)
    assert sink.calls == 3


def test_each_record_is_one_json_object_on_a_line() -> None:
    data = encode({"id": "E1:0", "seconds": None, "at": "2026-11-02 09:00:00.000000"})
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert json.loads(data) == {"id": "E1:0", "seconds": None, "at": "2026-11-02 09:00:00.000000"}


class FlakySink:
    """Refuses the first ``failures`` puts, keeps what it accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.rows: list[dict[str, object]] = []

    def put(self, rows: Sequence[dict[str, object]]) -> None:
        if self.failures:
            self.failures -= 1
            raise FirehoseRefused(STREAM, len(rows), ["ServiceUnavailableException"])
        self.rows.extend(rows)


def sqs_event(event: dict[str, Any], message_id: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": "r",
                "body": json.dumps(event),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:lambdesk-test-reports",
                "awsRegion": "us-east-1",
            }
        ]
    }


def test_a_shipment_that_fails_fails_the_message_and_its_redelivery_ships_without_counting_twice(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.bootstrap.handlers import consume

    sink = FlakySink(failures=1)
    monkeypatch.setattr(desk.svc.reports, "lake", lambda: sink)
    team, _ = team_agent(desk)
    desk.new_ticket(team_id=team.id)
    (created,) = [e for e in desk.pump() if e["type"] == "ticket.created"]

    assert consume("reports", sqs_event(created, "m-1")) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert consume("reports", sqs_event(created, "m-1")) == {"batchItemFailures": []}
    assert consume("reports", sqs_event(created, "m-1")) == {"batchItemFailures": []}  # SQS may deliver it again

    (day,) = {r["day"] for r in sink.rows}
    local_day = date.fromisoformat(str(day))
    (desk_wide,) = desk.svc.reports.queries.summary(local_day, local_day, None, None)
    assert desk_wide.figures.tickets_created == 1  # counted once in the daily items
    assert [r["id"] for r in sink.rows] == [f"{created['id']}:0"] * 2  # shipped twice, the same id
    assert {r["fact"] for r in sink.rows} == {"created"} and sink.rows[0]["team_id"] == team.id


def test_a_stage_with_a_lake_stream_ships_to_it_and_one_without_ships_nowhere(settings: Any) -> None:
    assert ReportParts(SimpleNamespace(settings=settings)).lake() is None  # type: ignore[arg-type]
    with_lake = settings.replace(lake_stream=STREAM)
    sink = ReportParts(SimpleNamespace(settings=with_lake)).lake()  # type: ignore[arg-type]
    assert isinstance(sink, FirehoseSink) and sink.stream == STREAM
