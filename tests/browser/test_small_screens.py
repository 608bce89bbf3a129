"""Every page of every role on a 375 × 812 phone: no sideways scrolling, a header of at most
56 px, no visible text under 11 px; and a screenshot of each page at 375 and 1280 px.

The pages are the GET routes the authorization matrix allows each role (code 200), in the
matrix's own world of objects, so a route added to the app is visited here once it is
classified there. Screenshots go to instance/screenshots/pages/<role>/ (git-ignored; set
MATCHMAKER_SCREENSHOTS to write elsewhere) for a person to look through after a layout change.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page

from matchmaker.config import PROJECT_ROOT
from tests.browser.conftest import PHONE, PageProblems, _CSP_LISTENER
from tests.browser.helpers import log_in
from tests.security.conftest import ROLES, build_sec_world, fast_hashing  # noqa: F401 (fixture)
from tests.security.test_authorization_matrix import CELLS, EXTRA_ROLES, MATRIX, resolve

HEADER_MAX_PX = 56
TEXT_MIN_PX = 11
DESKTOP = {"width": 1280, "height": 800}
# Not pages: JSON, files to download, the health check.
NOT_A_PAGE = re.compile(r"^/(api|static|healthz)\b|\.(csv|xlsx|json)$")

# What the page measures about itself: the document's width, the header's height, the elements
# sticking out on the right, and visible text smaller than TEXT_MIN_PX as it is drawn (SVG text
# is scaled by its viewBox, so its size is the font size times the screen transform).
MEASURE = """(minPx) => {
  const width = innerWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const header = document.querySelector('.site-header');
  const wide = [];
  for (const el of document.querySelectorAll('main *, .site-header *, .site-footer *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && el.checkVisibility()) {
      if (!el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1) {
        wide.push(describe(el) + ' right=' + Math.round(r.right));
      }
    }
  }
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || !el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;          // visually hidden, for screen readers
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) {
      const m = el.getScreenCTM();
      size *= Math.hypot(m.a, m.b);
    }
    if (size < minPx - 0.05) small.push(describe(el) + ' ' + size.toFixed(1) + 'px “' + text.slice(0, 20) + '”');
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          header: header ? header.getBoundingClientRect().height : 0,
          wide: wide.slice(0, 5), small: [...new Set(small)].slice(0, 5)};
}"""


def screenshot_dir() -> Path:
    return Path(os.environ.get("MATCHMAKER_SCREENSHOTS") or PROJECT_ROOT / "instance" / "screenshots" / "pages")


def pages_of(sec, role: str) -> list[tuple[str, str]]:
    """(label, url) of every HTML page the matrix lets `role` open, each URL once.

    The extra roles' columns list only their own routes and refusals; they also get the pages
    every logged-in role of the main table may open (home, patents, deals, inbox, ...).
    """
    cells = [c for c in CELLS if c.role == role and c.method == "GET" and c.expect == "200"]
    if role in EXTRA_ROLES:
        everyone = {(method, url) for method, _rule, url, obj, codes, _to in MATRIX
                    if obj is None and set(codes.split()[1:]) == {"200"}}
        cells += [c for c in CELLS if c.role == "uni" and (c.method, c.url) in everyone]
    seen, out = set(), []
    for cell in cells:
        if NOT_A_PAGE.search(cell.url):
            continue
        obj = resolve(sec, cell)
        url = cell.url.format(id=obj.id) if obj is not None else cell.url
        if url not in seen:
            seen.add(url)
            out.append((f"{cell.url} [{cell.obj or '-'}]", url))
    return out


def slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-") or "home"


def check_page(page: Page, label: str) -> list[str]:
    found = page.evaluate(MEASURE, TEXT_MIN_PX)
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"{label}: {found['scrollWidth']} px wide on a {found['innerWidth']} px screen "
                        f"({'; '.join(found['wide']) or 'no single element'})")
    if found["header"] > HEADER_MAX_PX:
        problems.append(f"{label}: header {found['header']:.0f} px tall")
    if found["small"]:
        problems.append(f"{label}: text under {TEXT_MIN_PX} px: {'; '.join(found['small'])}")
    return problems


@pytest.mark.browser
@pytest.mark.parametrize("role", ROLES + EXTRA_ROLES)
def test_every_page_fits_a_phone(browser, live_server, session, settings, fast_hashing, role):
    sec = build_sec_world(session, settings)
    pages = pages_of(sec, role)
    assert len(pages) >= 5, pages

    shots = screenshot_dir() / role
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)

    context = browser.new_context(locale="zh-CN", base_url=live_server, viewport=PHONE)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console = PageProblems()
    console.watch(page)
    problems: list[str] = []
    try:
        if role != "anon":
            log_in(page, sec.user[role].login)
            page.wait_for_selector("#current-user-name", state="attached")
        for label, url in pages:
            page.set_viewport_size(PHONE)
            response = page.goto(url)
            assert response is not None and response.status == 200, f"{label}: {response and response.status}"
            problems += check_page(page, label)
            page.screenshot(path=str(shots / f"{slug(url)}-375.png"))
            page.set_viewport_size(DESKTOP)
            page.screenshot(path=str(shots / f"{slug(url)}-1280.png"))
    finally:
        context.close()
    assert not problems, f"{len(problems)} problems on {role}'s pages:\n" + "\n".join(problems)
    assert list(console) == [], "the pages reported problems"
