"""Browser harness: the real app served on 127.0.0.1 and Debian's chromium driven by Playwright.

Chromium is never downloaded: Playwright launches the system binary (`executablePath`).
Set MATCHMAKER_CHROMIUM to use another binary.

Every page records what a user would not see but a broken page shows in the devtools:
console errors, uncaught exceptions, CSP violations (the CSP forbids inline scripts and
styles) and failed sub-resources (a missing stylesheet or script). Tests assert on
`page_problems` explicitly; the `page` fixture also fails the test at teardown if any remain.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Reported to the page's console by a script Playwright injects before any page script (init
# scripts are not subject to the page's CSP). Chromium logs the violation itself too; this makes
# the report independent of the wording of that message.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def chromium_path() -> str:
    path = os.environ.get("MATCHMAKER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian chromium is required for browser tests (apt-get install chromium); "
                    "scripts/test installs it when it can")
    return path


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app):
    """The app on a free localhost port in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright
    # Explicit waits only (no sleeps), with room for a loaded machine: a submission may hash a
    # password (scrypt) or update the search index on commit before the next page arrives.
    expect.set_options(timeout=15_000)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProblems(list):
    """Console errors, page errors, CSP violations and failed sub-resources, in order."""

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.append(f"uncaught exception: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        text = msg.text
        # Chromium logs every HTTP error response, the document itself included; a refused login
        # is a 403 page on purpose. Failed sub-resources are reported by `_on_response` instead.
        if text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.append(f"console error: {text} ({msg.location.get('url', '')})")

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED: the user moved on before a sub-resource (often the favicon) arrived.
        if request.resource_type != "document" and request.failure != "net::ERR_ABORTED":
            self.append(f"request failed: {request.url} ({request.failure})")

    def _on_response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def page_problems() -> PageProblems:
    """What went wrong in the page behind the user's back (filled by the `page` fixture)."""
    return PageProblems()


PHONE = {"width": 375, "height": 812}   # the phone the issue about small screens was tried on


@pytest.fixture
def page(browser, live_server, page_problems):
    """A fresh zh-CN browser context on the live server: `page.goto("/login")` works."""
    yield from _context_page(browser, live_server, page_problems)


@pytest.fixture
def phone_page(browser, live_server, page_problems):
    """Like `page`, on a 375 × 812 screen (no mobile emulation: a mobile viewport would zoom
    out to fit a page that overflows, hiding exactly what the phone tests look for)."""
    yield from _context_page(browser, live_server, page_problems, viewport=PHONE)


def _context_page(browser, live_server, page_problems, **options):
    context = browser.new_context(locale="zh-CN", base_url=live_server, **options)
    context.add_init_script(_CSP_LISTENER)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    page_problems.watch(pg)
    yield pg
    context.close()
    assert list(page_problems) == [], "the pages reported problems"
