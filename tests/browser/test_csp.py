"""The Content-Security-Policy in Chromium: the main public and editor pages break none of
it, and the risk levels keep their colours, which now come from a stylesheet.
"""

import re
from datetime import date

import pytest
from django.test import Client
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import Revision, RiskLevel
from tests.builders import add_assessment, make_outlook, pass_checks

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Chromium reports each refused inline script, style or handler, and each refused
# resource, as a securitypolicyviolation event (and a console error): record both.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective}: ${event.blockedURI} ${event.sample}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, and what it reported: console errors and policy violations."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)
    return page, errors


def visit(page, errors, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    assert (violations, errors) == ([], []), url


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_public_pages_break_no_policy(watched, live_server, published_sample):
    page, errors = watched
    later = make_outlook(period=date(2024, 5, 1), published=True)
    add_assessment(later, "KP", risk="High", state=Revision.State.PUBLISHED)
    for url in (
        "/outlooks/",
        f"/outlooks/{published_sample.slug}/",
        "/countries/kp/",
        "/countries/",
        "/recommendations/",
        "/search/?q=human+rights",
        "/data/",
        "/accounts/login/",
        "/accounts/password/reset/",
    ):
        visit(page, errors, live_server.url + url)
    # The 404 page: Chromium reports its status as a console error, and nothing else.
    page.goto(live_server.url + "/outlooks/no-such-edition/")
    assert page.evaluate("window.__violations") == []

    # The badges take their colours from the risk levels, through the stylesheet.
    page.goto(live_server.url + f"/outlooks/{published_sample.slug}/")
    very_high = RiskLevel.objects.get(name="Very high")
    badge = page.locator(".risk-table .risk-badge").first
    expect(badge).to_have_text("Very high")
    expect(badge).to_have_css("background-color", css_rgb(very_high.colour))
    expect(badge).to_have_css("color", "rgb(255, 255, 255)")


def css_rgb(colour):
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_editor_pages_break_no_policy(watched, live_server, edition, alice, erin, make_user):
    page, errors = watched
    draft = pass_checks(Revision.objects.get(assessment__outlook=edition), alice)
    olga = make_user("olga", "analyst", "reviewer", "editor")
    sign_in(page, live_server, olga)
    for url in (
        "/editor/",
        "/editor/outlooks/",
        f"/editor/outlooks/{edition.pk}/",
        f"/editor/assessments/{draft.assessment_id}/",
        f"/editor/revisions/{draft.pk}/",
        f"/editor/revisions/{draft.pk}/edit/",
        f"/editor/revisions/{draft.pk}/preview/",
        "/editor/audit/",
        "/accounts/password/",
    ):
        visit(page, errors, live_server.url + url)

    # htmx at work on the edit page: the live checks and preview answer as the analyst types.
    page.goto(live_server.url + f"/editor/revisions/{draft.pk}/edit/")
    page.locator("[data-formset=finding] textarea").first.fill("A changed finding, 2024.")
    expect(page.get_by_text("Checked as typed, not yet saved.")).to_be_visible()
    page.get_by_role("button", name="Add a finding").click()

    # The review page, with Bootstrap's tabs.
    sign_in(page, live_server, alice)
    workflow.submit(draft, user=alice)
    bob = make_user("bert", "reviewer")
    sign_in(page, live_server, bob)
    visit(page, errors, live_server.url + f"/editor/revisions/{draft.pk}/review/")
    page.get_by_role("tab", name="Changes since previous edition").click()
    expect(page.locator("#tab-previous")).to_be_visible()

    # A confirmation asked by a form (formerly an inline onsubmit handler).
    sign_in(page, live_server, erin)
    page.goto(live_server.url + f"/editor/outlooks/{edition.pk}/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Remove").first.click()
    assert dialogs and re.match(r"Remove DPRK and its drafts", dialogs[0]), dialogs
    expect(page.get_by_role("button", name="Remove")).to_have_count(1)  # dismissed: kept
    assert (page.evaluate("window.__violations"), errors) == ([], [])
