"""axe-core in Chromium on every public page (tests/public_pages.py), on a desktop and on
a phone: no violation at all, whatever its impact.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep desktop and phone screenshots of each page.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.public_pages import (
    CORRECTED_SLUG,
    PAGES,
    SAMPLE_SLUG,
    expected_status,
    make_public_site,
)

pytestmark = [
    pytest.mark.browser,
    # Transactional (the browser reads through the live server); the reference data
    # (countries, risk framework, groups) is restored from the serialised database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def site():
    make_public_site()


def test_no_public_page_has_an_accessibility_violation(page, live_server, site):
    axe = Axe()
    shots = os.environ.get("OUTLOOK_SCREENSHOTS")
    found = []
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, url in PAGES.items():
            response = page.goto(live_server.url + url)
            assert response.status == expected_status(name), url
            found += [
                f"{width_name} {url}: {v['id']} ({v['impact']}), {v['help']}, "
                f"at {[node['target'] for node in v['nodes']][:3]}"
                for v in axe.run(page).response["violations"]
            ]
            if shots:
                file = f"{name.replace(' ', '-')}-{width_name}.png"
                page.screenshot(path=str(Path(shots) / file), full_page=True)
    assert not found, "\n".join(found)


def test_pages_work_without_javascript(browser, live_server, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/search/")
    page.fill("#q", "security council")
    page.select_option("#country", "kp")
    # The months are typed (a month picker is not in every browser), as YYYY-MM only.
    page.fill("#from", "Nov 2023")
    assert page.locator("#from").evaluate("field => field.validity.patternMismatch")
    page.fill("#from", "2023-11")
    page.fill("#to", "2024-05")
    page.click("button[type=submit]")
    link = page.locator(".search-results a").first
    href = link.get_attribute("href")
    assert "#kp-" in href
    link.click()
    assert page.locator(f"#{href.split('#')[1]}").is_visible()
    context.close()


# The words of the elements `selector` matches that the layout breaks across two lines.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("url", [f"/outlooks/{SAMPLE_SLUG}/", f"/outlooks/{CORRECTED_SLUG}/", "/"])
def test_the_risk_table_fits_a_phone(page, live_server, site, url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + url)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # The front page's table of the region's latest edition: the widest.
    table = page.locator(".risk-table").last
    # Nothing hidden to scroll to: the table is no wider than the box that holds it...
    assert table.evaluate("t => t.parentElement.scrollWidth - t.parentElement.clientWidth") <= 0
    # ...every cell, the Change column's too, lies within the screen...
    for cell in table.locator("th, td").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, cell.inner_text()
    assert table.get_by_role("columnheader", name="Change").is_visible()
    # ...and no name or rating is cut in the middle of a word to get there.
    assert page.evaluate(BROKEN_WORDS, ".risk-table") == []
