"""Web pages through Chalice (the test client): the portal home in both languages, the language switcher,
static assets, the security headers of every HTML response, and form posts with CSRF on a page route."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.web import static
from tests.api.support import chalice_client
from tests.conftest import SIGNING_KEY

CSP_START = "default-src 'none'; script-src 'self'; style-src 'self';"


@pytest.fixture
def http(settings: Any) -> Iterator[Any]:
    with chalice_client() as client:
        yield client.http


def text(response: Any) -> str:
    return str(response.body.decode())


def cookies_set(response: Any) -> list[str]:
    value = response.headers.get("Set-Cookie", [])
    return value if isinstance(value, list) else [value]


def assert_html_page(response: Any) -> None:
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"].startswith(CSP_START)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_portal_home_speaks_english_by_default(http: Any) -> None:
    page = http.get("/portal")
    assert page.status_code == 200
    assert_html_page(page)
    html = text(page)
    assert '<html lang="en" dir="ltr">' in html and "<h1>Help center</h1>" in html
    assert 'href="/portal/login"' in html and 'href="/portal/kb"' in html
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "Accept-Language" in page.headers["Vary"]


def test_the_portal_home_speaks_russian_to_a_russian_browser(http: Any) -> None:
    html = text(http.get("/portal", headers={"Accept-Language": "ru-RU,ru;q=0.9,en-US;q=0.8"}))
    assert '<html lang="ru" dir="ltr">' in html and "<h1>Справочный центр</h1>" in html
    assert "Войти и посмотреть обращения" in html


def test_the_language_cookie_beats_the_browsers_preference(http: Any) -> None:
    html = text(http.get("/portal", headers={"Accept-Language": "ru", "Cookie": "__Host-lang=en"}))
    assert '<html lang="en"' in html


def test_the_site_root_redirects_to_the_portal(http: Any) -> None:
    reply = http.get("/")
    assert (reply.status_code, reply.headers["Location"]) == (302, "/portal")


def test_the_switcher_link_remembers_the_language_and_says_so_once(http: Any) -> None:
    switched = http.get("/portal/language?" + urlencode({"lang": "ru", "next": "/portal"}))
    assert (switched.status_code, switched.headers["Location"]) == (303, "/portal")
    set_cookies = cookies_set(switched)
    assert any(c.startswith("__Host-lang=ru;") and "Max-Age=31536000" in c for c in set_cookies)
    assert any(c.startswith("__Host-flash=language_changed;") for c in set_cookies)
    shown = http.get("/portal", headers={"Cookie": "__Host-lang=ru; __Host-flash=language_changed"})
    assert '<div class="notice notice-success" role="status">' in text(shown) and "Язык изменён." in text(shown)
    assert cookies_set(shown) == ["__Host-flash=; Path=/; SameSite=Lax; Max-Age=0; HttpOnly; Secure"]


def test_the_switcher_refuses_an_unknown_language_with_a_page_naming_the_problem(http: Any) -> None:
    reply = http.get("/portal/language?lang=klingon", headers={"Accept-Language": "ru"})
    assert reply.status_code == 400
    assert_html_page(reply)
    assert "Выберите один из вариантов." in text(reply)


def test_the_switcher_never_redirects_off_the_portal(http: Any) -> None:
    reply = http.get("/portal/language?" + urlencode({"lang": "en", "next": "https://evil.example/"}))
    assert reply.headers["Location"] == "/portal"


@pytest.mark.parametrize("name", sorted(static.CONTENT_TYPES))
def test_a_static_asset_is_served_under_its_hashed_name_for_a_year(http: Any, name: str) -> None:
    asset = static.asset(name)
    reply = http.get(f"/portal/static/{asset.url_name}")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == asset.content_type
    assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert text(reply) == (static.STATIC_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["portal.css", "portal.0123456789ab.css", "..%2F..%2Fapp.py", "%2e%2e%2fapp.py"])
def test_an_unknown_static_name_is_a_404_page(http: Any, name: str) -> None:
    reply = http.get(f"/portal/static/{name}")
    assert reply.status_code == 404
    assert_html_page(reply)
    assert "Page not found" in text(reply)


def test_the_home_page_links_the_assets_it_is_served_with(http: Any) -> None:
    html = text(http.get("/portal"))
    for path in re.findall(r'(?:href|src)="(/portal/static/[^"]+)"', html):
        assert http.get(path).status_code == 200, path
    assert len(re.findall(r'(?:href|src)="/portal/static/', html)) == 4  # CSS, favicon, htmx, portal.js


def test_every_html_response_of_every_page_route_carries_the_csp(http: Any) -> None:
    from chalicelib.http import deferred
    from chalicelib.web.views import PAGES

    deferred.load_all()  # PAGES lists the pages of the route modules imported so far
    checked = []
    for spec in PAGES:
        if spec.method != "GET":
            continue
        for path in {re.sub(r"{\w+}", "nope", spec.path), re.sub(r"{\w+}", static.url_name("portal.css"), spec.path)}:
            reply = http.get(path)
            if reply.headers.get("Content-Type", "").startswith("text/html"):
                assert_html_page(reply)
                checked.append((path, reply.status_code))
    assert {status for _, status in checked} >= {200, 400, 404}, checked


# -- a form page built with the foundation: url-encoded body, CSRF, errors shown in the customer's language --


@pytest.fixture
def form_app(settings: Any) -> Iterator[Any]:
    from chalice import Blueprint, Chalice, Response
    from chalice.test import Client

    from chalicelib.web import views
    from chalicelib.web.csrf import check_csrf, issue_token, presession

    key = SIGNING_KEY.encode()
    pages_before = list(views.PAGES)
    bp = Blueprint(__name__)

    @views.page_route(bp, "/portal/echo", name="echo_form")
    def show(request: views.PageRequest) -> Any:
        binding, cookie = presession(request.cookies)
        return Response(body=issue_token(key, binding), headers={"Set-Cookie": [cookie] if cookie else []})

    @views.page_route(bp, "/portal/echo", "POST", name="echo_post", form=True)
    def post(request: views.PageRequest) -> Any:
        form = request.form()
        binding, _ = presession(request.cookies)
        check_csrf(form, binding if request.cookies else None, key)
        return Response(body="got " + form.text("message", max_length=10))

    app = Chalice("web-form-test")
    app.register_blueprint(bp)
    with Client(app, stage_name="test") as client:
        yield client.http
    views.PAGES[:] = pages_before


def fetch_token(http: Any) -> tuple[str, str]:
    shown = http.get("/portal/echo")
    cookie = cookies_set(shown)[0].split(";")[0]
    return text(shown), cookie


def post_form(http: Any, fields: dict[str, str], cookie: str = "", **headers: str) -> Any:
    return http.post(
        "/portal/echo",
        body=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, **headers},
    )


def test_a_form_post_with_its_token_is_accepted(form_app: Any) -> None:
    token, cookie = fetch_token(form_app)
    reply = post_form(form_app, {"csrf_token": token, "message": "Привет"}, cookie)
    assert (reply.status_code, text(reply)) == (200, "got Привет")


def test_a_form_post_without_a_valid_token_gets_the_expired_form_page(form_app: Any) -> None:
    token, cookie = fetch_token(form_app)
    other_token, _ = fetch_token(form_app)  # issued to another browser (another pre-session)
    for fields, sent_cookie in [
        ({"message": "hi"}, cookie),
        ({"csrf_token": other_token}, cookie),
        ({"csrf_token": token}, ""),
    ]:
        reply = post_form(form_app, fields, sent_cookie)
        assert reply.status_code == 403, fields
        assert_html_page(reply)
        assert "This form has expired" in text(reply)


def test_a_field_problem_is_a_400_page_in_the_customers_language(form_app: Any) -> None:
    token, cookie = fetch_token(form_app)
    reply = post_form(form_app, {"csrf_token": token, "message": "x" * 11}, cookie, **{"Accept-Language": "ru"})
    assert reply.status_code == 400
    assert "Используйте не больше 10 символов." in text(reply)


def test_a_form_route_refuses_other_media_types_before_the_view(form_app: Any) -> None:
    reply = form_app.post("/portal/echo", body='{"message": "hi"}', headers={"Content-Type": "application/json"})
    assert reply.status_code == 415
