"""Agents' web sign-in: a one-time link, then a TOTP code (set up at the first sign-in), then a session."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from chalicelib.chat.agent_web import AgentWebAuth
from chalicelib.core.errors import Unauthenticated


@pytest.fixture
def web(desk: Any) -> tuple[AgentWebAuth, list[tuple[str, str]], Any]:
    mailed: list[tuple[str, str]] = []
    auth = AgentWebAuth(
        desk.c.repos.chat, desk.c.directory_repo, desk.clock, lambda to, link: mailed.append((to, link))
    )
    return auth, mailed, desk.agent("ann@desk.example")


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def test_a_link_is_mailed_only_to_an_active_agent(web: Any) -> None:
    auth, mailed, _ = web
    auth.request_link("nobody@desk.example", "https://help.example.com/portal/agent/sign-in/link")
    auth.request_link("ANN@desk.example", "https://help.example.com/portal/agent/sign-in/link")
    assert [to for to, _ in mailed] == ["ann@desk.example"]


def test_a_link_works_once(web: Any) -> None:
    auth, mailed, _ = web
    auth.request_link("ann@desk.example", "https://x/link")
    token = token_of(mailed[0][1])
    auth.use_link(token)
    with pytest.raises(Unauthenticated):
        auth.use_link(token)


def test_a_link_expires_after_fifteen_minutes(web: Any, desk: Any) -> None:
    auth, mailed, _ = web
    auth.request_link("ann@desk.example", "https://x/link")
    desk.clock.advance(15 * 60 + 1)
    with pytest.raises(Unauthenticated):
        auth.use_link(token_of(mailed[0][1]))


def sign_in(auth: AgentWebAuth, mailed: list[tuple[str, str]], desk: Any) -> tuple[str, str]:
    auth.request_link("ann@desk.example", "https://x/link")
    step = auth.use_link(token_of(mailed[-1][1]))
    factor = auth.second_factor(step)
    return step, factor.new_secret or ""


def test_the_first_sign_in_sets_up_totp_and_opens_a_session(web: Any, desk: Any) -> None:
    auth, mailed, ann = web
    step, secret = sign_in(auth, mailed, desk)
    assert secret and auth.second_factor(step).new_secret == secret  # the same key until it is confirmed
    session = auth.verify(step, pyotp.TOTP(secret).at(desk.clock()))
    assert auth.session(session).id == ann.id
    desk.clock.advance(31)
    step, again = sign_in(auth, mailed, desk)
    assert again == "" and auth.second_factor(step).new_secret is None  # set up once: now only the code


def test_a_wrong_or_replayed_code_is_refused(web: Any, desk: Any) -> None:
    auth, mailed, _ = web
    step, secret = sign_in(auth, mailed, desk)
    with pytest.raises(Unauthenticated):
        auth.verify(step, "000000")
    code = pyotp.TOTP(secret).at(desk.clock())
    auth.verify(step, code)
    step, _ = sign_in(auth, mailed, desk)
    with pytest.raises(Unauthenticated):
        auth.verify(step, code)  # the same code again, within its 30 s


def test_repeated_wrong_codes_lock_the_second_step(web: Any, desk: Any) -> None:
    auth, mailed, _ = web
    step, secret = sign_in(auth, mailed, desk)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            auth.verify(step, "000000")
    with pytest.raises(Unauthenticated, match="too many"):
        auth.verify(step, pyotp.TOTP(secret).at(desk.clock()))


def test_a_session_ends_at_sign_out_and_for_a_deactivated_agent(web: Any, desk: Any) -> None:
    from dataclasses import replace

    auth, mailed, ann = web
    step, secret = sign_in(auth, mailed, desk)
    session = auth.verify(step, pyotp.TOTP(secret).at(desk.clock()))
    desk.c.directory_repo.update_agent(replace(ann, active=False, version=ann.version + 1), ann.version)
    with pytest.raises(Unauthenticated):
        auth.session(session)
    auth.sign_out(session)
    with pytest.raises(Unauthenticated):
        auth.session(session)
