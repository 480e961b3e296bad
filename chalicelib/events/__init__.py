"""The event path: table stream -> relay -> SNS topic -> one SQS queue per consumer (partial batch responses)."""
