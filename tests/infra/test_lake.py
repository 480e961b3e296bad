"""The reports' data lake in the template: Firehose converts the facts to Parquet with the Glue table's schema and
partitions them by the row's day, the table projects those partitions, Athena has a workgroup whose results
are encrypted and the named queries the local DuckDB test runs; only the reports consumer may ship."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("aws_cdk", reason="infra dependencies not installed: pip install -r infra/requirements.txt")

from chalicelib.core.resources import FUNCTION_REPORTS
from chalicelib.reports.lake import COLUMNS, PARTITION, TABLE
from devtools.lake import named_queries

if TYPE_CHECKING:
    from conftest import Synthesized

SAM_FUNCTION = "AWS::Serverless::Function"


def _one(synth: Synthesized, resource_type: str) -> dict[str, Any]:
    ((_, found),) = synth.resources(resource_type).items()
    return found["Properties"]  # type: ignore[no-any-return]


def _lake_bucket_id(synth: Synthesized) -> str:
    (found,) = [k for k in synth.resources("AWS::S3::Bucket") if k.startswith("Lake")]
    return found


def _statements(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    role = synth.resource(role_id)
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def test_firehose_writes_parquet_by_the_rows_day_with_the_tables_schema(stage: Synthesized) -> None:
    stream = _one(stage, "AWS::KinesisFirehose::DeliveryStream")
    assert stream["DeliveryStreamName"] == stage.stack.names.lake_stream
    assert stream["DeliveryStreamEncryptionConfigurationInput"] == {"KeyType": "AWS_OWNED_CMK"}
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["Prefix"] == f"facts/{PARTITION}=!{{partitionKeyFromQuery:{PARTITION}}}/"
    assert "!{firehose:error-output-type}" in s3["ErrorOutputPrefix"]
    assert s3["DynamicPartitioningConfiguration"]["Enabled"] is True
    (processor,) = s3["ProcessingConfiguration"]["Processors"]
    parameters = {p["ParameterName"]: p["ParameterValue"] for p in processor["Parameters"]}
    assert processor["Type"] == "MetadataExtraction"
    assert parameters == {"MetadataExtractionQuery": "{day: .day}", "JsonParsingEngine": "JQ-1.6"}
    conversion = s3["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is True and s3["CompressionFormat"] == "UNCOMPRESSED"
    assert "OpenXJsonSerDe" in conversion["InputFormatConfiguration"]["Deserializer"]
    assert conversion["OutputFormatConfiguration"]["Serializer"] == {"ParquetSerDe": {"Compression": "SNAPPY"}}
    schema = conversion["SchemaConfiguration"]
    assert (schema["DatabaseName"], schema["TableName"]) == (stage.stack.names.lake_database, TABLE)
    assert s3["BufferingHints"]["SizeInMBs"] >= 64  # the least dynamic partitioning takes
    assert s3["BucketARN"] == {"Fn::GetAtt": [_lake_bucket_id(stage), "Arn"]}


def test_the_glue_table_has_the_rows_columns_and_projects_a_partition_per_day(stage: Synthesized) -> None:
    table = _one(stage, "AWS::Glue::Table")["TableInput"]
    assert table["Name"] == TABLE
    columns = table["StorageDescriptor"]["Columns"]
    assert {c["Name"]: c["Type"] for c in columns} == dict(COLUMNS)
    assert table["PartitionKeys"] == [{"Name": PARTITION, "Type": "string"}]
    assert "parquet" in table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].lower()
    params = table["Parameters"]
    assert params["projection.enabled"] == "true"
    assert (params["projection.day.type"], params["projection.day.format"]) == ("date", "yyyy-MM-dd")
    assert params["projection.day.range"].endswith("NOW+1DAYS")  # a desk east of UTC starts its day first
    assert "/facts/day=${day}/" in str(stage.stack.resolve(params["storage.location.template"]))


def test_athena_results_are_encrypted_enforced_and_capped(stage: Synthesized) -> None:
    workgroup = _one(stage, "AWS::Athena::WorkGroup")
    assert workgroup["Name"] == stage.stack.names.athena_workgroup
    config = workgroup["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["ResultConfiguration"]["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    assert config["BytesScannedCutoffPerQuery"] > 0


def test_the_named_queries_are_the_sql_the_local_test_runs(stage: Synthesized) -> None:
    queries = {q["Properties"]["Name"]: q["Properties"] for q in stage.resources("AWS::Athena::NamedQuery").values()}
    local = named_queries()
    assert set(queries) == {name.replace("_", "-") for name in local}
    for name, sql in local.items():
        query = queries[name.replace("_", "-")]
        assert query["QueryString"] == sql
        assert query["Database"] == stage.stack.names.lake_database
        assert query["Description"]


def test_only_the_reports_consumer_may_ship_facts_and_knows_where(stage: Synthesized) -> None:
    stream_id = next(iter(stage.resources("AWS::KinesisFirehose::DeliveryStream")))
    reporters = []
    for logical_id, function in stage.resources(SAM_FUNCTION).items():
        props = function["Properties"]
        statements = _statements(stage, props["Role"]["Fn::GetAtt"][0])
        ships = [s for s in statements if "firehose" in str(s["Action"])]
        if props["FunctionName"].endswith(f"-{FUNCTION_REPORTS}"):
            reporters.append(logical_id)
            assert ships == [
                {"Action": "firehose:PutRecordBatch", "Effect": "Allow", "Resource": {"Fn::GetAtt": [stream_id, "Arn"]}}
            ]
            assert props["Environment"]["Variables"]["LAMBDESK_LAKE_STREAM"] == stage.stack.names.lake_stream
        else:
            assert not ships, logical_id
            assert "LAMBDESK_LAKE_STREAM" not in props["Environment"]["Variables"], logical_id
    assert len(reporters) == 1


def test_firehose_may_write_only_under_its_prefixes_and_read_only_its_table(stage: Synthesized) -> None:
    stream = _one(stage, "AWS::KinesisFirehose::DeliveryStream")
    role_id = stream["ExtendedS3DestinationConfiguration"]["RoleARN"]["Fn::GetAtt"][0]
    role = stage.resource(role_id)["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "firehose.amazonaws.com"}
    statements = _statements(stage, role_id)
    writes = [s for s in statements if "s3:PutObject" in s["Action"]]
    (write,) = writes
    resources = [str(stage.stack.resolve(r)) for r in write["Resource"]]
    assert len(resources) == 2 and all(("facts/*" in r) != ("errors/*" in r) for r in resources)
    glue = [a for s in statements for a in s["Action"] if a.startswith("glue:")]
    assert glue and all(a.startswith("glue:GetTable") for a in glue)


def test_the_lake_is_kept_with_the_stack_and_says_where_it_is(stage: Synthesized) -> None:
    bucket = stage.resource(_lake_bucket_id(stage))
    assert bucket["DeletionPolicy"] == "Retain"
    rules = {r["Id"]: r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-query-results"]["Prefix"] == "athena-results/"
    assert {"LakeBucket", "LakeDatabase", "LakeStream", "AthenaWorkGroup"} <= set(stage.json["Outputs"])


def test_late_or_refused_lake_deliveries_alarm(stage: Synthesized) -> None:
    alarms = {a["Properties"]["AlarmName"]: a["Properties"] for a in stage.resources("AWS::CloudWatch::Alarm").values()}
    stream = stage.stack.names.lake_stream
    fresh, refused = alarms[f"{stream}-late"], alarms[f"{stream}-refused"]
    assert (fresh["MetricName"], fresh["Threshold"]) == ("DeliveryToS3.DataFreshness", 3600)
    assert (refused["MetricName"], refused["Threshold"]) == ("FailedConversion.Records", 0)
    assert all(a["Dimensions"] == [{"Name": "DeliveryStreamName", "Value": stream}] for a in (fresh, refused))
    assert all(a["AlarmActions"] for a in (fresh, refused))
