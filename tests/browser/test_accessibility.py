"""axe-core in Chromium on the public pages: no serious or critical violation.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep desktop and phone screenshots of each page.
"""

import os
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessments.models import Revision
from tests.builders import add_assessment, make_outlook

pytestmark = [
    pytest.mark.browser,
    # Transactional (the browser reads through the live server); the reference data
    # (countries, risk framework, groups) is restored from the serialised database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = {
    "list": "/outlooks/",
    "outlook": "/outlooks/asia-pacific-2023-11/",
    "country": "/countries/kp/",
    "search": "/search/?q=human+rights",
    "open data": "/data/",
    "data dictionary": "/data/dictionary/",
    "method": "/method/",
}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def site(sample_path):
    from assessments.importing import import_file

    published_sample = import_file(sample_path, publish=True).outlook
    # A second edition, so that the risk table shows changes and the chart has two points.
    later = make_outlook(period=date(2024, 5, 1), published=True)
    add_assessment(later, "KP", risk="Very high", state=Revision.State.PUBLISHED)
    add_assessment(later, "MM", risk="Moderate", state=Revision.State.PUBLISHED)
    earlier = make_outlook(period=date(2023, 5, 1), published=True)
    add_assessment(earlier, "KP", risk="High", state=Revision.State.PUBLISHED)
    return published_sample


@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_no_serious_accessibility_violation(page, live_server, site, name):
    response = page.goto(live_server.url + PAGES[name])
    assert response.status == 200
    violations = [
        violation
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert violations == [], [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]
    shots = os.environ.get("OUTLOOK_SCREENSHOTS")
    if shots:
        for width_name, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(Path(shots) / f"{name}-{width_name}.png"), full_page=True)


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
    page.goto(live_server.url + PAGES["outlook"])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
