"""Agent pages through the test client: the console needs a session; the sign-in pages render."""

from __future__ import annotations

from typing import Any


def test_the_console_sends_an_agent_without_a_session_to_sign_in(client: Any) -> None:
    reply = client.http.get("/portal/agent/chat")
    assert reply.status_code == 303 and reply.headers["Location"] == "/portal/agent/sign-in"


def test_the_sign_in_page_asks_for_an_email_with_a_csrf_token(client: Any) -> None:
    reply = client.http.get("/portal/agent/sign-in")
    page = reply.body.decode()
    assert reply.status_code == 200 and 'name="csrf_token"' in page and 'type="email"' in page
    assert "lambdesk-chat" not in page  # no customer widget on agent pages


def test_the_line_fragment_refuses_without_a_session(client: Any) -> None:
    assert client.http.get("/portal/agent/chat/queue").status_code == 401


def test_the_second_step_refuses_without_a_link(client: Any) -> None:
    assert client.http.get("/portal/agent/second-factor").status_code == 401
