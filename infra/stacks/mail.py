"""Email in and out through SES: receipt rules into S3 + SNS -> SQS, bounce and complaint feedback.

Inbound: the receipt rule (spam and virus scanning on) stores the raw MIME under ``raw/`` in the mail
bucket and notifies the inbound topic, which feeds the ``inbound`` queue. Outbound feedback: the
configuration set sends bounce and complaint events to the feedback topic, which feeds the
``feedback`` queue (the suppression list). CloudFormation creates receipt rule sets inactive, so a
custom resource activates this one (and deactivates it before the stack deletes it).
"""

from __future__ import annotations

from aws_cdk import Aws, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_sns as sns
from aws_cdk import custom_resources as cr
from constructs import Construct

from chalicelib.core.resources import RAW_MAIL_PREFIX, REPORT_EXPORT_PREFIX, UPLOAD_PREFIX, Names

from .config import StageConfig
from .nag import acknowledge
from .queues import ConsumerQueue, topic

# The id aws-cdk-lib gives the singleton function behind every AwsCustomResource in a stack.
PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"
SES_PRINCIPAL = iam.ServicePrincipal("ses.amazonaws.com")
UNENCRYPTED_TOPIC_REASON = (
    "Published by SES, which cannot use the AWS managed SNS key; a customer managed key would cost "
    "$1/month per stage for messages SNS holds only until it hands them to the SSE-encrypted queue."
)


class Mail(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, names: Names, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.bucket = self._bucket(names, config)
        self.inbound_topic = self._ses_topic("InboundTopic", f"{names.prefix}-inbound")
        self.feedback_topic = self._ses_topic("FeedbackTopic", f"{names.prefix}-feedback")
        self.inbound = ConsumerQueue(self, "Inbound", queue_name=names.queue("inbound"), dlq_name=names.dlq("inbound"))
        self.inbound.subscribe_to(self.inbound_topic)
        self.feedback = ConsumerQueue(
            self, "Feedback", queue_name=names.queue("feedback"), dlq_name=names.dlq("feedback")
        )
        self.feedback.subscribe_to(self.feedback_topic)

        self.rule_set_name = f"{names.prefix}-inbound"
        self.rule_set = ses.ReceiptRuleSet(
            self,
            "ReceiptRuleSet",
            receipt_rule_set_name=self.rule_set_name,
            rules=[
                ses.ReceiptRuleOptions(
                    receipt_rule_name=f"{names.prefix}-store",
                    recipients=config.receipt_recipients,
                    scan_enabled=True,
                    # Customers' mail servers that cannot do TLS are still customers.
                    tls_policy=ses.TlsPolicy.OPTIONAL,
                    actions=[
                        ses_actions.S3(bucket=self.bucket, object_key_prefix=RAW_MAIL_PREFIX, topic=self.inbound_topic)
                    ],
                )
            ],
        )
        if config.activate_receipt_rule_set:
            self.activation = self._activate(config)

        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=names.prefix,
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.configuration_set.add_event_destination(
            "Feedback",
            destination=ses.EventDestination.sns_topic(self.feedback_topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        self.identity = ses.EmailIdentity(
            self,
            "DomainIdentity",
            identity=ses.Identity.domain(config.support_domain),
            configuration_set=self.configuration_set,
        )

    def _bucket(self, names: Names, config: StageConfig) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=f"{names.mail_bucket_prefix}-{Aws.ACCOUNT_ID}",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Agents' browsers upload attachments with presigned POSTs (the signed policy limits each to one key).
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.POST], allowed_origins=["*"], max_age=3000)],
            # Mail is data: never deleted with the stack (an emptied bucket can be removed by hand).
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-raw-mail",
                    prefix=RAW_MAIL_PREFIX,
                    expiration=Duration.days(config.raw_mail_retention_days),
                ),
                s3.LifecycleRule(
                    id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
                # Files customers uploaded but never sent with a form (sent ones are copied to attachments/).
                s3.LifecycleRule(id="expire-pending-uploads", prefix=UPLOAD_PREFIX, expiration=Duration.days(1)),
                # The reports page's downloads (decision 060): fetched once through a 5-minute presigned URL.
                s3.LifecycleRule(id="expire-report-exports", prefix=REPORT_EXPORT_PREFIX, expiration=Duration.days(1)),
            ],
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            "Only SES writes and only the inbound function reads this bucket; CloudTrail records both "
            "sides, and server access logs would cost more than the mail they describe.",
        )
        return bucket

    def _ses_topic(self, construct_id: str, name: str) -> sns.Topic:
        ses_topic = topic(self, construct_id, name)
        ses_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowSesPublishFromThisAccount",
                actions=["sns:Publish"],
                principals=[SES_PRINCIPAL],
                resources=[ses_topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        acknowledge(ses_topic, "AwsSolutions-SNS2", UNENCRYPTED_TOPIC_REASON)
        return ses_topic

    def _activate(self, config: StageConfig) -> cr.AwsCustomResource:
        log_group = logs.LogGroup(
            self,
            "ActivationLogs",
            retention=config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Our own role for the provider function (shared by every AwsCustomResource in the stack):
        # logs to its log group only, instead of the AWS managed AWSLambdaBasicExecutionRole.
        provider_role = iam.Role(
            self,
            "ActivationRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            inline_policies={
                "logs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[f"{log_group.log_group_arn}"],
                        )
                    ]
                )
            },
        )
        activation = cr.AwsCustomResource(
            self,
            "ActivateReceiptRuleSet",
            on_create=_set_active(self.rule_set_name),
            on_update=_set_active(self.rule_set_name),
            # No name deactivates; a rule set cannot be deleted while it is active.
            on_delete=cr.AwsSdkCall(
                service="SES",
                action="setActiveReceiptRuleSet",
                parameters={},
                physical_resource_id=cr.PhysicalResourceId.of(self.rule_set_name),
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["ses:SetActiveReceiptRuleSet"], resources=["*"])]
            ),
            install_latest_aws_sdk=False,
            log_group=log_group,
            role=provider_role,
        )
        activation.node.add_dependency(self.rule_set)
        provider = Stack.of(self).node.find_child(PROVIDER_ID).node.default_child
        assert isinstance(provider, CfnResource)
        # aws-cdk-lib adds a DependsOn next to its GetAtt of the role: redundant, not wrong.
        provider.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        acknowledge(
            activation,
            "AwsSolutions-IAM5",
            "ses:SetActiveReceiptRuleSet does not support resource-level permissions.",
            "Resource::*",
        )
        return activation


def _set_active(rule_set_name: str) -> cr.AwsSdkCall:
    return cr.AwsSdkCall(
        service="SES",
        action="setActiveReceiptRuleSet",
        parameters={"RuleSetName": rule_set_name},
        physical_resource_id=cr.PhysicalResourceId.of(rule_set_name),
    )
