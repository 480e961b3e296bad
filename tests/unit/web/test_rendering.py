# ruff: noqa: RUF001 -- Russian pages and dates are the point of these tests
"""Rendering: escaping, strict undefined names, the layout's landmarks, form macros, security headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from jinja2 import UndefinedError

import chalicelib.portal.pages  # noqa: F401  (the home page is the portal's: its templates are registered)
from chalicelib.web.messages import Message
from chalicelib.web.rendering import base_context, environment, page, render

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HOME = {"support_address": "help@example.com", "visitor": None, "csrf_token": ""}
HOME_PAGE = "portal/home.html"


def from_string(source: str, locale: str = "en", **context: Any) -> str:
    return environment().from_string(source).render({**base_context(locale), **context})


def test_a_page_carries_the_strict_csp_and_the_security_headers(https: None) -> None:
    response = page(HOME_PAGE, HOME, locale="en")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"  # personal unless said otherwise
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_public_page_may_be_revalidated_but_not_shared_and_extra_headers_win(https: None) -> None:
    response = page(HOME_PAGE, HOME, locale="en", personal=False, status=404, headers={"Set-Cookie": ["a=b"]})
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Set-Cookie"] == ["a=b"]


def test_the_chat_origin_is_allowed_to_connect_and_no_hsts_over_plain_http(
    monkeypatch: pytest.MonkeyPatch, plain_http: None
) -> None:
    from chalicelib.core import settings

    monkeypatch.setenv("LAMBDESK_WEB_CONNECT_ORIGINS", "wss://abc.execute-api.eu-west-1.amazonaws.com")
    settings.reset()
    headers = page(HOME_PAGE, HOME, locale="en").headers
    assert "connect-src 'self' wss://abc.execute-api.eu-west-1.amazonaws.com;" in headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in headers
    monkeypatch.setenv("LAMBDESK_WEB_CONNECT_ORIGINS", "'unsafe-inline' javascript:")
    settings.reset()
    with pytest.raises(settings.SettingsError, match="LAMBDESK_WEB_CONNECT_ORIGINS"):
        settings.get_settings()


def test_the_layout_has_language_landmarks_skip_link_and_switcher() -> None:
    html = render(HOME_PAGE, HOME, locale="ru")
    assert '<html lang="ru" dir="ltr">' in html
    assert '<a class="skip-link" href="#main">Перейти к основному содержанию</a>' in html
    assert len(re.findall(r"<main id=\"main\"", html)) == 1 and "<header" in html and "<footer" in html
    assert '<nav class="language-switcher" aria-label="Язык">' in html
    assert '<span class="current" lang="ru" aria-current="true">Русский</span>' in html
    assert 'href="/portal/language?lang=en&amp;next=/portal" lang="en" hreflang="en">English</a>' in html
    assert "<title>Справочный центр · " in html


def test_pages_have_no_inline_script_or_style_the_csp_would_block() -> None:
    for template, context in [(HOME_PAGE, HOME), ("error.html", {"title": "t", "explanation": "e", "problems": []})]:
        html = render(template, context, locale="en")
        assert "<style" not in html and " style=" not in html
        assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []
        assert not re.search(r"\son[a-z]+=", html)  # no event-handler attributes


def test_customer_text_is_escaped_in_plain_and_translated_text() -> None:
    evil = '"><script>alert(1)</script>'
    html = render(HOME_PAGE, {**HOME, "support_address": evil, "product_name": evil}, locale="ru")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="mailto:&#34;&gt;&lt;script&gt;' in html  # inside the translated {% trans %} sentence too


def test_an_undefined_name_fails_loudly_instead_of_rendering_empty() -> None:
    with pytest.raises(UndefinedError, match="support_adress"):
        from_string("{{ support_adress }}")


def test_urls_carry_the_api_gateway_stage_prefix() -> None:
    html = render(HOME_PAGE, {**HOME, "base_path": "/api"}, locale="en")
    assert 'href="/api/portal/kb"' in html
    assert re.search(r'href="/api/portal/static/portal\.[0-9a-f]{12}\.css"', html)
    assert re.search(r'src="/api/portal/static/htmx\.min\.[0-9a-f]{12}\.js"', html)


FORM = """{% import "_forms.html" as forms with context %}
{{ forms.error_summary(errors, {"email": "Email"}) }}
{{ forms.input("email", "Email", value=value, type="email", errors=errors, hint="We never share it") }}
{{ forms.textarea("message", "Message", errors=errors, required=False) }}
{{ forms.csrf("tok") }}{{ forms.button("Send") }}"""


def test_a_field_with_an_error_is_described_by_its_hint_and_error_message() -> None:
    html = from_string(FORM, errors={"email": "Enter an email address"}, value='a"b')
    described = re.search(r'<input id="f-email"[^>]*aria-describedby="([^"]+)"', html)
    assert described is not None
    ids = described.group(1).split()
    assert ids == ["f-email-hint", "f-email-error"]
    assert all(f'id="{i}"' in html for i in ids)
    assert 'aria-invalid="true"' in html and 'value="a&#34;b"' in html
    assert '<label for="f-email">Email</label>' in html
    assert '<label for="f-message">Message <span class="optional">(optional)</span></label>' in html
    assert '<input type="hidden" name="csrf_token" value="tok">' in html
    assert '<button class="button button-primary" type="submit">Send</button>' in html
    assert '<a href="#f-email">Email: Enter an email address</a>' in html


def test_a_field_without_problems_is_not_marked_invalid() -> None:
    html = from_string(FORM, errors={}, value="")
    assert "aria-invalid" not in html and "error-summary" not in html
    assert 'aria-describedby="f-email-hint"' in html


def test_the_error_summary_counts_problems_in_russian_plural_forms() -> None:
    two = from_string(FORM, "ru", errors={"email": "x", "message": "y"}, value="")
    five = from_string(FORM, "ru", errors={f"f{i}": "x" for i in range(5)}, value="")
    assert "В форме 2 ошибки" in two and "В форме 5 ошибок" in five


def test_status_messages_are_announced_and_errors_alert() -> None:
    html = render(
        HOME_PAGE, {**HOME, "messages": [Message("Saved", "success"), Message("Failed", "error")]}, locale="en"
    )
    assert '<div class="notice notice-success" role="status">' in html
    assert '<div class="notice notice-error" role="alert">' in html


def test_dates_in_templates_follow_the_page_language_and_zone() -> None:
    when = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    now = datetime(2026, 3, 30, 2, 30, tzinfo=UTC)
    source = "{{ when|date('long') }} · {{ when|relative }}"
    assert (
        from_string(source, "ru", when=when, now=now, timezone="Asia/Tokyo") == "30 марта 2026\u202fг. · 3 часа назад"
    )
    assert from_string(source, "en", when=when, now=now) == "March 29, 2026 · 3 hours ago"
