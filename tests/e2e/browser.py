"""The real-browser harness: Debian's Chromium driven by Playwright, axe-core, screenshots, a dialog trap.

``playwright install`` cannot download browsers here, so Playwright drives ``/usr/bin/chromium`` (Debian's
package; ``.ci/run`` installs it). axe-core comes from ``tests/e2e/node_modules`` (``npm ci``, pinned by
``package-lock.json``) and is evaluated through the DevTools protocol, which the pages' CSP does not block.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Error, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
BLOCKING = ("serious", "critical")


def require_chromium() -> None:
    """Skip only where Chromium is truly absent on a developer's machine; CI (CI=true) always has it."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs Debian's chromium package")
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium); CI installs it")


@dataclass
class PageGuard:
    """What a page did that a test did not ask for: JS dialogs (XSS proof), console errors (CSP), exceptions."""

    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, console_error: str) -> None:
        """A console error containing this text is expected from now on (e.g. a fetch while the test is offline)."""
        self.allowed.append(console_error)

    def watch(self, page: Page) -> None:
        page.on("dialog", self._on_dialog)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}({dialog.message!r}) on {dialog.page.url if dialog.page else '?'}")
        dialog.dismiss()

    def _on_console(self, message: ConsoleMessage) -> None:
        expected = any(text in message.text for text in self.allowed)
        if message.type == "error" and not expected and not _is_the_documents_status(message):
            self.console_errors.append(message.text)

    def _on_page_error(self, error: Error) -> None:
        self.page_errors.append(str(error))

    def problems(self) -> list[str]:
        return (
            [f"a JavaScript dialog opened: {d}" for d in self.dialogs]
            + [f"console error: {e}" for e in self.console_errors]
            + [f"uncaught exception: {e}" for e in self.page_errors]
        )

    def clear(self) -> None:
        self.dialogs.clear()
        self.console_errors.clear()
        self.page_errors.clear()


# Whether the page was parsed with scripting off: there, <noscript> content is markup.
SCRIPTING_OFF = """() => {
    const probe = document.createElement('div');
    probe.innerHTML = '<noscript><p></p></noscript>';
    return probe.querySelector('noscript p') !== null;
}"""
# With JavaScript off (a context's java_script_enabled=False) Chromium never fires a timer, and axe-core waits on
# setTimeout between its checks: run those callbacks as microtasks instead, or axe.run never settles.
TIMERS_AS_MICROTASKS = """() => {
    window.setTimeout = (callback, _delay, ...args) => { Promise.resolve().then(() => callback(...args)); return 0; };
    window.clearTimeout = () => {};
}"""


def _is_the_documents_status(message: ConsoleMessage) -> bool:
    """Chromium logs a page served with 404 or 410 as an error; the tests check those statuses themselves.

    A subresource or a fetch that fails (another URL than the page's own) still counts.
    """
    page_url = message.page.url if message.page else None
    return message.text.startswith("Failed to load resource") and message.location.get("url") == page_url


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it is now (with JavaScript on or off).

    A document still loading has no body for axe to walk; a navigation a click started must have finished.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        if page.evaluate(SCRIPTING_OFF):
            page.evaluate(TIMERS_AS_MICROTASKS)
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: dict[str, Any] = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation, with a report a person can act on."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core: {len(blocking)} serious/critical violation(s) on {page.url}\n" + axe_report(
        blocking
    )


def screenshot(page: Page, name: str) -> list[Path]:
    """Full-page PNGs at phone (375x812) and desktop (1280x800) width in test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    saved = []
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    if original:
        page.set_viewport_size(original)
    return saved
