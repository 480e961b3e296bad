"""Constructs checked in a bare stack: no Chalice packaging, so these run in a second."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("aws_cdk", reason="infra dependencies not installed: pip install -r infra/requirements.txt")

sys.path.append(str(Path(__file__).resolve().parents[2] / "infra"))

import aws_cdk as cdk
from aws_cdk.assertions import Match, Template
from stacks.queues import topic


def _template(email: str | None) -> Template:
    stack = cdk.Stack(cdk.App(), "bare")
    topic(stack, "Topic", "lambdesk-bare-ops", email=email)
    return Template.from_stack(stack)


def test_a_topic_with_an_email_subscribes_it() -> None:
    template = _template("sla@example.org")
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "sla@example.org", "TopicArn": {"Ref": Match.string_like_regexp("^Topic")}},
    )


def test_a_topic_without_an_email_has_no_subscription_and_refuses_plain_http() -> None:
    template = _template(None)
    template.resource_count_is("AWS::SNS::Subscription", 0)
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": [
                    Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
                ]
            }
        },
    )
