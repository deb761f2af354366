"""The risk map in Chromium: readable by assistive technology, reached by the keyboard,
and its countries lead to their pages without JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessments.models import Revision
from tests.builders import add_assessment, make_outlook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def outlook():
    """An edition with large countries and island states too small to see (dots)."""
    outlook = make_outlook(published=True)
    for code, risk in (("MM", "Very high"), ("TH", "Low"), ("SG", "Moderate"), ("TV", "High")):
        add_assessment(outlook, code, risk=risk, state=Revision.State.PUBLISHED)
    return outlook


def test_the_map_has_no_serious_accessibility_violation(page, live_server, outlook):
    page.goto(live_server.url + outlook.get_absolute_url())
    results = Axe().run(page, context=".risk-map").response
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"]) for v in serious]
    # Each country is a link named by its title.
    tuvalu = page.get_by_role("link", name="Tuvalu: High/Ongoing")
    assert tuvalu.count() == 1


def test_a_country_on_the_map_is_reached_by_the_keyboard_and_opens_its_page(
    browser, live_server, outlook
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + outlook.get_absolute_url())
    in_map = "document.activeElement.closest('.risk-map') !== null"
    for _ in range(60):  # past the header, the table's links, to the map's first
        page.keyboard.press("Tab")
        if page.evaluate(in_map):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/countries/mm/"
    for _ in range(2):  # Thailand, then Singapore's dot
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/countries/sg/"
    page.keyboard.press("Enter")
    page.wait_for_url("**/countries/sg/")
    assert page.locator("h1").inner_text() == "Singapore"
    context.close()


def test_the_map_fits_a_phone(page, live_server, outlook):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + outlook.get_absolute_url())
    box = page.locator(".risk-map svg").bounding_box()
    assert 300 < box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
