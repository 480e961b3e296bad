"""Alarms to the alarm topic (email from the stage config) and one dashboard.

Alarms: a message in any dead-letter queue; any function error or throttle; API Gateway 5xx; SES
bounce and complaint rates above the levels at which AWS starts reviewing the account; the reports' data lake
delivering late or refusing rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.core.resources import Names

from .config import StageConfig
from .nag import acknowledge
from .queues import topic

FIVE_MINUTES = Duration.minutes(5)
# Not ``Names.ops_topic``: that one carries the app's SLA alerts (encrypted, published by functions).
ALARM_TOPIC_SUFFIX = "alarms"
# AWS reviews an account at a 5% bounce rate or a 0.1% complaint rate; alarm at half of each.
BOUNCE_RATE_THRESHOLD = 0.025
COMPLAINT_RATE_THRESHOLD = 0.0005


@dataclass(frozen=True)
class Watched:
    functions: list[str]  # function names
    dead_letter_queues: dict[str, sqs.IQueue]  # by queue name
    work_queues: dict[str, sqs.IQueue]
    api_name: str | None
    api_stage: str | None
    table_name: str
    chat_api_id: str | None = None
    chat_stage: str | None = None
    lake_stream: str | None = None  # the reports' Firehose stream


class Monitoring(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, names: Names, config: StageConfig, watched: Watched
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = topic(
            self,
            "AlarmTopic",
            f"{names.prefix}-{ALARM_TOPIC_SUFFIX}",
            email=config.alarm_email,
            display_name=f"Lambdesk {config.stage} alarms",
        )
        acknowledge(
            self.topic,
            "AwsSolutions-SNS2",
            "Published by CloudWatch alarms, which cannot use the AWS managed SNS key; alarm "
            "notifications carry no customer data.",
        )
        self._action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        for queue_name, queue in watched.dead_letter_queues.items():
            self._alarm(
                queue_name,
                queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
                threshold=0,
                description="Messages in a dead-letter queue: see docs/operations.md, 'DLQ alarms and replay'.",
            )
        for function_name in watched.functions:
            for metric_name in ("Errors", "Throttles"):
                self._alarm(
                    f"{function_name}-{metric_name.lower()}",
                    _lambda_metric(metric_name, function_name),
                    threshold=0,
                    description=f"{function_name}: {metric_name.lower()} in the last 5 minutes.",
                )
        if watched.chat_api_id and watched.chat_stage:
            for metric_name in ("IntegrationError", "ExecutionError"):
                self._alarm(
                    f"{names.prefix}-chat-{metric_name.lower()}",
                    cloudwatch.Metric(
                        namespace="AWS/ApiGateway",
                        metric_name=metric_name,
                        dimensions_map={"ApiId": watched.chat_api_id, "Stage": watched.chat_stage},
                        statistic="Sum",
                        period=FIVE_MINUTES,
                    ),
                    threshold=0,
                    description=f"The chat's WebSocket API: {metric_name} (see the websocket_* function logs).",
                )
        if watched.api_name and watched.api_stage:
            self._alarm(
                f"{watched.api_name}-api-5xx",
                _api_metric("5XXError", watched.api_name, watched.api_stage, "Sum"),
                threshold=0,
                description="The API answered 5xx: see the api_handler logs.",
            )
        for metric_name, threshold in (
            ("Reputation.BounceRate", BOUNCE_RATE_THRESHOLD),
            ("Reputation.ComplaintRate", COMPLAINT_RATE_THRESHOLD),
        ):
            self._alarm(
                f"{names.prefix}-ses-{metric_name.split('.')[1].lower()}",
                cloudwatch.Metric(
                    namespace="AWS/SES", metric_name=metric_name, statistic="Maximum", period=Duration.hours(1)
                ),
                threshold=threshold,
                description=f"SES {metric_name} above {threshold:.2%} (account-wide): see docs/operations.md.",
            )
        if watched.lake_stream:
            self._lake_alarms(watched.lake_stream)
        self.dashboard = self._dashboard(names, watched)

    def _lake_alarms(self, stream: str) -> None:
        """Facts older than four buffer intervals not yet in S3 (delivery stuck: permissions, the Glue table), and
        any row Parquet conversion refused (it went to the errors/ prefix of the lake bucket)."""
        for suffix, metric_name, statistic, threshold, description in (
            ("late", "DeliveryToS3.DataFreshness", "Maximum", 3600, "the oldest fact not in S3 is over an hour old"),
            ("refused", "FailedConversion.Records", "Sum", 0, "rows Parquet conversion refused are in errors/"),
        ):
            metric = cloudwatch.Metric(
                namespace="AWS/Firehose",
                metric_name=metric_name,
                dimensions_map={"DeliveryStreamName": stream},
                statistic=statistic,
                period=FIVE_MINUTES,
            )
            self._alarm(f"{stream}-{suffix}", metric, threshold=threshold, description=f"{stream}: {description}.")

    def _alarm(self, alarm_name: str, metric: cloudwatch.IMetric, *, threshold: float, description: str) -> None:
        alarm = metric.create_alarm(
            self,
            alarm_name,
            alarm_name=alarm_name,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)

    def _dashboard(self, names: Names, watched: Watched) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=names.prefix)
        if watched.api_name and watched.api_stage:
            dashboard.add_widgets(
                _graph(
                    "API requests and errors",
                    [
                        _api_metric(m, watched.api_name, watched.api_stage, "Sum")
                        for m in ("Count", "4XXError", "5XXError")
                    ],
                ),
                _graph("API latency p90 (ms)", [_api_metric("Latency", watched.api_name, watched.api_stage, "p90")]),
            )
        dashboard.add_widgets(
            _graph("Function errors", _each(watched.functions, "Errors", "Sum")),
            _graph("Function duration p90 (ms)", _each(watched.functions, "Duration", "p90")),
            _graph("Function throttles", _each(watched.functions, "Throttles", "Sum")),
        )
        dashboard.add_widgets(
            _graph(
                "Queue depth",
                [
                    q.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, label=name)
                    for name, q in watched.work_queues.items()
                ],
            ),
            _graph(
                "Oldest message age (s)",
                [
                    q.metric_approximate_age_of_oldest_message(period=FIVE_MINUTES, label=name)
                    for name, q in watched.work_queues.items()
                ],
            ),
            _graph(
                "Dead-letter queues",
                [
                    q.metric_approximate_number_of_messages_visible(
                        period=FIVE_MINUTES, statistic="Maximum", label=name
                    )
                    for name, q in watched.dead_letter_queues.items()
                ],
            ),
        )
        dashboard.add_widgets(
            _graph(
                "DynamoDB consumed capacity",
                [
                    _table_metric(m, watched.table_name)
                    for m in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")
                ],
            ),
            _graph("DynamoDB throttled requests", [_table_metric("ThrottledRequests", watched.table_name)]),
            _graph(
                "SES reputation",
                [
                    cloudwatch.Metric(namespace="AWS/SES", metric_name=m, statistic="Maximum", period=Duration.hours(1))
                    for m in ("Reputation.BounceRate", "Reputation.ComplaintRate")
                ],
            ),
        )
        return dashboard


def _lambda_metric(
    metric_name: str, function_name: str, statistic: str = "Sum", label: str | None = None
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name=metric_name,
        dimensions_map={"FunctionName": function_name},
        statistic=statistic,
        period=FIVE_MINUTES,
        label=label,
    )


def _each(function_names: Iterable[str], metric_name: str, statistic: str) -> list[cloudwatch.IMetric]:
    return [_lambda_metric(metric_name, name, statistic, label=name) for name in function_names]


def _api_metric(metric_name: str, api_name: str, stage: str, statistic: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/ApiGateway",
        metric_name=metric_name,
        dimensions_map={"ApiName": api_name, "Stage": stage},
        statistic=statistic,
        period=FIVE_MINUTES,
    )


def _table_metric(metric_name: str, table_name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/DynamoDB",
        metric_name=metric_name,
        dimensions_map={"TableName": table_name},
        statistic="Sum",
        period=FIVE_MINUTES,
    )


def _graph(title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=metrics, width=8)
