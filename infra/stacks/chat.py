"""The chat's WebSocket API: what ``chalice package`` declares, finished through the escape hatch.

Chalice packages ``on_ws_connect/message/disconnect`` into the SAM template as ``WebsocketAPI`` (an
``AWS::ApiGatewayV2::Api`` with ``$connect``, ``$default`` and ``$disconnect`` routes and Lambda integrations),
``WebsocketAPIDeployment`` and ``WebsocketAPIStage``, plus the three functions and their invoke permissions.
Here the API is named after the stage; its stage gets throttling, JSON access logs (a log group with
retention; API Gateway writes them with the account's CloudWatch role) and error-level execution logs; the
functions learn the socket URL and the Management API endpoint, and only the ones that send to sockets may
(``execute-api:ManageConnections`` on this API's ``@connections`` alone). Alarms: see ``Monitoring``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from chalicelib.core.resources import Names

from .chalice_app import PackagedApp
from .config import StageConfig
from .nag import acknowledge, acknowledge_wildcard_resource

API_ID = "WebsocketAPI"
STAGE_ID = "WebsocketAPIStage"
ROUTE_IDS = ("WebsocketConnectRoute", "WebsocketMessageRoute", "WebsocketDisconnectRoute")
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "connectionId": "$context.connectionId",
        "routeKey": "$context.routeKey",
        "eventType": "$context.eventType",
        "status": "$context.status",
        "error": "$context.error.message",
        "integrationError": "$context.integration.error",
        "requestTime": "$context.requestTime",
        "ip": "$context.identity.sourceIp",
    },
    separators=(",", ":"),
)


@dataclass(frozen=True)
class ChatSocket:
    api_name: str
    stage_name: str
    ws_url: str
    management_url: str
    connections_arn: str  # execute-api:ManageConnections on this stage's @connections
    api_id: str


def configure_websocket_api(scope: Construct, app: PackagedApp, names: Names, config: StageConfig) -> ChatSocket:
    stack = Stack.of(scope)
    api = app.construct.get_resource(API_ID)
    stage = app.construct.get_resource(STAGE_ID)
    api_name = f"{names.prefix}-chat"
    api.add_property_override("Name", api_name)
    api.add_property_override("Description", f"Lambdesk {config.stage} live chat sockets")
    stage_name = names.stage
    stage.add_property_override("StageName", stage_name)
    log_group = logs.LogGroup(
        scope,
        "ChatSocketAccessLogs",
        log_group_name=f"/aws/apigateway/{api_name}",
        retention=config.log_retention,
        removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
    )
    # Set on the L1 stage itself (not as overrides) so that cdk-nag sees the access logs it checks for.
    stage.access_log_settings = apigwv2.CfnStage.AccessLogSettingsProperty(
        destination_arn=log_group.log_group_arn, format=ACCESS_LOG_FORMAT
    )
    stage.default_route_settings = apigwv2.CfnStage.RouteSettingsProperty(
        throttling_rate_limit=config.chat_throttle_rate,
        throttling_burst_limit=config.chat_throttle_burst,
        logging_level="ERROR",
        data_trace_enabled=False,
    )
    for route in ROUTE_IDS:
        acknowledge(
            app.construct.get_resource(route),
            "AwsSolutions-APIG4",
            "A WebSocket API can authorize only $connect, and $connect is authorized by the handler: a single-use "
            "connect token of about 60 s and the page's Origin (decision 043); every later frame is checked "
            "against the connection's own item.",
        )
    account = _cloudwatch_role(scope)
    stage.node.add_dependency(account)
    host = f"{api.ref}.execute-api.{stack.region}.{stack.url_suffix}"
    return ChatSocket(
        api_name=api_name,
        stage_name=stage_name,
        ws_url=f"wss://{host}/{stage_name}",
        management_url=f"https://{host}/{stage_name}",
        connections_arn=stack.format_arn(
            service="execute-api", resource=api.ref, resource_name=f"{stage_name}/*/@connections/*"
        ),
        api_id=api.ref,
    )


def _cloudwatch_role(scope: Construct) -> apigateway.CfnAccount:
    """API Gateway writes WebSocket logs with the account's CloudWatch role (one per account and region)."""
    role = iam.Role(
        scope,
        "ApiGatewayLogsRole",
        assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
        description="API Gateway writes access and execution logs (account setting)",
        inline_policies={
            "logs": iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        actions=[
                            "logs:CreateLogGroup",
                            "logs:CreateLogStream",
                            "logs:DescribeLogGroups",
                            "logs:DescribeLogStreams",
                            "logs:PutLogEvents",
                            "logs:GetLogEvents",
                            "logs:FilterLogEvents",
                        ],
                        resources=[
                            Stack.of(scope).format_arn(
                                service="logs", resource="log-group", resource_name="*", arn_format=_colon()
                            )
                        ],
                    )
                ]
            )
        },
    )
    acknowledge_wildcard_resource(
        role,
        Stack.of(scope).format_arn(service="logs", resource="log-group", resource_name="*", arn_format=_colon()),
        "API Gateway names its execution log groups itself (API-Gateway-Execution-Logs_<api id>/<stage>) and "
        "the account setting serves every API of the account and region.",
    )
    return apigateway.CfnAccount(scope, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)


def _colon() -> object:
    from aws_cdk import ArnFormat

    return ArnFormat.COLON_RESOURCE_NAME


def chat_environment(socket: ChatSocket, config: StageConfig, app: PackagedApp) -> dict[str, str]:
    """What every function reads about the chat (``chalicelib.core.settings_model``): the portal's own origin
    (the REST API's host) and the stage's extra ones (a custom domain, customers' sites) may open sockets."""
    stack = Stack.of(app.construct)
    origins = [*config.chat_allowed_origins]
    if app.api_stage is not None:
        rest = app.construct.get_resource("RestAPI")
        origins.insert(0, f"https://{rest.ref}.execute-api.{stack.region}.{stack.url_suffix}")
    return {
        "LAMBDESK_CHAT_WS_URL": socket.ws_url,
        "LAMBDESK_CHAT_MANAGEMENT_URL": socket.management_url,
        "LAMBDESK_CHAT_ALLOWED_ORIGINS": " ".join(origins),
        "LAMBDESK_WEB_CONNECT_ORIGINS": socket.ws_url.rsplit("/", 1)[0],
    }
