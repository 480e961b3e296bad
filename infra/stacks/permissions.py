"""One IAM role per function, written out by hand: ``autogen_policy`` cannot see pynamodb, S3 or SES calls.

Every statement names its resources; the only wildcards are the ones AWS leaves no alternative to
(log streams, the table's indexes, ``dynamodb:ListStreams``, X-Ray), each acknowledged with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.core.resources import (
    AGENT_UPLOAD_PREFIX,
    ATTACHMENT_PREFIX,
    FUNCTION_API,
    FUNCTION_CHAT_EVENTS,
    FUNCTION_CHAT_SWEEP,
    FUNCTION_INGEST_MAIL,
    FUNCTION_KB_INDEX,
    FUNCTION_REPORTS,
    FUNCTION_SEND_MAIL,
    FUNCTION_STREAM_RELAY,
    FUNCTION_TRACK_SLA,
    FUNCTION_WS_CONNECT,
    FUNCTION_WS_MESSAGE,
    KB_INDEX_PREFIX,
    PORTAL_ATTACHMENT_PREFIX,
    RAW_MAIL_PREFIX,
    REPORT_EXPORT_PREFIX,
    SENT_MAIL_PREFIX,
    UPLOAD_PREFIX,
)

from .chalice_app import PackagedFunction
from .nag import acknowledge_wildcard_resource
from .queues import ConsumerQueue

# Item-level actions only. Transactions (TransactWriteItems / TransactGetItems) are authorized
# through these same actions, per item.
TABLE_ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
STREAM_READ_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
QUEUE_CONSUME_ACTIONS = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
]
# The stream relay only moves stream records to the events topic: it never touches items.
NO_TABLE_ACCESS = {FUNCTION_STREAM_RELAY}
# Functions that build the knowledge base's search index into the mail bucket (the API: an admin's rebuild),
# and those that download it to search (the API).
KB_BUILDERS = {FUNCTION_KB_INDEX, "api_handler"}
KB_SEARCHERS = {"api_handler"}
# The only publishers of SLA warnings and breaches to the ops topic.
# Alerts reach the ops topic through the event stream: the sla consumer is its only publisher.
OPS_PUBLISHERS = {FUNCTION_TRACK_SLA}
# The functions that send frames to chat sockets (the Management API): frames, events, the sweep, the REST API.
CHAT_PUSHERS = {FUNCTION_CHAT_EVENTS, FUNCTION_CHAT_SWEEP, FUNCTION_WS_CONNECT, FUNCTION_WS_MESSAGE, FUNCTION_API}


@dataclass(frozen=True)
class AppResources:
    table: dynamodb.Table
    events_topic: sns.Topic
    ops_topic: sns.Topic
    signing_key_parameter: str
    queues: dict[str, ConsumerQueue]  # by queue name
    mail_bucket: s3.Bucket
    relay_dlq: sqs.Queue
    inbound_queue_name: str  # its consumer reads the raw mail SES stored
    ses_identity_arn: str = ""  # the support domain's SES identity (sending)
    ses_configuration_set_arn: str = ""
    outbound_queue_name: str = ""  # the portal's sign-in mail goes through it
    chat_connections_arn: str = ""  # execute-api:ManageConnections on the chat API's @connections
    lake_stream_arn: str = ""  # the Firehose stream the reports consumer ships facts to


class _Policy:
    """Statements plus the wildcard resources among them, each with the reason it cannot be narrower."""

    def __init__(self) -> None:
        self.statements: list[iam.PolicyStatement] = []
        self.wildcards: dict[str, str] = {}

    def allow(self, actions: list[str], resources: list[str], wildcard_reason: str | None = None, **kw: Any) -> None:
        self.statements.append(iam.PolicyStatement(actions=actions, resources=resources, **kw))
        for resource in resources:
            if "*" in resource:
                if wildcard_reason is None:
                    raise ValueError(f"wildcard resource {resource} needs a reason")
                self.wildcards[resource] = wildcard_reason


def function_role(
    scope: Construct, function: PackagedFunction, function_name: str, res: AppResources, tracing: bool
) -> iam.Role:
    stack = Stack.of(scope)
    policy = _Policy()
    _common(stack, function, function_name, res, policy)
    _consumed_queues(function, res, policy)
    for names, grant in _OWN_GRANTS:
        if function.name in names:
            grant(res, policy)
    if function.name in KB_BUILDERS | KB_SEARCHERS:
        _kb_index(function.name, res, policy)
    if function.name in CHAT_PUSHERS and res.chat_connections_arn:
        policy.allow(
            ["execute-api:ManageConnections"],
            [res.chat_connections_arn],
            "Connection ids are made by API Gateway at run time; the grant is this chat API's stage only.",
        )
    if tracing:
        policy.allow(
            ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            ["*"],
            "X-Ray trace submission has no resource-level permissions.",
        )
    role = iam.Role(
        scope,
        f"{function.logical_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Lambdesk function {function_name}",
        # Inline, so the function (which depends on the role) never starts before its permissions.
        inline_policies={"access": iam.PolicyDocument(statements=policy.statements)},
    )
    for resource, reason in policy.wildcards.items():
        acknowledge_wildcard_resource(role, resource, reason)
    return role


def _common(stack: Stack, function: PackagedFunction, function_name: str, res: AppResources, policy: _Policy) -> None:
    """What every function may do: write its own logs, publish events; the table and the signing key unless
    the function is one that never touches them."""
    policy.allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [f"{log_group_arn(stack, function_name)}:*"],
        "Lambda writes to log streams it names at run time, in this function's log group only.",
    )
    policy.allow(["sns:Publish"], [res.events_topic.topic_arn])
    if function.name in OPS_PUBLISHERS:
        policy.allow(["sns:Publish"], [res.ops_topic.topic_arn])
    if function.name not in NO_TABLE_ACCESS:
        policy.allow(
            TABLE_ITEM_ACTIONS,
            [res.table.table_arn, f"{res.table.table_arn}/index/*"],
            "Queries may use any index of this table (and of no other).",
        )
        _signing_key(stack, res, policy)


def _consumed_queues(function: PackagedFunction, res: AppResources, policy: _Policy) -> None:
    for queue_name in sorted(set(function.sqs_events.values())):
        if queue_name not in res.queues:
            raise LookupError(f"{function.name} consumes {queue_name!r}, which this stack does not create")
        policy.allow(QUEUE_CONSUME_ACTIONS, [res.queues[queue_name].queue.queue_arn])
        if queue_name == res.inbound_queue_name:
            policy.allow(
                ["s3:GetObject"],
                [res.mail_bucket.arn_for_objects(f"{RAW_MAIL_PREFIX}*")],
                "Reads the raw messages SES stored, whatever their generated keys.",
            )


def _ingest_mail(res: AppResources, policy: _Policy) -> None:
    policy.allow(
        ["s3:PutObject"],
        [res.mail_bucket.arn_for_objects(f"{ATTACHMENT_PREFIX}*")],
        "Stores inbound attachments under keys derived from the raw mail's key.",
    )


def _send_mail(res: AppResources, policy: _Policy) -> None:
    policy.allow(
        ["s3:PutObject"],
        [res.mail_bucket.arn_for_objects(f"{SENT_MAIL_PREFIX}*")],
        "Keeps a copy of every sent mail, one object per ticket event.",
    )
    policy.allow(
        ["s3:GetObject"],
        [
            res.mail_bucket.arn_for_objects(f"{ATTACHMENT_PREFIX}*"),
            res.mail_bucket.arn_for_objects(f"{SENT_MAIL_PREFIX}*"),
        ],
        "Attaches stored attachments; reads earlier sent copies to thread and to detect a finished send.",
    )
    # Without ListBucket a missing copy reads as AccessDenied instead of NoSuchKey.
    policy.allow(
        ["s3:ListBucket"],
        [res.mail_bucket.bucket_arn],
        conditions={"StringLike": {"s3:prefix": [f"{SENT_MAIL_PREFIX}*"]}},
    )
    policy.allow(["ses:SendEmail", "ses:SendRawEmail"], [res.ses_identity_arn, res.ses_configuration_set_arn])


def log_group_arn(stack: Stack, function_name: str) -> str:
    return stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=f"/aws/lambda/{function_name}",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def signing_key_parameter_arn(stack: Stack, parameter_name: str) -> str:
    return stack.format_arn(
        service="ssm",
        resource="parameter",
        resource_name=parameter_name.lstrip("/"),
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


def _signing_key(stack: Stack, res: AppResources, policy: _Policy) -> None:
    parameter_arn = signing_key_parameter_arn(stack, res.signing_key_parameter)
    policy.allow(["ssm:GetParameter"], [parameter_arn])
    # Needed only if the SecureString uses a customer managed key; the conditions pin it to SSM
    # decrypting this one parameter.
    policy.allow(
        ["kms:Decrypt"],
        [stack.format_arn(service="kms", resource="key", resource_name="*")],
        "Key ids are not known in advance; the conditions limit Decrypt to SSM and this parameter.",
        conditions={
            "StringEquals": {
                "kms:ViaService": f"ssm.{stack.region}.amazonaws.com",
                "kms:EncryptionContext:PARAMETER_ARN": parameter_arn,
            }
        },
    )


def _kb_index(function_name: str, res: AppResources, policy: _Policy) -> None:
    objects = res.mail_bucket.arn_for_objects(f"{KB_INDEX_PREFIX}*")
    policy.allow(["s3:GetObject"], [objects], "Index files are named per build (generation and build id).")
    if function_name in KB_BUILDERS:
        policy.allow(["s3:PutObject", "s3:DeleteObject"], [objects], "Each build writes a new key, prunes old ones.")
        # Listing finds the old builds to prune; without it a missing index reads as AccessDenied too.
        policy.allow(
            ["s3:ListBucket"],
            [res.mail_bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{KB_INDEX_PREFIX}*"]}},
        )


def _relay(res: AppResources, policy: _Policy) -> None:
    stream_arn = res.table.table_stream_arn
    assert stream_arn is not None
    policy.allow(STREAM_READ_ACTIONS, [stream_arn])
    policy.allow(["dynamodb:ListStreams"], ["*"], "dynamodb:ListStreams has no resource-level permissions.")
    # On-failure destination of the stream mapping: Lambda sends with the function's role.
    policy.allow(["sqs:SendMessage"], [res.relay_dlq.queue_arn])


def _portal(res: AppResources, policy: _Policy) -> None:
    """The API's pages: presigned uploads and downloads (signed with this role), checking and keeping customer
    files, and queueing the sign-in mail."""
    bucket = res.mail_bucket
    policy.allow(
        ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
        [bucket.arn_for_objects(f"{UPLOAD_PREFIX}*")],
        "Presigned POST forms let browsers upload under keys the browser names; the app checks, copies and deletes.",
    )
    policy.allow(
        ["s3:PutObject"],
        [bucket.arn_for_objects(f"{PORTAL_ATTACHMENT_PREFIX}*")],
        "Keeps a checked customer file under a key derived from its upload.",
    )
    policy.allow(
        ["s3:GetObject"],
        [bucket.arn_for_objects(f"{ATTACHMENT_PREFIX}*")],
        "Presigned downloads of the attachments of any ticket, after the app checked who asks.",
    )
    # Without ListBucket a missing upload reads as AccessDenied instead of NotFound.
    policy.allow(
        ["s3:ListBucket"], [bucket.bucket_arn], conditions={"StringLike": {"s3:prefix": [f"{UPLOAD_PREFIX}*"]}}
    )
    policy.allow(
        ["s3:PutObject", "s3:GetObject"],
        [bucket.arn_for_objects(f"{REPORT_EXPORT_PREFIX}*")],
        "The reports page's XLSX downloads: written, then fetched through a 5-minute presigned URL (decision 060).",
    )
    if res.outbound_queue_name:
        policy.allow(["sqs:SendMessage"], [res.queues[res.outbound_queue_name].queue.queue_arn])


def _attachments_by_url(res: AppResources, policy: _Policy) -> None:
    """The API presigns agents' uploads with its credentials, so its role holds exactly what those URLs may do
    (downloads of attachments: ``_portal``), and HEAD, to check an upload a reply names."""
    policy.allow(
        ["s3:PutObject"],
        [res.mail_bucket.arn_for_objects(f"{AGENT_UPLOAD_PREFIX}*")],
        "Presigned uploads; each URL's policy pins one key of the agent's own, its type and size.",
    )
    # Without ListBucket a reply naming an upload that never happened reads as 403 instead of 404.
    policy.allow(
        ["s3:ListBucket"],
        [res.mail_bucket.bucket_arn],
        conditions={"StringLike": {"s3:prefix": [f"{AGENT_UPLOAD_PREFIX}*"]}},
    )


def _lake(res: AppResources, policy: _Policy) -> None:
    if res.lake_stream_arn:
        policy.allow(["firehose:PutRecordBatch"], [res.lake_stream_arn])


# Grants of one function each (by name), beyond what every function may do.
_OWN_GRANTS: tuple[tuple[frozenset[str], Callable[[AppResources, _Policy], None]], ...] = (
    (frozenset({FUNCTION_INGEST_MAIL}), _ingest_mail),
    (frozenset({FUNCTION_SEND_MAIL}), _send_mail),
    (frozenset({FUNCTION_STREAM_RELAY}), _relay),
    (frozenset({FUNCTION_API}), _portal),
    (frozenset({FUNCTION_API}), _attachments_by_url),
    (frozenset({FUNCTION_REPORTS}), _lake),
)
