"""Lambdesk benchmarks: ``python -m bench`` (or ``make bench``) writes ``bench/results.json``.

Sections: DynamoDB requests and capacity per API operation at two table sizes (``ddb_requests``), the
cold start of ``import app`` against ``import boto3`` (``cold_start_ms``), and the latency of the running
local stack against a bare DynamoDB GetItem (``api_latency_ms``). See ``bench/README.md``.
"""
