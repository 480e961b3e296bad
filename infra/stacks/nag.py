"""cdk-nag (v3) registration and acknowledgements: every acknowledgement carries its reason."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def add_checks(scope: IConstruct) -> None:
    # The acknowledgements are also written into each resource's Metadata (cdk_nag.rules_to_suppress):
    # the template itself shows what was accepted and why.
    Validations.of(scope).add_plugins(
        AwsSolutionsChecks(scope, verbose=True, write_suppressions_to_cloud_formation=True)
    )


def acknowledge(construct: IConstruct, rule: str, reason: str, *findings: str) -> None:
    """Acknowledge ``rule`` on ``construct``; with ``findings``, only those (``Resource::...``)."""
    if not reason.strip():
        raise ValueError(f"acknowledging {rule} needs a reason")
    ids = [f"{rule}[{finding}]" for finding in findings] or [rule]
    for finding_id in ids:
        Validations.of(construct).acknowledge(Acknowledgment(id=finding_id, reason=reason))


def flatten_reference(value: Any) -> str:
    """Render a resolved CloudFormation value the way cdk-nag names it in a finding.

    A port of cdk-nag's ``flattenCfnReference``: ``{"Fn::GetAtt": ["T", "Arn"]}`` -> ``<T.Arn>``,
    ``{"Ref": "AWS::Region"}`` -> ``<AWS::Region>``, ``Fn::Join`` joined, ``${x}`` -> ``<x>``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return delimiter.join(flatten_reference(item) for item in items)
        if "Fn::Sub" in value:
            return flatten_reference(value["Fn::Sub"])
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in value:
            return flatten_reference(value["Fn::ImportValue"])
        if "Ref" in value:
            return f"<{flatten_reference(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


def acknowledge_wildcard_resource(construct: IConstruct, resource: str, reason: str) -> None:
    """Acknowledge AwsSolutions-IAM5 for one wildcard resource (a string that may hold tokens)."""
    finding = flatten_reference(Stack.of(construct).resolve(resource))
    acknowledge(construct, "AwsSolutions-IAM5", reason, f"Resource::{finding}")
