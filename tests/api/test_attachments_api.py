"""Agents' replies carry attachments: upload by presigned POST (a key of their own, a policy S3 enforces), then
name the key in the reply; the timeline serves them by presigned URL and the mail to the customer attaches them."""

from __future__ import annotations

from typing import Any

from tests.api.contract import Api
from tests.api.support import Desk

LOG = {"filename": "printer log.txt", "content_type": "text/plain", "size": 7}


def upload(api: Api, svc: Any, data: bytes = b"line 1\n", **fields: Any) -> str:
    started = api.post("/v1/attachments", json={**LOG, **fields})
    assert started.status == 201, started.json
    assert svc.objects.upload(svc.settings.bucket, started.json["fields"], data)
    key: str = started.json["key"]
    return key


def test_an_upload_is_a_key_of_the_agents_own_with_a_policy(agent_api: Api, agent: Any, memory_svc: Any) -> None:
    started = agent_api.post("/v1/attachments", json=LOG)
    assert started.status == 201, started.json
    key = started.json["key"]
    assert key.startswith(f"attachments/uploads/{agent.id}/") and key.endswith("/printer_log.txt")
    assert started.json["fields"] == {"key": key, "Content-Type": "text/plain"}
    assert started.json["max_bytes"] == memory_svc.settings.max_attachment_bytes
    bucket = memory_svc.settings.bucket
    # S3 holds the upload to the policy: another content type, an empty or oversized file is refused.
    assert not memory_svc.objects.upload(bucket, {**started.json["fields"], "Content-Type": "text/html"}, b"x")
    assert not memory_svc.objects.upload(bucket, started.json["fields"], b"")
    assert memory_svc.objects.upload(bucket, started.json["fields"], b"line 1\n")


def test_an_upload_larger_than_the_limit_is_refused(agent_api: Api, memory_svc: Any) -> None:
    reply = agent_api.post("/v1/attachments", json={**LOG, "size": memory_svc.settings.max_attachment_bytes + 1})
    assert (reply.status, reply.error_fields) == (400, ["body.size"])  # the document's maximum


def test_an_upload_over_a_lower_deployment_limit_is_413(agent_api: Api, memory_svc: Any) -> None:
    memory_svc.agent_uploads.max_bytes = 1000
    reply = agent_api.post("/v1/attachments", json={**LOG, "size": 1001})
    assert (reply.status, reply.error_fields) == (413, ["size"])


def test_a_reply_names_its_uploads_and_the_timeline_serves_them(agent_api: Api, desk: Desk, memory_svc: Any) -> None:
    ticket = desk.ticket()
    key = upload(agent_api, memory_svc)
    reply = agent_api.post(
        f"/v1/tickets/{ticket['id']}/replies",
        json={"body": "See the log.", "attachments": [key]},
        headers={"If-Match": '"1"'},
    )
    assert reply.status == 201, reply.json
    timeline = desk.get_ticket(ticket["id"])["timeline"]
    [message] = [e for e in timeline if e["author"]["kind"] == "agent" and e["kind"] == "message"]
    [attachment] = message["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "printer_log.txt",
        "text/plain",
        7,
    )
    assert attachment["url"].startswith(f"memory://{memory_svc.settings.bucket}/{key}")


def test_a_reply_cannot_name_another_agents_upload_or_nothing_uploaded(
    admin_api: Api, agent_api: Api, desk: Desk, memory_svc: Any
) -> None:
    ticket = desk.ticket()
    theirs = upload(admin_api, memory_svc)
    never = agent_api.post("/v1/attachments", json=LOG).json["key"]
    for key in (theirs, never):
        reply = agent_api.post(
            f"/v1/tickets/{ticket['id']}/replies",
            json={"body": "x", "attachments": [key]},
            headers={"If-Match": '"1"'},
        )
        assert (reply.status, reply.error_code) == (404, "not_found"), key
    assert desk.get_ticket(ticket["id"])["ticket"]["version"] == 1
