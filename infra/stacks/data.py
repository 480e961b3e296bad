"""The DynamoDB table, shaped exactly as ``chalicelib.core.resources.TABLE`` says."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from chalicelib.core.resources import TABLE, Names

from .config import StageConfig


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


def create_table(scope: Construct, names: Names, config: StageConfig) -> dynamodb.Table:
    table = dynamodb.Table(
        scope,
        "Table",
        table_name=names.table,
        partition_key=_string(TABLE.partition_key),
        sort_key=_string(TABLE.sort_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=TABLE.ttl_attribute,
        # AWS managed key: no monthly key fee, and every use of the key shows in CloudTrail.
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        stream=dynamodb.StreamViewType[TABLE.stream_view],
        deletion_protection=config.protect_data,
        removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
    )
    for index in TABLE.indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=_string(index.partition_key),
            sort_key=_string(index.sort_key),
            projection_type=dynamodb.ProjectionType.ALL,
        )
    return table
