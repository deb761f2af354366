"""axe-core in Chromium on every public page (tests/public_pages.py), on a desktop and on
a phone: no violation at all, whatever its impact.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep desktop and phone screenshots of each page.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.public_pages import PAGES, SAMPLE_SLUG, make_public_site

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
            assert response.status == (404 if name == "not found" else 200), url
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
    page.click("button[type=submit]")
    link = page.locator(".search-results a").first
    href = link.get_attribute("href")
    assert "#kp-" in href
    link.click()
    assert page.locator(f"#{href.split('#')[1]}").is_visible()
    context.close()


def test_outlook_page_fits_a_phone(page, live_server, site):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + f"/outlooks/{SAMPLE_SLUG}/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
