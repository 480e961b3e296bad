"""The browser harness itself can fail: the dialog trap, the console watch, axe-core and the screenshots."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.browser import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

INACCESSIBLE = """<!doctype html><html><head><title>bad</title></head><body>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button></button>
<label>Name <input id="a"></label><input type="text"></body></html>"""

ACCESSIBLE = """<!doctype html><html lang="en"><head><title>good</title></head><body>
<main><h1>Hello</h1><p>Plain, readable text.</p><button type="button">Send</button></main></body></html>"""


def test_a_javascript_dialog_is_caught_and_reported(page: Page) -> None:
    page.set_content("<button onclick=\"alert('xss')\">go</button>")
    page.click("button")
    assert page.guard.dialogs == [f"alert('xss') on {page.url}"]  # type: ignore[attr-defined]
    assert page.guard.problems()[0].startswith("a JavaScript dialog opened: alert('xss')")  # type: ignore[attr-defined]
    page.guard.clear()  # type: ignore[attr-defined]


def test_console_errors_and_uncaught_exceptions_are_reported(page: Page) -> None:
    page.set_content("<p>x</p>")
    page.evaluate("() => { console.error('boom'); setTimeout(() => { throw new Error('kaput') }, 0) }")
    page.wait_for_timeout(100)
    assert page.guard.console_errors == ["boom"]  # type: ignore[attr-defined]
    assert any("kaput" in e for e in page.guard.page_errors)  # type: ignore[attr-defined]
    page.guard.clear()  # type: ignore[attr-defined]


def test_an_allowed_console_error_is_not_reported_but_any_other_still_is(page: Page) -> None:
    page.set_content("<p>x</p>")
    page.guard.allow("net::ERR_INTERNET_DISCONNECTED")  # type: ignore[attr-defined]
    page.evaluate("() => { console.error('Failed: net::ERR_INTERNET_DISCONNECTED'); console.error('boom') }")
    page.wait_for_timeout(100)
    assert page.guard.console_errors == ["boom"]  # type: ignore[attr-defined]
    page.guard.clear()  # type: ignore[attr-defined]


def test_a_missing_resource_is_reported_but_not_a_page_served_as_not_found(page: Page) -> None:
    page.route(
        "http://harness.test/**",
        lambda route: route.fulfill(
            status=404, content_type="text/html", body='<p>Not found</p><img alt="" src="/missing.png">'
        ),
    )
    response = page.goto("http://harness.test/gone")
    assert response is not None and response.status == 404
    page.wait_for_load_state("load")
    assert len(page.guard.console_errors) == 1, page.guard.console_errors  # type: ignore[attr-defined]
    assert "404" in page.guard.console_errors[0]  # type: ignore[attr-defined]  # the image, not the page
    page.guard.clear()  # type: ignore[attr-defined]


def test_axe_fails_a_page_with_serious_violations_and_names_them(page: Page) -> None:
    page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    report = str(failure.value)
    for rule in ("image-alt", "button-name", "label", "html-has-lang"):
        assert rule in report, report
    assert "dequeuniversity.com/rules/axe/4.14" in report  # a link to how to fix it


def test_axe_passes_a_page_without_serious_violations(page: Page) -> None:
    page.set_content(ACCESSIBLE)
    assert_accessible(page)


def test_axe_checks_a_page_with_javascript_off(open_page: Callable[..., Page]) -> None:
    # Chromium fires no timer there, and axe-core waits on timers: without the harness's stand-in this never returns.
    page = open_page(javascript=False)
    page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "image-alt" in str(failure.value) and "button-name" in str(failure.value)
    page.set_content(ACCESSIBLE)
    assert_accessible(page)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshots_are_taken_at_phone_and_desktop_width(open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.set_content(ACCESSIBLE)
    phone, desktop = screenshot(page, "harness-selftest")
    assert phone.name == "harness-selftest-phone.png" and desktop.name == "harness-selftest-desktop.png"
    assert png_size(phone.read_bytes()) == (375, 812)
    assert png_size(desktop.read_bytes()) == (1280, 800)


def test_browser_tests_skip_only_on_a_developer_machine_without_chromium(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.e2e import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser.require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"missing in CI: \.ci/run installs"):
        browser.require_chromium()
