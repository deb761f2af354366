"""The site's navigation: on a phone it folds into a menu, one row high, that opens with a
tap or the keyboard, with JavaScript or without; on a wider screen its links show as they
are.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.public_pages import SAMPLE_SLUG, make_public_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
LINKS = ["Outlooks", "Countries", "Recommendations", "Search", "Open data", "Sign in"]


@pytest.fixture
def site():
    make_public_site()


def header_height(page):
    return page.locator(".site-header").bounding_box()["height"]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_on_a_phone_the_navigation_is_a_menu_that_opens_with_a_tap(
    browser, live_server, site, javascript
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + f"/outlooks/{SAMPLE_SLUG}/")
    navigation = page.get_by_role("navigation", name="Main")
    assert header_height(page) <= 80
    for name in LINKS:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_be_hidden()

    navigation.get_by_text("Menu", exact=True).click()
    for name in LINKS:
        link = navigation.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    if javascript:  # axe runs in the page
        assert Axe().run(page).response["violations"] == []
    navigation.get_by_role("link", name="Countries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Countries")
    assert header_height(page) <= 80  # closed again on the next page
    context.close()


def test_on_a_phone_the_menu_opens_from_the_keyboard(page, live_server, site):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/outlooks/")
    navigation = page.get_by_role("navigation", name="Main")
    menu = navigation.get_by_text("Menu", exact=True)
    outlooks = navigation.get_by_role("link", name="Outlooks", exact=True)
    # Skip to content, the site's name, then the menu.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(outlooks).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/countries/")
    # The menu closes from the keyboard too.
    menu.focus()
    page.keyboard.press("Space")
    expect(outlooks).to_be_visible()
    page.keyboard.press("Space")
    expect(outlooks).to_be_hidden()


def test_on_a_wide_screen_the_links_show_without_a_menu(page, live_server, site):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    navigation = page.get_by_role("navigation", name="Main")
    for name in LINKS:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(navigation.get_by_text("Menu", exact=True)).to_be_hidden()
    assert header_height(page) <= 80
