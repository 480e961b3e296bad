"""Finish what ``chalice package`` leaves open, through the escape hatch on the SAM resources.

For every function: a fixed name (``lambdesk-<stage>-<function>``), its own role, a log group with a
retention created before the function, for every SQS event source the queue's real ARN (so
CloudFormation orders them) and ``ReportBatchItemFailures`` (Chalice never sets it, and without it a
returned ``batchItemFailures`` is ignored), and for every schedule a rule named after the function
(SAM turns the ``Schedule`` event into the EventBridge rule and the permission to invoke). Then the
DynamoDB stream mapping of the relay, which Chalice cannot express because the stream ARN exists only
at deploy time.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Fn, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sam as sam
from constructs import Construct

from chalicelib.core.resources import (
    FUNCTION_SEND_MAIL,
    FUNCTION_STREAM_RELAY,
    FUNCTION_SURVEY_SWEEP,
    REPORTS_MAX_CONCURRENCY,
    STREAM_RETRY_ATTEMPTS,
    Names,
)

from .chalice_app import PackagedApp, PackagedFunction
from .config import StageConfig
from .permissions import AppResources, function_role

BATCH_ITEM_FAILURES = ["ReportBatchItemFailures"]
STREAM_BATCH_SIZE = 100


@dataclass(frozen=True)
class DeployedFunction:
    spec: PackagedFunction
    function_name: str
    role: iam.Role
    log_group: logs.LogGroup
    resource: sam.CfnFunction


def wire_functions(
    scope: Construct, app: PackagedApp, names: Names, config: StageConfig, res: AppResources
) -> dict[str, DeployedFunction]:
    deployed = {}
    for spec in app.functions.values():
        function_name = f"{names.prefix}-{spec.name}"
        resource = app.construct.get_resource(spec.logical_id)
        assert isinstance(resource, sam.CfnFunction)
        log_group = logs.LogGroup(
            scope,
            f"{spec.logical_id}Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=config.log_retention,
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        role = function_role(scope, spec, function_name, res, config.tracing)
        resource.add_property_override("FunctionName", function_name)
        resource.add_property_override("Role", role.role_arn)
        # Otherwise Lambda may create the group first (without retention) and the stack fails.
        resource.add_resource_dependency(log_group.node.default_child)  # type: ignore[arg-type]
        for event_id, queue_name in spec.sqs_events.items():
            consumer_queue = res.queues[queue_name]
            events = f"Events.{event_id}.Properties"
            resource.add_property_override(f"{events}.Queue", consumer_queue.queue.queue_arn)
            resource.add_property_override(f"{events}.FunctionResponseTypes", BATCH_ITEM_FAILURES)
            if queue_name == names.queue("reports"):
                scaling = {"MaximumConcurrency": REPORTS_MAX_CONCURRENCY}
                resource.add_property_override(f"{events}.ScalingConfig", scaling)
            consumer_queue.fit_consumer_timeout(spec.timeout)
        _name_schedule_rule(resource, spec, function_name)
        deployed[spec.logical_id] = DeployedFunction(spec, function_name, role, log_group, resource)
    return deployed


def _name_schedule_rule(resource: sam.CfnFunction, spec: PackagedFunction, function_name: str) -> None:
    """Name the rule after the function, so that an operator can pause it (``aws events disable-rule``)."""
    if len(spec.schedules) > 1:
        raise ValueError(f"{spec.name} has several schedules; its rules need distinct names")
    for event_id, expression in spec.schedules.items():
        rule = f"Events.{event_id}.Properties"
        resource.add_property_override(f"{rule}.Name", function_name)
        resource.add_property_override(f"{rule}.Description", f"Runs {function_name} {expression}")
    if spec.schedules:
        # A failed sweep is not retried by Lambda: the next run a minute later reads whatever is still due,
        # and a retry could overlap it.
        resource.add_property_override("EventInvokeConfig.MaximumRetryAttempts", 0)


def connect_stream_relay(
    scope: Construct, app: PackagedApp, deployed: dict[str, DeployedFunction], res: AppResources
) -> lambda_.CfnEventSourceMapping:
    relay = deployed[app.function(FUNCTION_STREAM_RELAY).logical_id]
    return lambda_.CfnEventSourceMapping(
        scope,
        "StreamRelayMapping",
        function_name=relay.resource.ref,
        event_source_arn=res.table.table_stream_arn,
        starting_position="TRIM_HORIZON",
        batch_size=STREAM_BATCH_SIZE,
        # A poison record is isolated by halving the batch, retried, then parked in the relay DLQ:
        # the shard moves on and the record is not lost.
        bisect_batch_on_function_error=True,
        function_response_types=BATCH_ITEM_FAILURES,
        maximum_retry_attempts=STREAM_RETRY_ATTEMPTS,
        destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
            on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(destination=res.relay_dlq.queue_arn)
        ),
    )


def configure_rest_api(app: PackagedApp, names: Names, config: StageConfig) -> str | None:
    """Name the REST API after the stage (its metrics are keyed by name) and set stage throttling."""
    if app.api_stage is None:
        return None
    api = app.construct.get_resource("RestAPI")
    api.add_property_override("Name", names.prefix)
    api.add_property_override("DefinitionBody.info.title", names.prefix)
    api.add_property_override(
        "MethodSettings",
        [
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingRateLimit": config.api_throttle_rate,
                "ThrottlingBurstLimit": config.api_throttle_burst,
            }
        ],
    )
    api.add_property_override("TracingEnabled", config.tracing)
    # A path no route declares is answered by API Gateway itself with 403 "Missing Authentication Token";
    # answer it as the app answers unknown paths (chalicelib/http/meta.py): 404 in the API's error shape.
    api.add_property_override(
        "GatewayResponses",
        {
            "MISSING_AUTHENTICATION_TOKEN": {
                "StatusCode": 404,
                "ResponseTemplates": {"application/json": NOT_FOUND_BODY},
            }
        },
    )
    return names.prefix


def set_portal_url(app: PackagedApp, deployed: dict[str, DeployedFunction], config: StageConfig) -> str:
    """The portal's base URL for the links in mail: the stage's ``portal_url`` (a custom domain, given to every
    function), else the REST API's own URL with its stage, given to the functions that write links into mail:
    the mail sender (ticket, sign-in and survey links) and the survey sweep (no survey without links). The API's
    functions cannot reference their own API (a circular dependency); its pages need no absolute URL of their own."""
    if config.portal_url or app.api_stage is None:
        return config.portal_url or ""
    api = app.construct.get_resource("RestAPI")
    url = Fn.join("", ["https://", api.ref, ".execute-api.", Aws.REGION, ".", Aws.URL_SUFFIX, "/", app.api_stage])
    for name in (FUNCTION_SEND_MAIL, FUNCTION_SURVEY_SWEEP):
        function = deployed[app.function(name).logical_id]
        function.resource.add_property_override("Environment.Variables.LAMBDESK_PORTAL_URL", url)
    return url


NOT_FOUND_BODY = '{"error": {"code": "not_found", "message": "no route $context.httpMethod $context.path"}}'
