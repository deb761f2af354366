"""Citations to copy, in Chromium: selectable without JavaScript, copied by a button with it
(static/js/cite.js, under the Content-Security-Policy's rule of no inline script)."""

import pytest

from assessments.models import Revision
from tests.builders import add_assessment, make_outlook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def edition(db):
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    return outlook


def test_the_copy_button_copies_the_citation(browser, live_server, edition):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + edition.get_absolute_url())
    page.click("text=Cite this edition")
    field = page.locator("#cite-edition")
    assert field.get_attribute("readonly") is not None
    field.locator("xpath=..").get_by_role("button", name="Copy citation").click()
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    assert field.locator("xpath=..").get_by_role("status").inner_text() == "Copied."
    assert errors == []
    context.close()


def test_without_javascript_the_citation_is_there_to_select(browser, live_server, edition):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + edition.get_absolute_url())
    page.click("text=Cite this entry")
    field = page.locator("#cite-kp")
    assert field.is_visible() and "“Democratic People's Republic of Korea.”" in field.input_value()
    assert page.get_by_role("button", name="Copy citation").count() == 0
    context.close()
