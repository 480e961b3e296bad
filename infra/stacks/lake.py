"""The reports' data lake: metric facts through Firehose into S3 as Parquet, a Glue table, Athena to query it.

The reports consumer puts one JSON row per fact (``chalicelib.reports.lake``) on the Firehose stream. Firehose
reads the row's ``day`` (the desk zone's day the fact counts under) with its JQ parser (dynamic partitioning),
converts the JSON to Parquet with the Glue table's schema (record format conversion) and writes
``facts/day=YYYY-MM-DD/`` objects. The table's partitions are projected (no crawler, no MSCK REPAIR): every
day from 2020 to tomorrow (UTC) is a partition a query may name. The Athena workgroup writes results into the
same bucket, encrypted, with a per-query scan cutoff; the named queries are the files of ``infra/queries``,
the SQL the local DuckDB test runs (docs/decisions/060-reports.md).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from chalicelib.core.resources import Names
from chalicelib.reports.lake import COLUMNS, PARTITION, TABLE

from .config import StageConfig
from .nag import acknowledge, acknowledge_wildcard_resource

QUERIES = Path(__file__).resolve().parent.parent / "queries"
FACTS_PREFIX = "facts/"
ERRORS_PREFIX = "errors/"
RESULTS_PREFIX = "athena-results/"
# Parquet wants large files; dynamic partitioning needs at least 64 MB. Rows land within 15 minutes.
BUFFER_MB = 128
BUFFER_SECONDS = 900
# A query that would scan more than this is cancelled (the whole lake of a busy desk is far smaller).
SCAN_CUTOFF_BYTES = 10 * 1024**3
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def named_queries() -> dict[str, str]:
    """The named queries: file stem -> SQL."""
    return {path.stem: path.read_text() for path in sorted(QUERIES.glob("*.sql"))}


def description_of(sql: str) -> str:
    """The SQL's leading comment, as one line."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)[:1024]


class Lake(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, names: Names, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.names = names
        self.bucket = self._bucket(names)
        self.database_name = names.lake_database
        self.table_name = TABLE
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name, description=f"Lambdesk {names.stage}: metric facts (reports)"
            ),
        )
        self.table = self._table()
        self.table.add_resource_dependency(database)
        self.stream = self._stream(config)
        self.stream_name = names.lake_stream
        self.stream_arn = self.stream.attr_arn
        self.workgroup = self._workgroup()
        self.queries = [self._named_query(name, sql) for name, sql in named_queries().items()]

    def _bucket(self, names: Names) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=f"{names.lake_bucket_prefix}-{Aws.ACCOUNT_ID}",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # The facts are data: never deleted with the stack.
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-query-results", prefix=RESULTS_PREFIX, expiration=Duration.days(30)),
                s3.LifecycleRule(id="expire-delivery-errors", prefix=ERRORS_PREFIX, expiration=Duration.days(90)),
                s3.LifecycleRule(
                    id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            "Only Firehose writes and only Athena (on behalf of the stage's operators) reads this bucket; "
            "CloudTrail records both, and server access logs would be larger than the facts they describe.",
        )
        return bucket

    def _table(self) -> glue.CfnTable:
        location = f"s3://{self.bucket.bucket_name}/{FACTS_PREFIX}"
        return glue.CfnTable(
            self,
            "Table",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=self.table_name,
                description="One row per metric fact; de-duplicate on id (a redelivered event's rows repeat).",
                table_type="EXTERNAL_TABLE",
                partition_keys=[glue.CfnTable.ColumnProperty(name=PARTITION, type="string")],
                parameters={
                    "classification": "parquet",
                    "EXTERNAL": "TRUE",
                    "projection.enabled": "true",
                    f"projection.{PARTITION}.type": "date",
                    f"projection.{PARTITION}.format": "yyyy-MM-dd",
                    # NOW is UTC: a desk east of Greenwich starts its day before UTC does.
                    f"projection.{PARTITION}.range": "2020-01-01,NOW+1DAYS",
                    f"projection.{PARTITION}.interval": "1",
                    f"projection.{PARTITION}.interval.unit": "DAYS",
                    "storage.location.template": f"{location}{PARTITION}=${{{PARTITION}}}/",
                },
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in COLUMNS.items()],
                    location=location,
                    input_format=PARQUET_INPUT,
                    output_format=PARQUET_OUTPUT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=PARQUET_SERDE),
                ),
            ),
        )

    def _role(self, log_group: logs.LogGroup) -> iam.Role:
        stack = Stack.of(self)
        catalog = stack.format_arn(service="glue", resource="catalog")
        database = stack.format_arn(service="glue", resource="database", resource_name=self.database_name)
        table = stack.format_arn(service="glue", resource="table", resource_name=f"{self.database_name}/{TABLE}")
        objects = [self.bucket.arn_for_objects(f"{FACTS_PREFIX}*"), self.bucket.arn_for_objects(f"{ERRORS_PREFIX}*")]
        statements = [
            iam.PolicyStatement(actions=["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"], resources=objects),
            iam.PolicyStatement(
                actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                resources=[self.bucket.bucket_arn],
            ),
            # Record format conversion reads the schema from the table.
            iam.PolicyStatement(
                actions=["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                resources=[catalog, database, table],
            ),
            iam.PolicyStatement(actions=["logs:PutLogEvents"], resources=[f"{log_group.log_group_arn}"]),
        ]
        role = iam.Role(
            self,
            "DeliveryRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com", conditions={"StringEquals": {"sts:ExternalId": Aws.ACCOUNT_ID}}
            ),
            description=f"Firehose {self.names.lake_stream}: facts into the lake",
            inline_policies={"deliver": iam.PolicyDocument(statements=statements)},
        )
        for resource in objects:
            acknowledge_wildcard_resource(
                role, resource, "Firehose names each object it delivers; writes stay under facts/ and errors/."
            )
        acknowledge_wildcard_resource(
            role, log_group.log_group_arn, "A log group ARN ends in :*, which covers its streams only."
        )
        return role

    def _stream(self, config: StageConfig) -> firehose.CfnDeliveryStream:
        log_group = logs.LogGroup(
            self,
            "DeliveryLogs",
            log_group_name=f"/aws/kinesisfirehose/{self.names.lake_stream}",
            retention=config.log_retention,
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        log_stream = logs.LogStream(self, "DeliveryErrors", log_group=log_group, log_stream_name="S3Delivery")
        role = self._role(log_group)
        stream_props = firehose.CfnDeliveryStream
        stream = firehose.CfnDeliveryStream(
            self,
            "Stream",
            delivery_stream_name=self.names.lake_stream,
            delivery_stream_type="DirectPut",
            delivery_stream_encryption_configuration_input=stream_props.DeliveryStreamEncryptionConfigurationInputProperty(
                key_type="AWS_OWNED_CMK"
            ),
            extended_s3_destination_configuration=stream_props.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=self.bucket.bucket_arn,
                role_arn=role.role_arn,
                prefix=f"{FACTS_PREFIX}{PARTITION}=!{{partitionKeyFromQuery:{PARTITION}}}/",
                error_output_prefix=f"{ERRORS_PREFIX}!{{firehose:error-output-type}}/!{{timestamp:yyyy-MM-dd}}/",
                buffering_hints=stream_props.BufferingHintsProperty(
                    size_in_m_bs=BUFFER_MB, interval_in_seconds=BUFFER_SECONDS
                ),
                # Parquet compresses itself (Snappy): the delivered objects must not be compressed again.
                compression_format="UNCOMPRESSED",
                dynamic_partitioning_configuration=stream_props.DynamicPartitioningConfigurationProperty(
                    enabled=True, retry_options=stream_props.RetryOptionsProperty(duration_in_seconds=300)
                ),
                processing_configuration=stream_props.ProcessingConfigurationProperty(
                    enabled=True,
                    processors=[
                        stream_props.ProcessorProperty(
                            type="MetadataExtraction",
                            parameters=[
                                stream_props.ProcessorParameterProperty(
                                    parameter_name="MetadataExtractionQuery",
                                    parameter_value=f"{{{PARTITION}: .{PARTITION}}}",
                                ),
                                stream_props.ProcessorParameterProperty(
                                    parameter_name="JsonParsingEngine", parameter_value="JQ-1.6"
                                ),
                            ],
                        )
                    ],
                ),
                data_format_conversion_configuration=stream_props.DataFormatConversionConfigurationProperty(
                    enabled=True,
                    input_format_configuration=stream_props.InputFormatConfigurationProperty(
                        deserializer=stream_props.DeserializerProperty(
                            open_x_json_ser_de=stream_props.OpenXJsonSerDeProperty()
                        )
                    ),
                    output_format_configuration=stream_props.OutputFormatConfigurationProperty(
                        serializer=stream_props.SerializerProperty(
                            parquet_ser_de=stream_props.ParquetSerDeProperty(compression="SNAPPY")
                        )
                    ),
                    schema_configuration=stream_props.SchemaConfigurationProperty(
                        catalog_id=Aws.ACCOUNT_ID,
                        database_name=self.database_name,
                        table_name=self.table_name,
                        region=Aws.REGION,
                        role_arn=role.role_arn,
                        version_id="LATEST",
                    ),
                ),
                cloud_watch_logging_options=stream_props.CloudWatchLoggingOptionsProperty(
                    enabled=True, log_group_name=log_group.log_group_name, log_stream_name=log_stream.log_stream_name
                ),
            ),
        )
        # Firehose reads the table's schema when the stream is created (the role's inline policy comes with the
        # role, which the stream references).
        stream.add_resource_dependency(self.table)
        return stream

    def _workgroup(self) -> athena.CfnWorkGroup:
        return athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.names.athena_workgroup,
            description=f"Lambdesk {self.names.stage}: questions the built-in reports do not answer",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=SCAN_CUTOFF_BYTES,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.bucket.bucket_name}/{RESULTS_PREFIX}",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )

    def _named_query(self, name: str, sql: str) -> athena.CfnNamedQuery:
        return athena.CfnNamedQuery(
            self,
            "Query" + "".join(part.capitalize() for part in name.split("_")),
            name=name.replace("_", "-"),
            description=description_of(sql),
            database=self.database_name,
            query_string=sql,
            work_group=self.workgroup.ref,
        )
