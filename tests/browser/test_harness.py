"""The harness itself: the problem watcher must see what the CSP blocks, or the other tests'
"no console errors" checks prove nothing."""
from __future__ import annotations

from playwright.sync_api import Page, expect


def test_watcher_reports_csp_violations_and_script_errors(page: Page, page_problems):
    page.goto("/")
    expect(page.locator("#nav-register")).to_be_visible()
    assert list(page_problems) == []

    with page.expect_console_message(lambda m: m.text.startswith("CSP violation: script-src")):
        page.evaluate("""() => { const s = document.createElement("script");
                                 s.textContent = "window.inlineRan = true";
                                 document.body.appendChild(s); }""")
    assert page.evaluate("window.inlineRan === undefined")  # the CSP did block it
    with page.expect_console_message(lambda m: m.text.startswith("CSP violation: style-src")):
        page.evaluate("""() => { const s = document.createElement("style");
                                 s.textContent = "body { color: red }";
                                 document.head.appendChild(s); }""")
    with page.expect_event("pageerror"):
        page.evaluate("() => { setTimeout(() => { throw new Error('boom'); }, 0); }")

    assert any(p.startswith("console error: CSP violation: script-src") for p in page_problems)
    assert any(p.startswith("console error: CSP violation: style-src") for p in page_problems)
    assert any("boom" in p for p in page_problems)
    page_problems.clear()  # seen on purpose; the page fixture checks the rest at teardown
