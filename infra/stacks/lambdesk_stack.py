"""One Lambdesk stage: data, messaging, mail, agents, the Chalice app, and its monitoring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_kms as kms
from constructs import Construct

from chalicelib.core.resources import EVENT_CONSUMER_QUEUES, FUNCTION_API, FUNCTION_REPORTS, Names, event_filter_policy

from . import chalice_app
from .auth import Agents
from .chat import chat_environment, configure_websocket_api
from .config import StageConfig
from .data import create_table
from .functions import configure_rest_api, connect_stream_relay, set_portal_url, wire_functions
from .lake import Lake
from .mail import Mail
from .monitoring import Monitoring, Watched
from .permissions import AppResources
from .queues import ConsumerQueue, dead_letter_queue, topic

SIGNING_KEY_NAME = "signing-key"
# Chalice needs some role ARN for ``manage_iam_role: false``; every function's Role is replaced
# by its own role below, and a function left with this value fails the deploy loudly.
ROLE_PLACEHOLDER = "arn:aws:iam::000000000000:role/replaced-by-lambdesk-infra"


class LambdeskStack(Stack):
    def __init__(self, scope: Construct, config: StageConfig, *, chalice_source_dir: Path, **kwargs: Any) -> None:
        names = Names(config.stage)
        # The construct id is the stage: Chalice names its stage after this scope's path.
        super().__init__(scope, config.stage, stack_name=names.prefix, **kwargs)
        self.names = names
        self.table = create_table(self, names, config)
        # Only our functions publish to these two topics, so the AWS managed key works (no key fee).
        sns_managed_key = kms.Alias.from_alias_name(self, "SnsManagedKey", "alias/aws/sns")
        self.events_topic = topic(self, "EventsTopic", names.events_topic, master_key=sns_managed_key)
        # SLA warnings and breaches for people and chat integrations (alarms have their own topic).
        self.ops_topic = topic(
            self,
            "OpsTopic",
            names.ops_topic,
            email=config.ops_email,
            display_name=f"Lambdesk {config.stage} operations",
            master_key=sns_managed_key,
        )
        self.consumer_queues = {
            purpose: ConsumerQueue(
                self, f"Events{purpose.capitalize()}", queue_name=names.queue(purpose), dlq_name=names.dlq(purpose)
            )
            for purpose in EVENT_CONSUMER_QUEUES
        }
        for purpose, consumer in self.consumer_queues.items():
            consumer.subscribe_to(self.events_topic, event_filter_policy(purpose))
        self.relay_dlq = dead_letter_queue(
            self, "RelayDlq", names.relay_dlq, "of the stream relay (on-failure destination)"
        )
        self.mail = Mail(self, "Mail", names=names, config=config)
        self.agents = Agents(self, "Agents", names=names, config=config)
        # Every metric fact also goes to S3 through Firehose as Parquet, for Athena (docs/decisions/060-reports.md).
        self.lake = Lake(self, "Lake", names=names, config=config)
        self.signing_key_parameter = f"{names.secrets_prefix}{SIGNING_KEY_NAME}"

        self.app = chalice_app.package(
            self,
            "Api",
            source_dir=chalice_source_dir,
            stage=config.stage,
            stage_config=self._chalice_stage_config(config),
        )
        self.chat_socket = configure_websocket_api(self, self.app, names, config)
        queues = {q.queue_name: q for q in [*self.consumer_queues.values(), self.mail.inbound, self.mail.feedback]}
        resources = AppResources(
            table=self.table,
            events_topic=self.events_topic,
            ops_topic=self.ops_topic,
            signing_key_parameter=self.signing_key_parameter,
            queues=queues,
            mail_bucket=self.mail.bucket,
            relay_dlq=self.relay_dlq,
            inbound_queue_name=self.mail.inbound.queue_name,
            ses_identity_arn=self.format_arn(service="ses", resource="identity", resource_name=config.support_domain),
            ses_configuration_set_arn=self.format_arn(
                service="ses",
                resource="configuration-set",
                resource_name=self.mail.configuration_set.configuration_set_name,
            ),
            outbound_queue_name=names.queue("outbound"),
            chat_connections_arn=self.chat_socket.connections_arn,
            lake_stream_arn=self.lake.stream_arn,
        )
        self.functions = wire_functions(self, self.app, names, config, resources)
        # Only the reports consumer ships facts to the lake.
        self.functions[self.app.function(FUNCTION_REPORTS).logical_id].resource.add_property_override(
            "Environment.Variables.LAMBDESK_LAKE_STREAM", self.lake.stream_name
        )
        api_handler = self.app.function(FUNCTION_API).logical_id
        for name, value in chat_environment(self.chat_socket, config, self.app).items():
            for logical_id, function in self.functions.items():
                # The allowed origins name the REST API, which the API's own function cannot reference (a
                # cycle); only the socket handlers check origins.
                if name == "LAMBDESK_CHAT_ALLOWED_ORIGINS" and logical_id == api_handler:
                    continue
                function.resource.add_property_override(f"Environment.Variables.{name}", value)
        self.stream_mapping = connect_stream_relay(self, self.app, self.functions, resources)
        api_name = configure_rest_api(self.app, names, config)
        self.portal_url = set_portal_url(self.app, self.functions, config)
        for purpose in EVENT_CONSUMER_QUEUES:
            if not self.app.consumers_of(names.queue(purpose)):
                raise LookupError(f"no function in the Chalice app consumes {names.queue(purpose)}")

        dead_letter_queues = {q.dlq_name: q.dlq for q in queues.values()}
        dead_letter_queues[names.relay_dlq] = self.relay_dlq
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            names=names,
            config=config,
            watched=Watched(
                functions=sorted(f.function_name for f in self.functions.values()),
                dead_letter_queues={n: q for n, q in sorted(dead_letter_queues.items())},
                work_queues={n: q.queue for n, q in sorted(queues.items())},
                api_name=api_name,
                api_stage=self.app.api_stage,
                table_name=names.table,
                chat_api_id=self.chat_socket.api_id,
                chat_stage=self.chat_socket.stage_name,
                lake_stream=self.lake.stream_name,
            ),
        )
        self._outputs(config)

    def _chalice_stage_config(self, config: StageConfig) -> dict[str, Any]:
        return {
            "manage_iam_role": False,
            "iam_role_arn": ROLE_PLACEHOLDER,
            "autogen_policy": False,
            "xray": config.tracing,
            "environment_variables": {
                "LAMBDESK_STAGE": config.stage,
                "LAMBDESK_TABLE_NAME": self.table.table_name,
                "LAMBDESK_EVENTS_TOPIC_ARN": self.events_topic.topic_arn,
                "LAMBDESK_RELAY_DEAD_LETTER_URL": self.relay_dlq.queue_url,
                "LAMBDESK_OPS_TOPIC_ARN": self.ops_topic.topic_arn,
                "LAMBDESK_AUTH_MODE": "cognito",
                "LAMBDESK_COGNITO_USER_POOL_ID": self.agents.user_pool.user_pool_id,
                "LAMBDESK_COGNITO_CLIENT_ID": self.agents.client.user_pool_client_id,
                "LAMBDESK_SIGNING_KEY_PARAMETER": self.signing_key_parameter,
                "LAMBDESK_SUPPORT_DOMAIN": config.support_domain,
                "LAMBDESK_SUPPORT_ADDRESS": config.support_addresses[0],
                "LAMBDESK_MAIL_BUCKET": self.mail.bucket.bucket_name,
                "LAMBDESK_OUTBOUND_QUEUE_URL": self.consumer_queues["outbound"].queue.queue_url,
                **({"LAMBDESK_PORTAL_URL": config.portal_url} if config.portal_url else {}),
                "LAMBDESK_SES_CONFIGURATION_SET": self.mail.configuration_set.configuration_set_name,
                "LAMBDESK_TRACING": "true" if config.tracing else "false",
                "POWERTOOLS_SERVICE_NAME": "lambdesk",
                "POWERTOOLS_METRICS_NAMESPACE": "Lambdesk",
                "LAMBDESK_REPORT_TIME_ZONE": config.report_time_zone,
            },
        }

    def _outputs(self, config: StageConfig) -> None:
        outputs = {
            "TableName": self.table.table_name,
            "EventsTopicArn": self.events_topic.topic_arn,
            "UserPoolId": self.agents.user_pool.user_pool_id,
            "UserPoolClientId": self.agents.client.user_pool_client_id,
            "MailBucket": self.mail.bucket.bucket_name,
            "ReceiptRuleSet": self.mail.rule_set_name,
            "ConfigurationSet": self.mail.configuration_set.configuration_set_name,
            "SigningKeyParameter": self.signing_key_parameter,
            "OpsTopicArn": self.ops_topic.topic_arn,
            "ChatSocketUrl": self.chat_socket.ws_url,
            "AlarmTopicArn": self.monitoring.topic.topic_arn,
            "SupportDomain": config.support_domain,
            "LakeBucket": self.lake.bucket.bucket_name,
            "LakeDatabase": self.lake.database_name,
            "LakeStream": self.lake.stream_name,
            "AthenaWorkGroup": self.lake.workgroup.ref,
        }
        if self.portal_url:
            outputs["PortalUrl"] = f"{self.portal_url}/portal"
        for index, record in enumerate(self.mail.identity.dkim_records, start=1):
            outputs[f"DkimRecord{index}Name"] = record.name
            outputs[f"DkimRecord{index}Value"] = record.value
        for key, value in outputs.items():
            CfnOutput(self, key, value=value)
