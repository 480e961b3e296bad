"""Valid credentials never get a 500: deep JSON, oversized text, unknown time zones, concurrent first use."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from tests.api.support import Api

EMOJI = "\U0001f525"


def test_json_nested_100000_deep_is_refused_with_400_before_parsing(admin_api: Api) -> None:
    raw = (
        '{"subject": "x", "body": "y", "requester_email": "a@b.example", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    reply = admin_api.post("/v1/tickets", raw=raw.encode())
    assert (reply.status, reply.error_fields) == (400, ["body"])
    assert "deeper than 32" in reply.json["error"]["message"]


def test_a_request_body_over_a_megabyte_is_refused_with_413(admin_api: Api) -> None:
    reply = admin_api.post("/v1/tickets", raw=json.dumps({"subject": "x", "body": "y" * 1_100_000}).encode())
    assert (reply.status, reply.error_code, reply.error_fields) == (413, "too_large", ["body"])


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/v1/tickets", "漢" * 150_000),  # 450 KB of UTF-8 in 150,000 characters
        ("replies", EMOJI * 20_000),  # 80 KB of UTF-8 (240 KB as escaped JSON)
        ("notes", EMOJI * 20_000),
    ],
)
def test_text_over_64_kib_of_utf8_is_refused_naming_the_field(admin_api: Api, desk: Any, path: str, text: str) -> None:
    if path == "/v1/tickets":
        reply = admin_api.post(path, json={"subject": "Big", "body": text, "requester_email": "big@x.example"})
    else:
        ticket = desk.ticket()
        reply = admin_api.post(f"/v1/tickets/{ticket['id']}/{path}", json={"body": text, "version": ticket["version"]})
    assert reply.status in (400, 413) and reply.error_fields == ["body.body"], reply.json


def test_text_of_64_kib_in_cjk_is_accepted(admin_api: Api) -> None:
    text = "漢" * (64 * 1024 // 3)
    reply = admin_api.post("/v1/tickets", json={"subject": "Big", "body": text, "requester_email": "cjk@x.example"})
    assert reply.status == 201


def test_an_unknown_time_zone_or_locale_is_refused_at_the_edge(admin_api: Api) -> None:
    agent = admin_api.post("/v1/agents", json={"email": "mars@x.example", "name": "Mars", "time_zone": "Mars/Olympus"})
    assert (agent.status, agent.error_fields) == (400, ["body.time_zone"])
    customer = admin_api.post("/v1/customers", json={"name": "C", "emails": ["c@x.example"], "locale": "english!"})
    assert (customer.status, customer.error_fields) == (400, ["body.locale"])
    good = admin_api.post("/v1/customers", json={"name": "D", "emails": ["d@x.example"], "locale": "pt_br"})
    assert (good.status, good.json["locale"]) == (201, "pt-BR")


def test_concurrent_first_requests_to_a_fresh_app_all_succeed() -> None:
    """The OpenAPI document's models load lazily at the first request; 16 first requests at once all get it."""
    script = textwrap.dedent(
        """
        import json, threading
        import tests.conftest  # the test environment
        from tests.api.support import chalice_client

        results = []
        with chalice_client() as client:
            barrier = threading.Barrier(16)

            def first() -> None:
                barrier.wait()
                results.append(client.http.get("/openapi.json").status_code)

            threads = [threading.Thread(target=first) for _ in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        print(json.dumps(results))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [200] * 16


def test_a_deactivated_agents_next_request_gets_401_and_a_demoted_admin_403(
    admin_api: Api, api: Api, memory_svc: Any, settings: Any
) -> None:
    from chalicelib import bootstrap
    from chalicelib.domain.people import Role

    # The container as a Lambda builds it: it keeps what it read of configuration for 30 s.
    bootstrap.use(bootstrap.Container(settings, memory_svc.repos, cache_seconds=30.0))
    other = memory_svc.directory.create_agent("ops@example.com", "Olga Ops", Role.ADMIN)
    olga = api.as_(other)
    assert olga.get("/v1/agents").status == 200  # reads the agent now (and caches nothing that matters)
    demoted = admin_api.patch(f"/v1/agents/{other.id}", json={"version": other.version, "role": "agent"})
    assert demoted.status == 200
    assert olga.post("/v1/teams", json={"name": "T"}).status == 403  # the very next admin request
    assert olga.get("/v1/me").json["role"] == "agent"
    gone = admin_api.patch(f"/v1/agents/{other.id}", json={"version": demoted.json["version"], "active": False})
    assert gone.status == 200
    assert olga.get("/v1/me").status == 401  # the very next request


def test_what_an_agent_reads_about_themselves_is_what_they_just_wrote(agent_api: Api, agent: Any) -> None:
    changed = agent_api.patch(f"/v1/agents/{agent.id}", json={"version": agent.version, "availability": "online"})
    assert changed.status == 200
    assert agent_api.get("/v1/me").json["availability"] == "online"


def test_authentication_reads_agents_and_tokens_strongly_consistently(settings: Any) -> None:
    """An eventually consistent read could still see an agent as active for a moment after deactivation."""
    from chalicelib.domain.people import Role
    from chalicelib.people.auth import Authenticator, mint_dev_token
    from tests.conftest import DEV_KEY
    from tests.fakes.memory import InMemoryDirectoryRepository

    reads: list[tuple[str, bool]] = []

    class Spy(InMemoryDirectoryRepository):
        def get_agent(self, agent_id: str, consistent: bool = False) -> Any:
            reads.append(("agent", consistent))
            return super().get_agent(agent_id, consistent)

        def find_token(self, token_hash: str, consistent: bool = False) -> Any:
            reads.append(("token", consistent))
            return super().find_token(token_hash, consistent)

    from chalicelib.people.directory import DirectoryService

    directory = Spy()
    service = DirectoryService(directory)
    ada = service.create_agent("ada@example.com", "Ada", Role.ADMIN)
    _, secret = service.issue_token(ada.id, "cli")
    reads.clear()
    auth = Authenticator(settings, directory)
    auth.authenticate(f"Bearer {mint_dev_token(DEV_KEY, ada.subject)}")
    auth.authenticate(f"Bearer {secret}")
    assert reads == [("agent", True), ("token", True), ("agent", True)]
