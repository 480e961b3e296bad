"""The synthesized CloudFormation template keeps the promises the app and the runbook rely on."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("aws_cdk", reason="infra dependencies not installed: pip install -r infra/requirements.txt")

from chalicelib.core.resources import (
    AGENT_AVAILABLE,
    EVENT_CONSUMER_QUEUES,
    FUNCTION_CHAT_EVENTS,
    FUNCTION_CHAT_SWEEP,
    FUNCTION_DRAIN_QUEUES,
    FUNCTION_KB_INDEX,
    FUNCTION_REPORTS,
    FUNCTION_ROUTE,
    FUNCTION_SEND_MAIL,
    FUNCTION_SLA_SWEEP,
    FUNCTION_STREAM_RELAY,
    FUNCTION_SURVEY_SWEEP,
    FUNCTION_TIMERS,
    FUNCTION_TRACK_SLA,
    FUNCTION_TRIGGERS,
    FUNCTION_WEBHOOKS,
    IGNORES,
    KB_ARTICLE_CHANGED,
    MAX_RECEIVE_COUNT,
    ONLY,
    REPORT_EVENTS,
    REPORTS_MAX_CONCURRENCY,
    SWEEP_SCHEDULE,
    TABLE,
    Names,
)

if TYPE_CHECKING:
    from conftest import Synthesized

CONFIG_DIR = Path(__file__).resolve().parents[2] / "infra" / "config"

SAM_FUNCTION = "AWS::Serverless::Function"
DATA_SERVICES = ("dynamodb", "s3", "sqs", "sns", "ssm", "kms", "ses", "secretsmanager")
# Which function consumes each queue subscribed to the events topic.
EVENT_CONSUMERS = {
    "webhooks": FUNCTION_WEBHOOKS,
    "outbound": FUNCTION_SEND_MAIL,
    "routing": FUNCTION_ROUTE,
    "sla": FUNCTION_TRACK_SLA,
    "automations": FUNCTION_TRIGGERS,
    "kb": FUNCTION_KB_INDEX,
    "chat": FUNCTION_CHAT_EVENTS,
    "reports": FUNCTION_REPORTS,
}
# Scheduled functions and their schedules (EventBridge rules once SAM transforms the template).
SCHEDULED = {
    FUNCTION_SLA_SWEEP: SWEEP_SCHEDULE,
    FUNCTION_TIMERS: SWEEP_SCHEDULE,
    FUNCTION_SURVEY_SWEEP: SWEEP_SCHEDULE,
    FUNCTION_DRAIN_QUEUES: SWEEP_SCHEDULE,
    FUNCTION_CHAT_SWEEP: SWEEP_SCHEDULE,
}
# The only functions that publish SLA warnings and breaches to the ops topic.
# Alerts reach the ops topic through the event stream: the sla consumer is its only publisher.
OPS_PUBLISHERS = {FUNCTION_TRACK_SLA}


# --- helpers -------------------------------------------------------------------------------------


def _config(synth: Synthesized) -> dict[str, Any]:
    return dict(json.loads((CONFIG_DIR / f"{synth.stack.names.stage}.json").read_text()))


def _ref_target(value: Any) -> str:
    """The logical id behind ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, attr]}``."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    raise AssertionError(f"not a reference: {value!r}")


def _sqs_events(synth: Synthesized) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(function id, function properties, SQS event properties) for every SQS event source."""
    found = []
    for logical_id, function in synth.resources(SAM_FUNCTION).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                found.append((logical_id, function["Properties"], event["Properties"]))
    return found


def _queue_by_name(synth: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (k, v) for k, v in synth.resources("AWS::SQS::Queue").items() if v["Properties"].get("QueueName") == name
    ]
    assert len(matches) == 1, f"expected one queue named {name}, found {len(matches)}"
    return matches[0]


def _function_by_name(synth: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    function_name = f"{Names(synth.stack.names.stage).prefix}-{name}"
    matches = [
        (k, v) for k, v in synth.resources(SAM_FUNCTION).items() if v["Properties"].get("FunctionName") == function_name
    ]
    assert len(matches) == 1, f"expected one function named {function_name}"
    return matches[0]


def _topic_by_name(synth: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (k, v) for k, v in synth.resources("AWS::SNS::Topic").items() if v["Properties"].get("TopicName") == name
    ]
    assert len(matches) == 1, f"expected one topic named {name}, found {len(matches)}"
    return matches[0]


def _role_statements(synth: Synthesized, function: dict[str, Any]) -> list[dict[str, Any]]:
    role = synth.resource(_ref_target(function["Properties"]["Role"]))
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def _identity_statements(synth: Synthesized) -> list[tuple[str, dict[str, Any]]]:
    statements = []
    for logical_id, role in synth.resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            statements += [(logical_id, s) for s in policy["PolicyDocument"]["Statement"]]
    for resource_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for logical_id, policy in synth.resources(resource_type).items():
            statements += [(logical_id, s) for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    return statements


def _mail(synth: Synthesized, resource_type: str) -> dict[str, Any]:
    """The mail bucket or its policy (the lake has a bucket too: tests/infra/test_lake.py)."""
    ((_, found),) = [(k, v) for k, v in synth.resources(resource_type).items() if k.startswith("Mail")]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- queues and event sources --------------------------------------------------------------------


def test_every_work_queue_redrives_to_a_dead_letter_queue_after_five_receives(stage: Synthesized) -> None:
    queues = stage.resources("AWS::SQS::Queue")
    dlq_ids = {
        _ref_target(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    relay_dlq_id, _ = _queue_by_name(stage, stage.stack.names.relay_dlq)
    work_queues = {k: q for k, q in queues.items() if k not in dlq_ids and k != relay_dlq_id}
    assert MAX_RECEIVE_COUNT == 5
    assert len(work_queues) == len(EVENT_CONSUMER_QUEUES) + 2  # + inbound and feedback
    for logical_id, queue in work_queues.items():
        redrive = queue["Properties"].get("RedrivePolicy")
        assert redrive, f"{logical_id} has no dead-letter queue"
        assert redrive["maxReceiveCount"] == MAX_RECEIVE_COUNT
        assert _ref_target(redrive["deadLetterTargetArn"]) in queues


def test_every_queue_that_feeds_a_function_has_a_dead_letter_queue(stage: Synthesized) -> None:
    events = _sqs_events(stage)
    assert events, "the app has SQS event sources (deliver_webhooks at least)"
    for function_id, _, event in events:
        queue = stage.resource(_ref_target(event["Queue"]))
        assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVE_COUNT, function_id


def test_every_sqs_event_source_reports_batch_item_failures(stage: Synthesized) -> None:
    for function_id, _, event in _sqs_events(stage):
        assert event.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], function_id
    for logical_id, mapping in stage.resources("AWS::Lambda::EventSourceMapping").items():
        assert mapping["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], logical_id


def test_every_event_consumer_queue_is_named_here() -> None:
    assert sorted(EVENT_CONSUMERS) == sorted(EVENT_CONSUMER_QUEUES)


@pytest.mark.parametrize(("purpose", "function_name"), sorted(EVENT_CONSUMERS.items()))
def test_each_event_queue_feeds_its_consumer_with_batch_failures_and_a_dlq(
    stage: Synthesized, purpose: str, function_name: str
) -> None:
    names = stage.stack.names
    queue_id, queue = _queue_by_name(stage, names.queue(purpose))
    dlq_id, dlq = _queue_by_name(stage, names.dlq(purpose))
    function_id, function = _function_by_name(stage, function_name)
    consumers = [(f, e) for f, _, e in _sqs_events(stage) if _ref_target(e["Queue"]) == queue_id]
    assert [f for f, _ in consumers] == [function_id]
    (_, event) = consumers[0]
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    }
    assert queue["Properties"]["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"]
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert _alarms(stage)[names.dlq(purpose)]["Threshold"] == 0


def test_queue_visibility_timeout_is_at_least_six_function_timeouts(stage: Synthesized) -> None:
    for function_id, function, event in _sqs_events(stage):
        queue = stage.resource(_ref_target(event["Queue"]))
        assert queue["Properties"]["VisibilityTimeout"] >= 6 * function["Timeout"], function_id


def test_event_consumer_queues_take_raw_messages_from_the_events_topic(stage: Synthesized) -> None:
    topic_id = next(
        k
        for k, t in stage.resources("AWS::SNS::Topic").items()
        if t["Properties"]["TopicName"] == stage.stack.names.events_topic
    )
    for purpose in EVENT_CONSUMER_QUEUES:
        queue_id, queue = _queue_by_name(stage, stage.stack.names.queue(purpose))
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        stage.template.has_resource_properties(
            "AWS::SNS::Subscription",
            {
                "Protocol": "sqs",
                "TopicArn": {"Ref": topic_id},
                "Endpoint": {"Fn::GetAtt": [queue_id, "Arn"]},
                "RawMessageDelivery": True,
            },
        )


def test_only_routing_is_sent_agent_events_and_only_kb_article_events(stage: Synthesized) -> None:
    """``agent.available`` and ``kb.article.changed`` would cost an invocation and reach webhooks (and ticket
    consumers that expect a ticket) everywhere else; the kb queue takes nothing but article changes."""
    filters = {}
    for subscription in stage.resources("AWS::SNS::Subscription").values():
        endpoint = subscription["Properties"].get("Endpoint", {})
        if isinstance(endpoint, dict) and "Fn::GetAtt" in endpoint:
            name = stage.resource(endpoint["Fn::GetAtt"][0])["Properties"].get("QueueName", "")
            filters[name] = subscription["Properties"].get("FilterPolicy")
    names = stage.stack.names
    assert filters[names.queue("routing")] == {"event_type": sorted(ONLY["routing"])}
    assert AGENT_AVAILABLE in filters[names.queue("routing")]["event_type"]
    assert filters[names.queue("kb")] == {"event_type": [KB_ARTICLE_CHANGED]}
    # The chat and the reports take only the ticket events they act on (their own tests say which).
    assert filters[names.queue("chat")] == {"event_type": ["message.added", "ticket.updated"]}
    assert "anything-but" not in str(filters[names.queue("reports")])
    for purpose in set(EVENT_CONSUMER_QUEUES) - set(ONLY):
        ignored = sorted({AGENT_AVAILABLE, KB_ARTICLE_CHANGED} | IGNORES.get(purpose, frozenset()))
        assert filters[names.queue(purpose)] == {"event_type": [{"anything-but": ignored}]}, purpose
    assert "note.added" in str(filters[names.queue("sla")])


def test_the_reports_queue_is_sent_only_the_events_a_metric_fact_can_arise_on(stage: Synthesized) -> None:
    queue_id, _ = _queue_by_name(stage, stage.stack.names.queue("reports"))
    (subscription,) = [
        s["Properties"]
        for s in stage.resources("AWS::SNS::Subscription").values()
        if s["Properties"].get("Endpoint") == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    assert subscription["FilterPolicy"] == {"event_type": sorted(REPORT_EVENTS)}
    assert subscription["RawMessageDelivery"] is True
    assert {"ticket.created", "message.added", "ticket.updated", "sla.breached", "csat.answered", "chat.missed"} == set(
        REPORT_EVENTS
    )


def test_the_reports_consumer_runs_at_most_two_at_a_time_and_may_write_report_items(stage: Synthesized) -> None:
    function_id, function = _function_by_name(stage, FUNCTION_REPORTS)
    (event,) = [e for f, _, e in _sqs_events(stage) if f == function_id]
    assert event["ScalingConfig"] == {"MaximumConcurrency": REPORTS_MAX_CONCURRENCY} == {"MaximumConcurrency": 2}
    others = [e for f, _, e in _sqs_events(stage) if f != function_id]
    assert all("ScalingConfig" not in e for e in others)
    assert function["Properties"]["Environment"]["Variables"]["LAMBDESK_REPORT_TIME_ZONE"] == "UTC"
    role_id = _ref_target(function["Properties"]["Role"])
    owners = {role_id} | {
        k for k, p in stage.resources("AWS::IAM::Policy").items() if {"Ref": role_id} in p["Properties"]["Roles"]
    }
    actions = {a for owner, st in _identity_statements(stage) if owner in owners for a in _as_list(st["Action"])}
    assert {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= actions, actions


@pytest.mark.parametrize(("function_name", "schedule"), sorted(SCHEDULED.items()))
def test_sweeps_run_every_minute_from_a_rule_named_after_them(
    stage: Synthesized, function_name: str, schedule: str
) -> None:
    # SAM turns a Schedule event into an AWS::Events::Rule targeting the function and the
    # AWS::Lambda::Permission (principal events.amazonaws.com, source: that rule) to invoke it.
    assert schedule == "rate(1 minute)"
    _, function = _function_by_name(stage, function_name)
    (event,) = function["Properties"]["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == schedule
    assert event["Properties"]["Name"] == function["Properties"]["FunctionName"]
    assert event["Properties"].get("Enabled", True) is True
    # A failed run is not retried (it could overlap the next one, which picks up what is still due).
    assert function["Properties"]["EventInvokeConfig"]["MaximumRetryAttempts"] == 0


def test_only_the_sweeps_are_scheduled(stage: Synthesized) -> None:
    scheduled = {
        function["Properties"]["FunctionName"]
        for function in stage.resources(SAM_FUNCTION).values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "Schedule"
    }
    assert scheduled == {f"{stage.stack.names.prefix}-{name}" for name in SCHEDULED}
    # No rule outside SAM's: every schedule is one the app declares.
    assert not stage.resources("AWS::Events::Rule")


@pytest.mark.parametrize("function_name", sorted(SCHEDULED))
def test_sweeps_have_their_own_role_logs_and_alarms(stage: Synthesized, function_name: str) -> None:
    function_id, function = _function_by_name(stage, function_name)
    name = function["Properties"]["FunctionName"]
    assert _ref_target(function["Properties"]["Role"]).startswith(f"{function_id}Role")
    groups = {g["Properties"].get("LogGroupName"): g for g in stage.resources("AWS::Logs::LogGroup").values()}
    assert groups[f"/aws/lambda/{name}"]["Properties"]["RetentionInDays"] == _config(stage)["log_retention_days"]
    alarms = _alarms(stage)
    assert alarms[f"{name}-errors"]["MetricName"] == "Errors"
    assert alarms[f"{name}-throttles"]["MetricName"] == "Throttles"
    assert not [s for s in _role_statements(stage, function) if "sqs:ReceiveMessage" in _as_list(s["Action"])]


def test_stream_relay_mapping_bisects_and_parks_failures_in_the_relay_dlq(stage: Synthesized) -> None:
    mappings = stage.resources("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == 1
    (mapping,) = (m["Properties"] for m in mappings.values())
    table_id = next(iter(stage.resources("AWS::DynamoDB::Table")))
    relay_id, _ = _function_by_name(stage, FUNCTION_STREAM_RELAY)
    relay_dlq_id, _ = _queue_by_name(stage, stage.stack.names.relay_dlq)
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert mapping["FunctionName"] == {"Ref": relay_id}
    assert mapping["BatchSize"] == 100
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 0 < mapping["MaximumRetryAttempts"] <= 10_000
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [relay_dlq_id, "Arn"]}


# --- data ----------------------------------------------------------------------------------------


def test_table_has_the_shape_of_resources_table(stage: Synthesized) -> None:
    (table,) = (t["Properties"] for t in stage.resources("AWS::DynamoDB::Table").values())
    assert table["TableName"] == stage.stack.names.table
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [
        {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
        {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
    ]
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": TABLE.ttl_attribute, "Enabled": True}
    assert table["StreamSpecification"] == {"StreamViewType": TABLE.stream_view}
    assert table["SSESpecification"]["SSEEnabled"] is True
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == sorted(i.name for i in TABLE.indexes)
    for spec in TABLE.indexes:
        assert indexes[spec.name]["KeySchema"] == [
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ]
        assert indexes[spec.name]["Projection"] == {"ProjectionType": "ALL"}


def test_team_queue_index_lists_a_teams_queue_in_view_order(stage: Synthesized) -> None:
    (table,) = (t["Properties"] for t in stage.resources("AWS::DynamoDB::Table").values())
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert indexes["team_queue"]["KeySchema"] == [
        {"AttributeName": "queue_key", "KeyType": "HASH"},
        {"AttributeName": "view_sk", "KeyType": "RANGE"},
    ]
    assert indexes["team_queue"]["Projection"] == {"ProjectionType": "ALL"}
    assert {"AttributeName": "queue_key", "AttributeType": "S"} in table["AttributeDefinitions"]
    # CloudFormation adds one GSI per deploy (docs/deploy.md): a new index must be a deliberate change here.
    assert len(indexes) == len(TABLE.indexes) == 10


def test_prod_table_is_protected_and_retained(prod: Synthesized) -> None:
    ((_, table),) = prod.resources("AWS::DynamoDB::Table").items()
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_dev_table_can_be_torn_down(dev: Synthesized) -> None:
    ((_, table),) = dev.resources("AWS::DynamoDB::Table").items()
    assert table["Properties"]["DeletionProtectionEnabled"] is False
    assert table["DeletionPolicy"] == "Delete"


def test_mail_bucket_blocks_public_access_and_enforces_tls(stage: Synthesized) -> None:
    bucket = _mail(stage, "AWS::S3::Bucket")
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    policy = _mail(stage, "AWS::S3::BucketPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    tls = [
        s
        for s in statements
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert tls and tls[0]["Principal"] == {"AWS": "*"}


def test_only_ses_for_this_account_may_write_raw_mail(stage: Synthesized) -> None:
    policy = _mail(stage, "AWS::S3::BucketPolicy")
    allows = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (ses,) = allows
    assert ses["Principal"] == {"Service": "ses.amazonaws.com"}
    assert ses["Action"] == "s3:PutObject"
    assert ses["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_raw_mail_expires_after_the_configured_retention(stage: Synthesized) -> None:
    bucket = _mail(stage, "AWS::S3::Bucket")
    rules = {r["Id"]: r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}
    days = _config(stage)["raw_mail_retention_days"]
    assert rules["expire-raw-mail"]["Prefix"] == "raw/"
    assert rules["expire-raw-mail"]["ExpirationInDays"] == days


# --- mail ----------------------------------------------------------------------------------------


def test_receipt_rule_scans_and_stores_raw_mail_with_a_notification(stage: Synthesized) -> None:
    ((_, rule),) = stage.resources("AWS::SES::ReceiptRule").items()
    rule_props = rule["Properties"]["Rule"]
    assert rule_props["ScanEnabled"] is True
    assert rule_props["Enabled"] is True
    (action,) = rule_props["Actions"]
    inbound_topic = next(
        k for k, t in stage.resources("AWS::SNS::Topic").items() if t["Properties"]["TopicName"].endswith("-inbound")
    )
    assert action["S3Action"]["ObjectKeyPrefix"] == "raw/"
    assert action["S3Action"]["TopicArn"] == {"Ref": inbound_topic}
    assert _config(stage)["support_domain"] in rule_props["Recipients"]


def test_a_custom_resource_activates_the_receipt_rule_set(stage: Synthesized) -> None:
    ((rule_set_id, rule_set),) = stage.resources("AWS::SES::ReceiptRuleSet").items()
    activations = stage.resources("Custom::AWS")
    assert len(activations) == 1
    ((_, activation),) = activations.items()
    assert rule_set_id in activation["DependsOn"]
    create = activation["Properties"]["Create"]
    create_text = create if isinstance(create, str) else str(create)
    assert '"action":"setActiveReceiptRuleSet"' in create_text
    assert f'"RuleSetName":"{rule_set["Properties"]["RuleSetName"]}"' in create_text
    delete = str(activation["Properties"]["Delete"])
    assert "setActiveReceiptRuleSet" in delete and "RuleSetName" not in delete


def test_inbound_and_feedback_queues_are_fed_by_their_topics(stage: Synthesized) -> None:
    names = stage.stack.names
    for purpose in ("inbound", "feedback"):
        queue_id, _ = _queue_by_name(stage, names.queue(purpose))
        _queue_by_name(stage, names.dlq(purpose))
        topic_id = next(
            k
            for k, t in stage.resources("AWS::SNS::Topic").items()
            if t["Properties"]["TopicName"] == f"{names.prefix}-{purpose}"
        )
        stage.template.has_resource_properties(
            "AWS::SNS::Subscription",
            {"TopicArn": {"Ref": topic_id}, "Endpoint": {"Fn::GetAtt": [queue_id, "Arn"]}, "RawMessageDelivery": True},
        )


def test_bounces_and_complaints_go_to_the_feedback_topic(stage: Synthesized) -> None:
    feedback = next(
        k for k, t in stage.resources("AWS::SNS::Topic").items() if t["Properties"]["TopicName"].endswith("-feedback")
    )
    ((_, destination),) = stage.resources("AWS::SES::ConfigurationSetEventDestination").items()
    props = destination["Properties"]["EventDestination"]
    assert sorted(props["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert props["SnsDestination"]["TopicARN"] == {"Ref": feedback}


# --- functions -----------------------------------------------------------------------------------


def test_every_function_has_log_retention(stage: Synthesized) -> None:
    log_groups = stage.resources("AWS::Logs::LogGroup")
    by_name = {g["Properties"].get("LogGroupName"): (k, g) for k, g in log_groups.items()}
    sam_functions = stage.resources(SAM_FUNCTION)
    assert len(sam_functions) >= 3
    for logical_id, function in sam_functions.items():
        name = function["Properties"]["FunctionName"]
        group_id, group = by_name[f"/aws/lambda/{name}"]
        assert group["Properties"]["RetentionInDays"] > 0, logical_id
        assert group_id in function["DependsOn"], f"{logical_id} may start before its log group exists"
    for logical_id, function in stage.resources("AWS::Lambda::Function").items():
        group_id = _ref_target(function["Properties"]["LoggingConfig"]["LogGroup"])
        assert log_groups[group_id]["Properties"]["RetentionInDays"] > 0, logical_id


def test_every_function_runs_with_its_own_role(stage: Synthesized) -> None:
    roles = stage.resources("AWS::IAM::Role")
    seen = set()
    for logical_id, function in stage.resources(SAM_FUNCTION).items():
        role_id = _ref_target(function["Properties"]["Role"])
        assert role_id in roles, f"{logical_id} still has Chalice's placeholder role"
        assert role_id not in seen
        seen.add(role_id)


def test_functions_get_the_settings_the_app_reads(stage: Synthesized) -> None:
    names = stage.stack.names
    for logical_id, function in stage.resources(SAM_FUNCTION).items():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["LAMBDESK_STAGE"] == names.stage
        assert env["LAMBDESK_AUTH_MODE"] == "cognito"
        assert env["LAMBDESK_SIGNING_KEY_PARAMETER"] == f"{names.secrets_prefix}signing-key"
        assert env["LAMBDESK_TRACING"] == "false"
        assert env["POWERTOOLS_SERVICE_NAME"] == "lambdesk"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Lambdesk"
        assert _ref_target(env["LAMBDESK_TABLE_NAME"]) in stage.resources("AWS::DynamoDB::Table")
        assert _ref_target(env["LAMBDESK_EVENTS_TOPIC_ARN"]) in stage.resources("AWS::SNS::Topic")
        assert env["LAMBDESK_OPS_TOPIC_ARN"] == {"Ref": _topic_by_name(stage, names.ops_topic)[0]}, logical_id
        assert _ref_target(env["LAMBDESK_COGNITO_USER_POOL_ID"]) in stage.resources("AWS::Cognito::UserPool")
        assert _ref_target(env["LAMBDESK_COGNITO_CLIENT_ID"]) in stage.resources("AWS::Cognito::UserPoolClient")
        assert not any("secret" in k.lower() or k == "LAMBDESK_SIGNING_KEY" for k in env), logical_id


def test_no_identity_policy_grants_a_wildcard_action(stage: Synthesized) -> None:
    statements = _identity_statements(stage)
    assert statements
    for owner, statement in statements:
        if statement["Effect"] != "Allow":
            continue
        for action in _as_list(statement["Action"]):
            assert "*" not in action, f"{owner}: wildcard action {action}"


def test_data_actions_never_apply_to_every_resource(stage: Synthesized) -> None:
    for owner, statement in _identity_statements(stage):
        if statement["Effect"] != "Allow" or "*" not in _as_list(statement["Resource"]):
            continue
        for action in _as_list(statement["Action"]):
            service = action.split(":", 1)[0]
            allowed = {
                "dynamodb:ListStreams",
                "ses:SetActiveReceiptRuleSet",
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
            }
            assert service not in DATA_SERVICES or action in allowed, f"{owner}: {action} on *"


def test_table_access_is_item_level_and_limited_to_the_table(stage: Synthesized) -> None:
    table_id = next(iter(stage.resources("AWS::DynamoDB::Table")))
    for owner, statement in _identity_statements(stage):
        actions = _as_list(statement["Action"])
        if not any(a.startswith("dynamodb:") and a not in ("dynamodb:ListStreams",) for a in actions):
            continue
        for resource in _as_list(statement["Resource"]):
            assert table_id in str(resource), f"{owner}: DynamoDB access beyond the table: {resource}"
        assert not {"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:UpdateTable"} & set(actions), owner


def test_stream_relay_reads_the_stream_and_may_park_failures(stage: Synthesized) -> None:
    _, relay = _function_by_name(stage, FUNCTION_STREAM_RELAY)
    role = stage.resource(_ref_target(relay["Properties"]["Role"]))
    actions = {
        a
        for p in role["Properties"]["Policies"]
        for s in p["PolicyDocument"]["Statement"]
        for a in _as_list(s["Action"])
    }
    assert {
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "sqs:SendMessage",
        "sns:Publish",
    } <= actions
    assert "dynamodb:PutItem" not in actions


def test_signing_key_is_read_from_ssm_and_never_in_the_template(stage: Synthesized) -> None:
    _, api = _function_by_name(stage, "api_handler")
    role = stage.resource(_ref_target(api["Properties"]["Role"]))
    statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
    ssm = [s for s in statements if s["Action"] == "ssm:GetParameter"]
    assert len(ssm) == 1 and "parameter/lambdesk/" in str(ssm[0]["Resource"])
    kms = [s for s in statements if s["Action"] == "kms:Decrypt"]
    assert len(kms) == 1 and "kms:EncryptionContext:PARAMETER_ARN" in kms[0]["Condition"]["StringEquals"]
    assert not stage.resources("AWS::SSM::Parameter")


def test_rest_api_is_named_after_the_stage_and_throttled(stage: Synthesized) -> None:
    ((_, api),) = stage.resources("AWS::Serverless::Api").items()
    assert api["Properties"]["Name"] == stage.stack.names.prefix
    (settings,) = api["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0


def test_the_rest_api_passes_report_workbooks_as_binary(stage: Synthesized) -> None:
    """``app.api.binary_types`` reaches API Gateway: a client accepting XLSX gets the workbook's bytes."""
    ((_, api),) = stage.resources("AWS::Serverless::Api").items()
    binary = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-binary-media-types"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in binary


def test_a_path_no_route_declares_is_a_404_in_the_apis_error_shape_not_a_403(stage: Synthesized) -> None:
    import json

    ((_, api),) = stage.resources("AWS::Serverless::Api").items()
    missing = api["Properties"]["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == 404
    body = json.loads(missing["ResponseTemplates"]["application/json"].replace("$context.", ""))
    assert body["error"]["code"] == "not_found"


# --- auth ----------------------------------------------------------------------------------------


def test_user_pool_is_invitation_only_with_strong_passwords(stage: Synthesized) -> None:
    ((_, pool),) = stage.resources("AWS::Cognito::UserPool").items()
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert props["MfaConfiguration"] == "OPTIONAL"
    assert props["UserPoolTier"] == "PLUS"
    groups = {g["Properties"]["GroupName"] for g in stage.resources("AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"admin", "agent"}
    stage.template.has_resource_properties("AWS::Cognito::UserPoolClient", {"GenerateSecret": False})


# --- monitoring ----------------------------------------------------------------------------------


def _alarms(synth: Synthesized) -> dict[str, dict[str, Any]]:
    return {a["Properties"]["AlarmName"]: a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()}


def test_every_dead_letter_queue_has_an_alarm(stage: Synthesized) -> None:
    alarms = _alarms(stage)
    queues = stage.resources("AWS::SQS::Queue")
    dlq_ids = {
        _ref_target(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    dlq_ids.add(_queue_by_name(stage, stage.stack.names.relay_dlq)[0])
    alarm_topic, _ = _topic_by_name(stage, f"{stage.stack.names.prefix}-alarms")
    for dlq_id in dlq_ids:
        name = queues[dlq_id]["Properties"]["QueueName"]
        alarm = alarms[name]
        assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
        assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["AlarmActions"] == [{"Ref": alarm_topic}]


def test_every_function_alarms_on_errors_and_throttles(stage: Synthesized) -> None:
    alarms = _alarms(stage)
    for function in stage.resources(SAM_FUNCTION).values():
        name = function["Properties"]["FunctionName"]
        for metric in ("errors", "throttles"):
            alarm = alarms[f"{name}-{metric}"]
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": name}]


def test_api_5xx_and_ses_reputation_alarms_exist(stage: Synthesized) -> None:
    alarms = _alarms(stage)
    prefix = stage.stack.names.prefix
    assert alarms[f"{prefix}-api-5xx"]["MetricName"] == "5XXError"
    assert alarms[f"{prefix}-ses-bouncerate"]["MetricName"] == "Reputation.BounceRate"
    assert alarms[f"{prefix}-ses-complaintrate"]["MetricName"] == "Reputation.ComplaintRate"
    stage.template.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_prod_alarms_reach_the_configured_email(prod: Synthesized) -> None:
    email = _config(prod)["alarm_email"]
    alarm_topic, _ = _topic_by_name(prod, f"{prod.stack.names.prefix}-alarms")
    prod.template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": email, "TopicArn": {"Ref": alarm_topic}}
    )


# --- the ops topic (SLA warnings and breaches) -----------------------------------------------------


def test_ops_topic_is_encrypted_tls_only_and_not_the_alarm_topic(stage: Synthesized) -> None:
    names = stage.stack.names
    ops_id, ops = _topic_by_name(stage, names.ops_topic)
    _, events = _topic_by_name(stage, names.events_topic)
    assert ops["Properties"]["KmsMasterKeyId"] == events["Properties"]["KmsMasterKeyId"]
    assert str(ops["Properties"]["KmsMasterKeyId"]).endswith(":alias/aws/sns")
    (policy,) = [
        p for p in stage.resources("AWS::SNS::TopicPolicy").values() if p["Properties"]["Topics"] == [{"Ref": ops_id}]
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    outputs = stage.json["Outputs"]
    assert outputs["OpsTopicArn"]["Value"] == {"Ref": ops_id}
    assert outputs["AlarmTopicArn"]["Value"] == {"Ref": _topic_by_name(stage, f"{names.prefix}-alarms")[0]}
    alarm_actions = {str(a) for alarm in _alarms(stage).values() for a in alarm.get("AlarmActions", [])}
    assert str({"Ref": ops_id}) not in alarm_actions


def test_only_track_sla_may_publish_to_the_ops_topic(stage: Synthesized) -> None:
    ops_id, _ = _topic_by_name(stage, stage.stack.names.ops_topic)
    publishers = {
        owner
        for owner, statement in _identity_statements(stage)
        if statement["Effect"] == "Allow"
        and {"Ref": ops_id} in _as_list(statement["Resource"])
        and "sns:Publish" in _as_list(statement["Action"])
    }
    expected = {_ref_target(_function_by_name(stage, name)[1]["Properties"]["Role"]) for name in OPS_PUBLISHERS}
    assert publishers == expected
    granted = {
        owner for owner, statement in _identity_statements(stage) if {"Ref": ops_id} in _as_list(statement["Resource"])
    }
    assert granted == expected  # nothing else (subscribe, set attributes, ...) for anyone


def test_ops_alerts_reach_no_email_unless_configured(stage: Synthesized) -> None:
    ops_id, _ = _topic_by_name(stage, stage.stack.names.ops_topic)
    assert _config(stage)["ops_email"] is None
    assert not [
        s for s in stage.resources("AWS::SNS::Subscription").values() if s["Properties"]["TopicArn"] == {"Ref": ops_id}
    ]


# --- checks and hygiene --------------------------------------------------------------------------


def test_cdk_nag_reports_no_unacknowledged_finding(stage: Synthesized) -> None:
    # The plugin ran: it wrote the acknowledgements (each with its reason) into the template.
    bucket = _mail(stage, "AWS::S3::Bucket")
    acknowledged = {r["id"]: r["reason"] for r in bucket["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert acknowledged["AwsSolutions-S1"].strip()
    report = json.loads((stage.assembly_dir / "validation-report.json").read_text())
    violations = [v["ruleName"] for r in report["pluginReports"] for v in r.get("violations", [])]
    assert violations == []


def test_packaging_leaves_the_process_as_it_found_it(dev: Synthesized) -> None:
    assert "${Token[" not in os.environ.get("LAMBDESK_TABLE_NAME", "")
    assert not any("${Token[" in value for value in os.environ.values())
    assert not any("lambdesk-chalice-" in p for p in sys.path)
    assert Path.cwd() != Path("/")  # packaging ran in a scratch directory and came back


def test_each_consumer_may_consume_its_own_queue_only(stage: Synthesized) -> None:
    for function_id, function, event in _sqs_events(stage):
        role = stage.resource(_ref_target(function["Role"]))
        statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
        consume = [s for s in statements if "sqs:ReceiveMessage" in _as_list(s["Action"])]
        assert [s["Resource"] for s in consume] == [event["Queue"]], function_id
        assert "sqs:DeleteMessage" in consume[0]["Action"]


# --- the customer portal ---------------------------------------------------------------------------


def test_uploads_no_form_took_expire_after_a_day(stage: Synthesized) -> None:
    bucket = _mail(stage, "AWS::S3::Bucket")
    rules = {r["Id"]: r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-pending-uploads"]["Prefix"] == "uploads/"
    assert rules["expire-pending-uploads"]["ExpirationInDays"] == 1
    assert rules["expire-report-exports"]["Prefix"] == "report-exports/"
    assert rules["expire-report-exports"]["ExpirationInDays"] == 1


def test_the_api_signs_uploads_and_downloads_only_where_customer_files_live(stage: Synthesized) -> None:
    _, api = _function_by_name(stage, "api_handler")
    s3 = [s for s in _role_statements(stage, api) if any(a.startswith("s3:") for a in _as_list(s["Action"]))]
    # The knowledge base's index files are the kb's own grant (test_the_kb_builder_writes_and_prunes_...).
    granted = {
        (a, json.dumps(r, sort_keys=True))
        for s in s3
        for a in _as_list(s["Action"])
        for r in _as_list(s["Resource"])
        if "kb/index" not in json.dumps(r) and "kb/index" not in json.dumps(s.get("Condition", {}))
    }
    by_action: dict[str, list[str]] = {}
    for action, resource in granted:
        by_action.setdefault(action, []).append(resource)
    assert sorted(by_action) == ["s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    assert all("/uploads/*" in r for r in by_action["s3:DeleteObject"])
    # Customers' checked files, their pending uploads and agents' uploads (attachments/uploads/, the API's own),
    # and the reports page's downloads (report-exports/).
    assert len(by_action["s3:PutObject"]) == 4
    places = ("/attachments/portal/*", "/uploads/*", "/report-exports/*")
    assert all(any(p in r for p in places) for r in by_action["s3:PutObject"])
    assert not any("raw/" in r or "sent/" in r for resources in by_action.values() for r in resources)
    listings = [s["Condition"] for s in s3 if s["Action"] == "s3:ListBucket"]
    assert {"StringLike": {"s3:prefix": ["uploads/*"]}} in listings
    allowed = (["uploads/*"], ["kb/index/*"], ["attachments/uploads/*"])
    assert all(c["StringLike"]["s3:prefix"] in allowed for c in listings)


def test_the_api_may_queue_the_sign_in_mail_on_the_outbound_queue_only(stage: Synthesized) -> None:
    names = stage.stack.names
    outbound_id, _ = _queue_by_name(stage, names.queue("outbound"))
    _, api = _function_by_name(stage, "api_handler")
    sends = [s for s in _role_statements(stage, api) if "sqs:SendMessage" in _as_list(s["Action"])]
    assert [_ref_target(s["Resource"]) for s in sends] == [outbound_id]
    for _, function in stage.resources(SAM_FUNCTION).items():
        env = function["Properties"]["Environment"]["Variables"]
        assert _ref_target(env["LAMBDESK_OUTBOUND_QUEUE_URL"]) == outbound_id


def test_mail_links_to_the_portal_at_the_apis_own_url_unless_a_domain_is_configured(stage: Synthesized) -> None:
    _, sender = _function_by_name(stage, FUNCTION_SEND_MAIL)
    url = sender["Properties"]["Environment"]["Variables"]["LAMBDESK_PORTAL_URL"]
    ((api_id, _),) = stage.resources("AWS::Serverless::Api").items()
    assert url["Fn::Join"][1][0] == "https://" and {"Ref": api_id} in url["Fn::Join"][1]
    literal = "".join(part for part in url["Fn::Join"][1] if isinstance(part, str))
    assert literal.endswith("/api")  # the stage of the REST API
    _, sweep = _function_by_name(stage, FUNCTION_SURVEY_SWEEP)
    assert sweep["Properties"]["Environment"]["Variables"]["LAMBDESK_PORTAL_URL"] == url  # no survey without links
    _, api = _function_by_name(stage, "api_handler")
    assert "LAMBDESK_PORTAL_URL" not in api["Properties"]["Environment"]["Variables"]  # no circular reference
    assert "PortalUrl" in stage.json["Outputs"]


def test_a_configured_portal_domain_reaches_every_function() -> None:
    from stacks.config import ConfigError, StageConfig

    base = json.loads((CONFIG_DIR / "dev.json").read_text())
    config = StageConfig.from_mapping("dev", base | {"portal_url": "https://help.example.com/"})
    assert config.portal_url == "https://help.example.com"
    with pytest.raises(ConfigError, match="portal_url"):
        StageConfig.from_mapping("dev", base | {"portal_url": "http://help.example.com"})


def _s3_grants(synth: Synthesized, function_name: str) -> dict[str, list[str]]:
    """S3 action -> the object-key suffixes (``/kb/index/*``) a function's role grants it on."""
    _, function = _function_by_name(synth, function_name)
    grants: dict[str, list[str]] = {}
    for statement in _role_statements(synth, function):
        for action in _as_list(statement["Action"]):
            if not action.startswith("s3:"):
                continue
            for resource in _as_list(statement["Resource"]):
                parts = resource.get("Fn::Join", ["", []])[1] if isinstance(resource, dict) else [resource]
                grants.setdefault(action, []).append("".join(p for p in parts if isinstance(p, str)))
    return grants


def test_the_kb_builder_writes_and_prunes_index_files_and_the_api_reads_them(stage: Synthesized) -> None:
    builder = _s3_grants(stage, FUNCTION_KB_INDEX)
    assert builder["s3:PutObject"] == ["/kb/index/*"] and builder["s3:DeleteObject"] == ["/kb/index/*"]
    assert builder["s3:GetObject"] == ["/kb/index/*"] and "s3:ListBucket" in builder
    api = _s3_grants(stage, "api_handler")
    assert "/kb/index/*" in api["s3:GetObject"] and "/kb/index/*" in api["s3:PutObject"]
    # Nothing else may touch the index files.
    relay = _s3_grants(stage, FUNCTION_STREAM_RELAY)
    assert not any("/kb/" in r for resources in relay.values() for r in resources)


def test_the_api_may_presign_attachment_downloads_and_own_uploads_only(stage: Synthesized) -> None:
    from chalicelib.core.resources import AGENT_UPLOAD_PREFIX, ATTACHMENT_PREFIX

    api = _s3_grants(stage, "api_handler")
    assert f"/{ATTACHMENT_PREFIX}*" in api["s3:GetObject"] and not any("raw/" in r for r in api["s3:GetObject"])
    assert f"/{AGENT_UPLOAD_PREFIX}*" in api["s3:PutObject"]
    bucket = _mail(stage, "AWS::S3::Bucket")
    assert bucket["Properties"]["CorsConfiguration"]["CorsRules"] == [
        {"AllowedMethods": ["POST"], "AllowedOrigins": ["*"], "MaxAge": 3000}
    ]
