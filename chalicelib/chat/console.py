"""Agent pages: the web sign-in (one-time link, then TOTP) and the chat console (the line, accept, answer).

Jinja2 + htmx on the web foundation (decision 040): the line is a fragment htmx refreshes; the conversations
are the ``<lambdesk-agent-chat>`` element on the agent's own socket. Every POST carries a CSRF token bound to
the session (before sign-in, to the pre-session cookie).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalice import Blueprint, Response  # type: ignore[attr-defined]

from chalicelib.core.errors import Unauthenticated
from chalicelib.core.providers import Provider
from chalicelib.web.cookies import clear_cookie, get_cookie, set_cookie
from chalicelib.web.csrf import check_csrf, issue_token, presession
from chalicelib.web.views import PageRequest, page_route

if TYPE_CHECKING:
    from chalicelib.chat.agent_web import AgentWebAuth
    from chalicelib.chat.service import ChatService
    from chalicelib.domain.people import Agent


@dataclass(frozen=True)
class Needs:
    auth: AgentWebAuth
    chat: ChatService
    ws_url: str
    signing_key: Callable[[], bytes]


deps: Provider[Needs] = Provider("chat.console")
bp = Blueprint(__name__)
SIGN_IN = "/portal/agent/sign-in"
LINK = "/portal/agent/sign-in/link"
SECOND_FACTOR = "/portal/agent/second-factor"
CONSOLE = "/portal/agent/chat"
SESSION_COOKIE = "agent_session"
STEP_COOKIE = "agent_step"


def _binding(request: PageRequest) -> tuple[str, str | None]:
    """What CSRF tokens are bound to: the session when signed in, else the pre-session (and its new cookie)."""
    session = get_cookie(request.cookies, SESSION_COOKIE)
    return (session, None) if session else presession(request.cookies)


def _form_page(request: PageRequest, template: str, extra: Mapping[str, object] | None = None) -> Response:
    binding, cookie = _binding(request)
    token = issue_token(deps().signing_key(), binding)
    return request.page(template, {"csrf_token": token, **(extra or {})}, cookies=[cookie] if cookie else [])


def _agent(request: PageRequest) -> Agent:
    return deps().auth.session(get_cookie(request.cookies, SESSION_COOKIE))


@page_route(bp, SIGN_IN, name="agent_sign_in")
def sign_in(request: PageRequest) -> Response:
    return _form_page(request, "agent/sign_in.html", {"sent": False})


@page_route(bp, SIGN_IN, "POST", name="agent_sign_in_send", form=True)
def send_link(request: PageRequest) -> Response:
    form = request.form()
    check_csrf(form, get_cookie(request.cookies, "presession"), deps().signing_key())
    email = form.text("email", max_length=254)
    host = request.request.headers.get("host", "")
    scheme = "http" if _plain() else "https"
    deps().auth.request_link(email, f"{scheme}://{host}{request.url(LINK)}")
    return _form_page(request, "agent/sign_in.html", {"sent": True})


@page_route(bp, LINK, name="agent_sign_in_link")
def link(request: PageRequest) -> Response:
    """Following the mailed link only shows a button: mail scanners fetch links, people press buttons."""
    return _form_page(request, "agent/link.html", {"token": request.query("token") or ""})


@page_route(bp, LINK, "POST", name="agent_sign_in_use", form=True)
def use_link(request: PageRequest) -> Response:
    form = request.form()
    check_csrf(form, get_cookie(request.cookies, "presession"), deps().signing_key())
    step = deps().auth.use_link(form.text("token", max_length=200))
    return request.redirect(SECOND_FACTOR, cookies=[set_cookie(STEP_COOKIE, step, max_age=600)])


@page_route(bp, SECOND_FACTOR, name="agent_second_factor")
def second_factor(request: PageRequest) -> Response:
    factor = deps().auth.second_factor(get_cookie(request.cookies, STEP_COOKIE))
    extra = {"agent_name": factor.agent.name, "new_secret": factor.new_secret, "setup_uri": factor.setup_uri}
    return _form_page(request, "agent/second_factor.html", extra)


@page_route(bp, SECOND_FACTOR, "POST", name="agent_second_factor_check", form=True)
def check_code(request: PageRequest) -> Response:
    form = request.form()
    check_csrf(form, get_cookie(request.cookies, "presession"), deps().signing_key())
    session = deps().auth.verify(get_cookie(request.cookies, STEP_COOKIE), form.text("code", max_length=10))
    cookies = [set_cookie(SESSION_COOKIE, session, max_age=12 * 3600), clear_cookie(STEP_COOKIE)]
    return request.redirect(CONSOLE, cookies=cookies)


@page_route(bp, CONSOLE, name="agent_chat_console")
def console(request: PageRequest) -> Response:
    try:
        agent = _agent(request)
    except Unauthenticated:
        return request.redirect(SIGN_IN)
    return _form_page(request, "agent/console.html", {"agent_name": agent.name})


@page_route(bp, CONSOLE + "/queue", name="agent_chat_queue")
def queue(request: PageRequest) -> Response:
    """The line and the chats offered to the agent: a fragment htmx swaps in every few seconds."""
    agent = _agent(request)
    waiting = deps().chat.waiting(agent.id)
    rows = [
        {
            "id": c.id,
            "state": str(c.state),
            "mine": c.ring_agent_id == agent.id or c.agent_id == agent.id,
            "since": c.queued_at or c.created_at,
        }
        for c in waiting
    ]
    return request.page("agent/_queue.html", {"rows": rows})


@page_route(bp, CONSOLE + "/connect", "POST", name="agent_chat_connect", form=True)
def connect(request: PageRequest) -> Response:
    """A connect token for the console's socket (JSON for the element; the session and CSRF guard it)."""
    agent = _agent(request)
    check_csrf(request.form(), get_cookie(request.cookies, SESSION_COOKIE), deps().signing_key())
    token = deps().chat.agent_token(agent.id)
    from chalicelib.chat.routes import ws_url

    body = json.dumps({"ws_url": ws_url(deps().ws_url, token)})
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    return Response(body=body, status_code=200, headers=headers)


@page_route(bp, "/portal/agent/sign-out", "POST", name="agent_sign_out", form=True)
def sign_out(request: PageRequest) -> Response:
    session = get_cookie(request.cookies, SESSION_COOKIE)
    check_csrf(request.form(), session, deps().signing_key())
    deps().auth.sign_out(session)
    return request.redirect(SIGN_IN, cookies=[clear_cookie(SESSION_COOKIE)])


def _plain() -> bool:
    from chalicelib.web.cookies import plain_http

    return plain_http()
