"""The local stand-in for SES inbound: a real SMTP server (aiosmtpd) on loopback.

It does what an SES receipt rule does: accepts mail for the support domain, writes the raw message to the
mail bucket under ``raw/`` and publishes the same receipt notification to the inbound topic, which feeds
the inbound queue. ``lambdesk mail send`` injects files the same way.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3

from chalicelib.core.resources import RAW_MAIL_PREFIX
from chalicelib.mailflow.notices import notice_body
from devtools.localenv import LocalEnv


class SesInbound:
    """Raw mail -> S3 + notification, as SES does it."""

    def __init__(self, env: LocalEnv) -> None:
        kwargs = {"endpoint_url": env.moto_url, "region_name": "us-east-1"}
        self.env = env
        self.s3 = boto3.client("s3", **kwargs)
        self.sns = boto3.client("sns", **kwargs)

    def accepts(self, address: str) -> bool:
        return address.lower().rsplit("@", 1)[-1] == self.env.support_domain

    def receive(self, raw: bytes, recipients: list[str]) -> str:
        message_id = uuid.uuid4().hex
        key = f"{RAW_MAIL_PREFIX}{message_id}"
        self.s3.put_object(Bucket=self.env.bucket, Key=key, Body=raw)
        self.sns.publish(
            TopicArn=self.env.inbound_topic_arn,
            Message=notice_body(self.env.bucket, key, message_id, [r.lower() for r in recipients]),
        )
        return key


class Handler:
    def __init__(self, inbound: SesInbound) -> None:
        self.inbound = inbound

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if not self.inbound.accepts(address):
            return f"550 5.1.1 {address}: this server only accepts mail for @{self.inbound.env.support_domain}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        key = self.inbound.receive(bytes(raw), list(envelope.rcpt_tos))
        return f"250 2.0.0 Ok: queued as {key}"


def start(env: LocalEnv) -> Any:
    from aiosmtpd.controller import Controller

    controller = Controller(
        Handler(SesInbound(env)), hostname=env.host, port=env.smtp_port, data_size_limit=40 * 1024 * 1024
    )
    controller.start()
    return controller
