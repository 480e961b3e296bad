"""SQS consumers, run through the powertools batch utility: each failed record is reported on its own
(partial batch response) and retried by SQS; the others are not redelivered."""

from __future__ import annotations

from typing import Any


def sqs_batch(raw_event: dict[str, Any], record_handler: Any, context: Any = None) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    result = process_partial_response(
        event=raw_event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(result)
