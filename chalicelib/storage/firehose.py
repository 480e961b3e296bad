"""Rows to a Firehose stream with PutRecordBatch, none lost: records Firehose refuses are sent again.

PutRecordBatch can succeed as a call and still refuse some of its records (``FailedPutCount``; each refused one
has an ``ErrorCode`` in ``RequestResponses``, in the order sent). Only those are sent again, a few times with a
short pause; records still refused then raise ``FirehoseRefused``, so the SQS message that carried the event
fails and is delivered again (its rows are sent again: queries de-duplicate on the row id).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# PutRecordBatch takes at most 500 records (and 4 MB) per call; a fact's row is well under 1 KB.
MAX_BATCH = 500
ATTEMPTS = 4
FIRST_PAUSE_SECONDS = 0.1


class FirehoseRefused(RuntimeError):
    """Firehose still refused records after every attempt."""

    def __init__(self, stream: str, refused: int, codes: Sequence[str]) -> None:
        super().__init__(f"{stream} refused {refused} record(s): {', '.join(sorted(set(codes)))}")
        self.stream = stream
        self.refused = refused


def encode(row: Mapping[str, object]) -> bytes:
    """One JSON object per record, newline-terminated (the raw objects stay readable in an error prefix)."""
    return (json.dumps(row, separators=(",", ":"), sort_keys=True) + "\n").encode()


class FirehoseSink:
    def __init__(
        self,
        stream: str,
        client: Callable[[], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.stream = stream
        self._client = client
        self._sleep = sleep
        self._attempts = attempts
        self.calls = 0

    def client(self) -> Any:
        if self._client is not None:
            return self._client()
        from chalicelib.core.clients import client

        return client("firehose")

    def put(self, rows: Sequence[Mapping[str, object]]) -> None:
        records = [{"Data": encode(row)} for row in rows]
        for start in range(0, len(records), MAX_BATCH):
            self._put_batch(records[start : start + MAX_BATCH])

    def _put_batch(self, pending: list[dict[str, bytes]]) -> None:
        codes: list[str] = []
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(FIRST_PAUSE_SECONDS * 2 ** (attempt - 1))
            self.calls += 1
            response = self.client().put_record_batch(DeliveryStreamName=self.stream, Records=pending)
            if not response.get("FailedPutCount"):
                return
            answers = response["RequestResponses"]
            codes = [str(a["ErrorCode"]) for a in answers if a.get("ErrorCode")]
            pending = [record for record, answer in zip(pending, answers, strict=True) if answer.get("ErrorCode")]
        raise FirehoseRefused(self.stream, len(pending), codes)
